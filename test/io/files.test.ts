import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DataError } from '../../src/errors.js';
import { readFileBytes, streamFileChunks } from '../../src/io/files.js';
import { tempDir } from '../support/fixtures.js';

const tmp = tempDir();
after(() => tmp.remove());

const content = Uint8Array.from({ length: 5000 }, (_, i) => (i * 37) % 256);

function isDataError(message: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof DataError, `expected a DataError, got ${String(err)}`);
    assert.match(err.message, message);
    return true;
  };
}

async function collect(path: string, chunkSize?: number): Promise<{ bytes: Uint8Array; chunks: number }> {
  const parts: Uint8Array[] = [];
  for await (const chunk of streamFileChunks(path, chunkSize)) parts.push(chunk);
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    bytes.set(p, offset);
    offset += p.length;
  }
  return { bytes, chunks: parts.length };
}

/** Real gzip data cut short, and with its CRC damaged. */
function brokenGzips(): { truncated: string; corrupt: string } {
  const gz = gzipSync(content);
  const corrupt = gz.slice();
  corrupt[corrupt.length - 6] ^= 0xff; // inside the CRC32 trailer
  return { truncated: tmp.write('cut.bin.gz', gz.subarray(0, gz.length - 10)), corrupt: tmp.write('bad.bin.gz', corrupt) };
}

test('readFileBytes returns the bytes as a plain Uint8Array', () => {
  const bytes = readFileBytes(tmp.write('plain.bin', content));
  assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype);
  assert.deepEqual(bytes, content);
});

test('readFileBytes gunzips gzip data whatever the file is called', () => {
  assert.deepEqual(readFileBytes(tmp.write('data.gz', gzipSync(content))), content);
  assert.deepEqual(readFileBytes(tmp.write('no-extension', gzipSync(content))), content);
});

test('readFileBytes: a missing file, a folder, an unreadable path', () => {
  const missing = join(tmp.dir, 'nope.bin');
  assert.throws(() => readFileBytes(missing), isDataError(new RegExp(`^${escape(missing)}: file not found$`)));
  assert.throws(() => readFileBytes(tmp.dir), isDataError(new RegExp(`^${escape(tmp.dir)}: is a directory, expected a file$`)));
  const underFile = join(tmp.write('a-file', 'x'), 'child');
  assert.throws(() => readFileBytes(underFile), isDataError(new RegExp(`^${escape(underFile)}: cannot read \\(ENOTDIR: not a directory\\)$`)));
});

/** Whether every folder above `path` lets other users in (so `nobody` can load the sources). */
function othersCanReach(path: string): boolean {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o005) !== 0o005) return false;
    if (dirname(dir) === dir) return true;
  }
}
const srcPath = fileURLToPath(new URL('../../src/io/files.ts', import.meta.url));
const asRoot = process.getuid?.() === 0;

test('readFileBytes: permission denied', { skip: asRoot && !othersCanReach(srcPath) ? 'running as root in a folder that user nobody cannot enter' : false }, () => {
  const locked = tmp.write('locked.bin', content);
  chmodSync(locked, 0o000);
  if (!asRoot) {
    assert.throws(() => readFileBytes(locked), isDataError(new RegExp(`^${escape(locked)}: cannot read \\(EACCES: permission denied\\)$`)));
    return;
  }
  // root reads every file, so check from a child process running as `nobody`.
  chmodSync(tmp.dir, 0o755);
  const code = `import { readFileBytes } from ${JSON.stringify(pathToFileURL(srcPath).href)};
    try { readFileBytes(${JSON.stringify(locked)}); console.log('read'); } catch (e) { console.log(e.name + ': ' + e.message); }`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    uid: 65534,
    gid: 65534,
    encoding: 'utf8',
    env: { ...process.env, HOME: tmpdir() },
  });
  assert.equal(r.stdout.trim(), `DataError: ${locked}: cannot read (EACCES: permission denied)`, r.stderr);
});

test('readFileBytes: truncated or corrupt gzip data names the file', () => {
  const { truncated, corrupt } = brokenGzips();
  assert.throws(() => readFileBytes(truncated), isDataError(new RegExp(`^${escape(truncated)}: corrupt or truncated gzip data \\(unexpected end of file\\)$`)));
  assert.throws(() => readFileBytes(corrupt), isDataError(new RegExp(`^${escape(corrupt)}: corrupt or truncated gzip data \\(.+\\)$`)));
});

test('streamFileChunks yields the file in chunks of at most chunkSize', async () => {
  const path = tmp.write('chunks.bin', content);
  const { bytes, chunks } = await collect(path, 1024);
  assert.deepEqual(bytes, content);
  assert.equal(chunks, 5);
  assert.deepEqual((await collect(path)).bytes, content);
});

test('streamFileChunks gunzips gzip data on the fly', async () => {
  assert.deepEqual((await collect(tmp.write('stream.gz', gzipSync(content)), 100)).bytes, content);
});

test('streamFileChunks: an empty file yields nothing', async () => {
  assert.equal((await collect(tmp.write('empty.bin', ''))).bytes.length, 0);
});

test('streamFileChunks: missing file, folder and broken gzip are DataErrors naming the file', async () => {
  const missing = join(tmp.dir, 'nope.csv');
  await assert.rejects(collect(missing), isDataError(new RegExp(`^${escape(missing)}: file not found$`)));
  await assert.rejects(collect(tmp.dir), isDataError(new RegExp(`^${escape(tmp.dir)}: is a directory, expected a file$`)));
  const { truncated, corrupt } = brokenGzips();
  await assert.rejects(collect(truncated, 64), isDataError(new RegExp(`^${escape(truncated)}: corrupt or truncated gzip data \\(unexpected end of file\\)$`)));
  await assert.rejects(collect(corrupt, 64), isDataError(new RegExp(`^${escape(corrupt)}: corrupt or truncated gzip data`)));
});

test('streamFileChunks: a consumer that stops early gets no error and an error from the consumer passes through', async () => {
  const path = tmp.write('early.gz', gzipSync(content));
  for await (const chunk of streamFileChunks(path, 16)) {
    assert.ok(chunk.length > 0);
    break;
  }
  await assert.rejects(
    (async () => {
      for await (const _ of streamFileChunks(path, 16)) throw new RangeError('consumer failed');
    })(),
    RangeError,
  );
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
