import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/io/write.js';

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
