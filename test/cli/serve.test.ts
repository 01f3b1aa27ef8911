import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBadInput, cliPath } from '../support/cli.js';

/** A folder that looks like a built playground (the server only needs index.html to start). */
function fakeDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scratchnet-serve-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>playground</title>');
  writeFileSync(join(dir, 'app.js'), 'export {};');
  return dir;
}

test('serve: a busy port is one line, exit 2', async () => {
  const blocker = createServer();
  await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
  const port = (blocker.address() as AddressInfo).port;
  try {
    assertBadInput(['serve', '--port', String(port), '--dir', fakeDist()], new RegExp(`^scratchnet: error: port ${port} is in use on 127\\.0\\.0\\.1`));
  } finally {
    blocker.close();
  }
});

test('serve: a corrupt, missing or unreadable model file is one line, exit 2, before anything listens', () => {
  const dir = fakeDist();
  const corrupt = join(dir, 'corrupt.safetensors');
  writeFileSync(corrupt, Buffer.from('this is not a safetensors file at all'));
  assertBadInput(['serve', '--port', '0', '--dir', dir, '--model', corrupt], /^scratchnet: error: .*corrupt\.safetensors: byte 0: header length/);
  assertBadInput(['serve', '--port', '0', '--dir', dir, '--model', join(dir, 'missing.safetensors')], /^scratchnet: error: .*missing\.safetensors: file not found/);
  // A folder is unreadable as a file even for root (chmod 000 is not).
  assertBadInput(['serve', '--port', '0', '--dir', dir, '--model', dir], /^scratchnet: error: .*scratchnet-serve-/);
});

test('serve: no built playground says to run npm run build:web; a bad --port is one line', () => {
  const empty = mkdtempSync(join(tmpdir(), 'scratchnet-serve-empty-'));
  assertBadInput(['serve', '--dir', empty], /^scratchnet: error: .*index\.html is missing.*npm run build:web/);
  assertBadInput(['serve', '--port', '70000', '--dir', fakeDist()], /^scratchnet: error: option '--port <n>' argument '70000' is invalid/);
});

test('serve: serves the folder on 127.0.0.1, nothing outside it, 204 for a missing model, and stops on SIGTERM', async () => {
  const dir = fakeDist();
  const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no URL printed: ${stdout}`)), 10_000);
    child.stdout.on('data', () => {
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout);
      if (m !== null) {
        clearTimeout(timer);
        done(m[0]);
      }
    });
  });
  try {
    const index = await fetch(url);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
    // Cross-origin isolated, so that the page's training worker may share memory with kernel threads.
    assert.equal(index.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(index.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.equal((await fetch(`${url}app.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal((await fetch(`${url}model.safetensors`)).status, 204);
    assert.equal((await fetch(`${url}nope.js`)).status, 404);
    assert.equal((await fetch(`${url}%2e%2e/%2e%2e/etc/passwd`)).status, 404);
    assert.equal((await fetch(url, { method: 'POST' })).status, 405);
  } finally {
    child.kill('SIGTERM');
  }
  const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
  assert.equal(code, 0);
  assert.match(stdout, /Stopped\./);
});
