import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprint } from '../../src/kernels/gather.js';
import { Rng } from '../../src/rng.js';

test('fingerprint: equal bytes agree; one changed byte anywhere, at any alignment, changes it', () => {
  const rng = new Rng(12);
  const buffer = new Uint8Array(1 + 64 + 7);
  for (let i = 0; i < buffer.length; i++) buffer[i] = rng.int(256);
  for (const x of [buffer, buffer.subarray(1), buffer.subarray(3, 70)]) {
    const print = fingerprint(x);
    const copy = new Uint8Array(buffer.length);
    copy.set(buffer);
    assert.equal(fingerprint(copy.subarray(x.byteOffset, x.byteOffset + x.length)), print);
    for (let i = 0; i < x.length; i++) {
      const old = x[i];
      x[i] = old ^ 1;
      assert.notEqual(fingerprint(x), print, `byte ${i} of ${x.length} at offset ${x.byteOffset}`);
      x[i] = old;
    }
  }
});
