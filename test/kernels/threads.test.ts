import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { Window2D } from '../../src/kernels/conv.js';

// The kernel memory is shared with threads only when SCRATCHNET_THREADS is above 1 as the library loads.
process.env.SCRATCHNET_THREADS = '2';
const { convBackward, convForward, convSizes, slidingOutput } = await import('../../src/kernels/conv.js');
const { allocFloat32 } = await import('../../src/kernels/memory.js');
const { setThreads, threadCount } = await import('../../src/kernels/threads.js');
const { Adam } = await import('../../src/optim/adam.js');
const { ARCHITECTURES, sequentialFromSpec } = await import('../../src/model/spec.js');
const { Rng } = await import('../../src/rng.js');
const { fit } = await import('../../src/train/fit.js');
const { loadBundledMnist } = await import('../../src/io/mnist.js');
const { subset } = await import('../../src/data/dataset.js');

function windowOf(channels: number, height: number, width: number, k: number, stride: number, padding: number): Window2D {
  return { channels, height, width, kernelH: k, kernelW: k, stride, padding, outH: slidingOutput(height, k, stride, padding), outW: slidingOutput(width, k, stride, padding) };
}

/** One forward and backward pass of a convolution big enough to be split, run at `threads`: every output, copied. */
async function convPass(threads: number, n: number, o: number, g: Window2D, haveCol: boolean): Promise<Float32Array[]> {
  assert.equal(await setThreads(threads), threads);
  const { patch, hw, inSize } = convSizes(g);
  const rng = new Rng(3);
  const values = (len: number) => {
    const a = allocFloat32(len);
    a.forEach((_, i) => (a[i] = rng.normal()));
    return a;
  };
  const x = values(n * inSize), weight = values(o * patch), bias = values(o), gOut = values(n * o * hw);
  const out = allocFloat32(n * o * hw), col = allocFloat32(n * patch * hw);
  convForward(out, x, weight, bias, col, n, o, g);
  if (!haveCol) col.fill(0);
  const grads = { weightGrad: allocFloat32(o * patch), biasGrad: allocFloat32(o), inputGrad: allocFloat32(n * inSize), first: true };
  convBackward(grads, gOut, x, weight, col, haveCol, allocFloat32(o * patch), allocFloat32(patch * hw), n, o, g);
  return [out, col, grads.weightGrad, grads.biasGrad, grads.inputGrad].map((a) => Float32Array.from(a));
}

test('the convolution split over two threads gives one thread\'s bits (by images, and by rows of dL/dW)', async () => {
  try {
    // 2 · 6 · 25 · 576 · 37 > the split threshold; odd counts of images and channels, so the parts are unequal.
    for (const [n, o, g, haveCol] of [[37, 7, windowOf(1, 28, 28, 5, 1, 0), true], [9, 5, windowOf(3, 31, 29, 3, 2, 1), false]] as const) {
      const one = await convPass(1, n, o, g, haveCol);
      const two = await convPass(2, n, o, g, haveCol);
      assert.equal(threadCount(), 2);
      one.forEach((a, i) => assert.deepEqual(two[i], a, `output ${i}`));
    }
  } finally {
    await setThreads(1);
  }
});

test('LeNet-5 trains to the same bits on one thread and on two', async () => {
  const mnist = loadBundledMnist(0.1, new Rng(1));
  const data = subset(mnist.train, Uint32Array.from({ length: 256 }, (_, i) => i));
  const run = async (threads: number) => {
    assert.equal(await setThreads(threads), threads);
    const rng = new Rng(5);
    const model = sequentialFromSpec(ARCHITECTURES.lenet5, [1, 28, 28], rng);
    const history = await fit(model, { train: data }, { epochs: 2, batchSize: 64, optimizer: new Adam({ lr: 1e-3 }), rng });
    return { weights: model.params().map((p) => Array.from(p.value)), loss: history.batchLoss };
  };
  try {
    const one = await run(1);
    const two = await run(2);
    assert.deepEqual(two.loss, one.loss);
    assert.deepEqual(two.weights, one.weights);
  } finally {
    await setThreads(1);
  }
});

test('setThreads refuses a count that is not a positive integer', async () => {
  await assert.rejects(setThreads(0), /setThreads: expected a positive integer, got 0/);
  await assert.rejects(setThreads(1.5), /got 1\.5/);
});

test('without SCRATCHNET_THREADS above 1 the kernel memory stays private and setThreads keeps one thread', () => {
  const script = "const { setThreads } = await import('./src/kernels/threads.ts'); const { wasm } = await import('./src/kernels/wasm/instance.ts'); console.log(await setThreads(2), wasm.memory.buffer.constructor.name);";
  const env = { ...process.env };
  delete env.SCRATCHNET_THREADS;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), '1 ArrayBuffer');
});
