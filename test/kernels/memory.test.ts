import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocFloat32, inKernelMemory, kernelMemoryUsage } from '../../src/kernels/memory.js';

test('allocFloat32 gives zero-filled, 16-byte aligned views on the kernel memory', () => {
  for (const n of [1, 3, 17, 784, 50176]) {
    const v = allocFloat32(n);
    assert.equal(v.length, n);
    assert.equal(v.byteOffset % 16, 0);
    assert.ok(v.every((x) => x === 0));
    assert.ok(inKernelMemory(v, v));
  }
});

test('buffers never overlap', () => {
  const views = Array.from({ length: 50 }, (_, i) => allocFloat32(1 + i * 37));
  views.forEach((v, i) => v.fill(i + 1));
  views.forEach((v, i) => assert.ok(v.every((x) => x === i + 1), `buffer ${i} was overwritten`));
});

test('past the capacity, allocFloat32 falls back to an ordinary array', () => {
  const { capacity } = kernelMemoryUsage();
  const big = allocFloat32(capacity / 4 + 16);
  assert.equal(big.length, capacity / 4 + 16);
  assert.ok(!inKernelMemory(big, big));
});

test('a full kernel memory is said once, on stderr, with the size that did not fit', async () => {
  const script = [
    "const { allocFloat32, kernelMemoryUsage, inKernelMemory } = await import('./src/kernels/memory.ts');",
    'const { capacity } = kernelMemoryUsage();',
    'const big = allocFloat32(capacity / 4 + 1);',
    'const again = allocFloat32(capacity / 4 + 1);',
    'const small = allocFloat32(16);',
    "console.log(JSON.stringify([inKernelMemory(big, big), inKernelMemory(again, again), inKernelMemory(small, small)]));",
  ].join('\n');
  const { spawnSync } = await import('node:child_process');
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), [false, false, true]);
  const lines = run.stderr.split('\n').filter((l) => l.includes('kernel memory is full'));
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], /^scratchnet: kernel memory is full \(512 MiB\): a buffer of 512\.1 MiB and any after it are plain arrays/);
});

test('a 784-4096-4096-10 network trains on the SIMD kernels: every param, grad and activation in kernel memory', async () => {
  const { mlp } = await import('../../src/model/mlp.js');
  const { SGD } = await import('../../src/optim/sgd.js');
  const { train } = await import('../../src/model/sequential.js');
  const { tensor } = await import('../../src/kernels/tensor.js');
  const model = mlp({ hidden: [4096, 4096], rng: 3 });
  const x = allocFloat32(32 * 784).fill(0.5);
  const loss = train(model, tensor(x, [32, 784]), Array.from({ length: 32 }, (_, i) => i % 10), new SGD({ lr: 0.01 }));
  assert.ok(Number.isFinite(loss));
  for (const p of model.params()) assert.ok(inKernelMemory(p.value, p.grad), `${p.name} [${p.shape.join(', ')}] outside kernel memory`);
  const outputs = model.forwardAll(tensor(x, [32, 784]));
  outputs.forEach((o, i) => assert.ok(inKernelMemory(o.data, o.data), `layer ${i}'s output outside kernel memory`));
});
