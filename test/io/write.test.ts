import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '../../src/errors.js';
import { makeFolder, writeFileAtomic } from '../../src/io/write.js';

test('writeFileAtomic replaces the file whole and leaves no temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scratchnet-write-'));
  const path = join(dir, 'out.json');
  writeFileSync(path, 'old contents');
  writeFileAtomic(path, '{"new": true}\n');
  assert.equal(readFileSync(path, 'utf8'), '{"new": true}\n');
  writeFileAtomic(path, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...readFileSync(path)], [1, 2, 3]);
  assert.deepEqual(readdirSync(dir), ['out.json']);
});

test('a failed write leaves the old file untouched', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scratchnet-write-'));
  const path = join(dir, 'keep.txt');
  writeFileSync(path, 'precious');
  // A folder as the target: the rename over it fails after the temporary file was written.
  const target = join(dir, 'sub');
  mkdirSync(join(target, 'inside'), { recursive: true });
  assert.throws(() => writeFileAtomic(target, 'x'));
  assert.equal(readFileSync(path, 'utf8'), 'precious');
  assert.deepEqual(readdirSync(dir).sort(), ['keep.txt', 'sub'], 'no temporary file is left behind');
  assert.throws(() => writeFileAtomic(join(dir, 'missing-folder', 'f.txt'), 'x'), /ENOENT/);
});

/** Node's error for a failed system call, as `fs` throws it. */
function systemError(code: string, reason: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${reason}, ${syscall}`), { code, syscall });
}

/**
 * Runs `body` with `fs[name]` replaced by `fake` (given the real function),
 * also for the named imports of src/io/write.ts (syncBuiltinESMExports).
 */
function withFsMock<K extends 'writeSync' | 'fsyncSync' | 'closeSync' | 'mkdirSync'>(name: K, fake: (real: (typeof fs)[K]) => (typeof fs)[K], body: () => void): void {
  const real = fs[name];
  const m = mock.method(fs, name, fake(real));
  syncBuiltinESMExports();
  try {
    body();
  } finally {
    m.mock.restore();
    syncBuiltinESMExports();
  }
}

test('a full disk mid-write: a DataError naming the file, the old file untouched, no partial file left', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scratchnet-write-'));
  const path = join(dir, 'model.safetensors');
  writeFileSync(path, 'the previous model');
  // The disk takes the first 1000 bytes, then is full.
  let calls = 0;
  withFsMock(
    'writeSync',
    (real) =>
      ((fd: number, bytes: Uint8Array, off: number, length: number) => {
        if (calls++ === 0) return real(fd, bytes, off, Math.min(length, 1000));
        throw systemError('ENOSPC', 'no space left on device', 'write');
      }) as typeof fs.writeSync,
    () => {
      assert.throws(
        () => writeFileAtomic(path, new Uint8Array(5000)),
        (err: unknown) =>
          err instanceof DataError &&
          err.message === `${path}: cannot write (ENOSPC: no space left on device)` &&
          (err.cause as NodeJS.ErrnoException).code === 'ENOSPC',
      );
    },
  );
  assert.equal(calls, 2, 'the first write went through');
  assert.equal(readFileSync(path, 'utf8'), 'the previous model');
  assert.deepEqual(readdirSync(dir), ['model.safetensors']);
});

test('a failed flush or close is a failed write too, and leaves no file behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scratchnet-write-'));
  const path = join(dir, 'history.json');
  withFsMock('fsyncSync', () => () => {
    throw systemError('EIO', 'i/o error', 'fsync');
  }, () => {
    assert.throws(() => writeFileAtomic(path, '{}'), (err: unknown) => err instanceof DataError && err.message === `${path}: cannot write (EIO: i/o error)`);
  });
  withFsMock(
    'closeSync',
    (real) => (fd: number) => {
      real(fd);
      throw systemError('EDQUOT', 'disk quota exceeded', 'close');
    },
    () => {
      assert.throws(() => writeFileAtomic(path, '{}'), (err: unknown) => err instanceof DataError && err.message === `${path}: cannot write (EDQUOT: disk quota exceeded)`);
    },
  );
  assert.deepEqual(readdirSync(dir), []);
});

test('an error that is not a refused system call (a bug) is not dressed up as bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scratchnet-write-'));
  const bug = new TypeError('not a system call');
  withFsMock('writeSync', () => () => { throw bug; }, () => {
    assert.throws(() => writeFileAtomic(join(dir, 'out.bin'), new Uint8Array(3)), (err: unknown) => err === bug);
  });
  assert.deepEqual(readdirSync(dir), [], 'the temporary file is removed anyway');
});

test('makeFolder creates missing parents; a refusal is a DataError naming the folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scratchnet-write-'));
  makeFolder(join(dir, 'a', 'b'));
  assert.deepEqual(readdirSync(join(dir, 'a')), ['b']);
  makeFolder(join(dir, 'a', 'b')); // already there: fine
  writeFileSync(join(dir, 'file'), '');
  const under = join(dir, 'file', 'run');
  assert.throws(() => makeFolder(under), (err: unknown) => err instanceof DataError && err.message === `${under}: cannot create the folder (ENOTDIR: not a directory)`);
});
