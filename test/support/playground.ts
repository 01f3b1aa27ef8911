import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cliPath } from './cli.js';

const buildScript = fileURLToPath(new URL('../../scripts/build-web.ts', import.meta.url));

/** Builds the playground from the current web/ sources into `dir` (scripts/build-web.ts). */
export function buildPlayground(dir: string): void {
  const built = spawnSync(process.execPath, ['--import', 'tsx', buildScript, dir], { encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
}

/** Starts `scratchnet serve --port 0 …args` and resolves with the server and the URL it prints. */
export function servePlayground(args: string[]): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, [cliPath, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`scratchnet serve printed no URL: ${stdout}`)), 15_000);
    server.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout);
      if (m !== null) {
        clearTimeout(timer);
        done({ server, url: m[0] });
      }
    });
    server.on('exit', (code) => fail(new Error(`scratchnet serve exited with ${code}: ${stdout}`)));
  });
}
