import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, DataError } from '../errors.js';
import { readFileBytes } from '../io/files.js';
import { decodeModel } from '../io/model-file.js';

/** The flags of `scratchnet serve`. */
export interface ServeFlags {
  port: number;
  host: string;
  model?: string;
  dir?: string;
}

/** `npm run build:web` writes the playground here (the package root's web-dist/, whatever the working directory). */
export const defaultWebDir = fileURLToPath(new URL('../../web-dist', import.meta.url));

/** A TCP port: an integer 0–65535 (0: any free port). */
function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port number 0–65535 (0: any free port)');
  return n;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  // The worker gunzips these itself (DecompressionStream): plain gzip bytes, not Content-Encoding.
  '.gz': 'application/gzip',
  '.safetensors': 'application/octet-stream',
};

/**
 * A static file server for the built playground: GET/HEAD of files under
 * `dir` (nothing outside it), and `/model.safetensors` from memory — the
 * model's bytes, or 204 No Content when there is none (the page then starts
 * without a model, and the browser logs no failed request).
 */
export function playgroundServer(dir: string, model: Uint8Array | undefined): Server {
  const root = resolve(dir);
  const send = (res: ServerResponse, status: number, body: string | Uint8Array, type = 'text/plain; charset=utf-8'): void => {
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      // Cross-origin isolation: what gives the page SharedArrayBuffer, so the training worker can use kernel threads.
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  };
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
      let path: string;
      try {
        path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      } catch {
        return send(res, 400, 'bad request\n');
      }
      if (path === '/model.safetensors') return model === undefined ? send(res, 204, '') : send(res, 200, model, contentTypes['.safetensors']);
      if (path.endsWith('/')) path += 'index.html';
      const file = resolve(root, `.${path}`);
      if (!file.startsWith(root + sep)) return send(res, 404, 'not found\n');
      try {
        if (!(await stat(file)).isFile()) return send(res, 404, 'not found\n');
        send(res, 200, await readFile(file), contentTypes[extname(file)] ?? 'application/octet-stream');
      } catch {
        send(res, 404, 'not found\n');
      }
    })();
  });
}

/** Listens on host:port, turning the usual failures into one-line errors. */
async function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  try {
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(port, host, () => {
        server.off('error', fail);
        done();
      });
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new ConfigError(`port ${port} is in use on ${host}: stop the program using it or pick another port with --port`);
    if (code === 'EACCES') throw new ConfigError(`port ${port}: permission denied (ports below 1024 need privileges); pick another with --port`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new ConfigError(`--host ${host}: not an address of this machine (${code})`);
    throw err;
  }
  return server.address() as AddressInfo;
}

const examples = `
Examples:
  $ npm run build:web && scratchnet serve           # http://127.0.0.1:8080/
  $ scratchnet serve --model runs/20261124-233512/model.safetensors --port 3000
  $ scratchnet serve --port 0                        # any free port (printed)
`;

/** The `serve` command. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the browser playground (draw a digit, train in the page) on this machine')
    .option('--port <n>', 'the TCP port (0: any free port)', portNumber, 8080)
    .option('--host <address>', 'the address to bind (127.0.0.1: only this machine can connect)', '127.0.0.1')
    .option('--model <file>', 'a model file (model.safetensors) the page loads at start')
    .option('--dir <dir>', 'the built playground (default: web-dist/ of the scratchnet package, written by npm run build:web)')
    .addHelpText('after', examples)
    .action(async (flags: ServeFlags) => {
      await runServe(flags, (line) => console.log(line));
    });
}

/**
 * Runs `scratchnet serve` until SIGINT or SIGTERM. The model is read and
 * checked (decodeModel) before anything listens, so a bad file is an error
 * here and not in the page.
 */
export async function runServe(flags: ServeFlags, log: (line: string) => void): Promise<void> {
  const dir = flags.dir ?? defaultWebDir;
  if (!existsSync(join(dir, 'index.html'))) {
    throw new DataError(`${dir}: no built playground here (index.html is missing); run \`npm run build:web\` first`);
  }
  let model: Uint8Array | undefined;
  if (flags.model !== undefined) {
    model = readFileBytes(flags.model); // gunzipped if gzipped: the page reads plain safetensors
    decodeModel(model, flags.model);
  }
  const server = playgroundServer(dir, model);
  const address = await listen(server, flags.port, flags.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  log(`Serving the scratchnet playground at http://${host}:${address.port}/`);
  log(`  files: ${dir}${flags.model === undefined ? '' : `; model: ${flags.model}`}`);
  log('Press Ctrl-C to stop.');
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => done());
      server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  log('Stopped.');
}
