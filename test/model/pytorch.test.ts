import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../src/data/dataset.js';
import { loadBundledMnist } from '../../src/io/mnist.js';
import { loadModel } from '../../src/io/model-files.js';
import { tensor } from '../../src/kernels/tensor.js';
import type { Sequential } from '../../src/model/sequential.js';
import { lastJson, runCli } from '../support/cli.js';
import { tempDir } from '../support/fixtures.js';

// A CNN trained by `scratchnet train`, loaded into PyTorch by a script that
// knows only the safetensors format and the layer kinds (test/support/torch_load.py):
// torch's own Conv2d, MaxPool2d and Linear must give our probabilities on the
// 10,000 MNIST test images. The layouts the README promises (Conv2D weights
// as PyTorch's, Flatten in C·H·W order, Dense weights [in, out]) are what is
// tested: any of them wrong and the classes differ.

const script = fileURLToPath(new URL('../support/torch_load.py', import.meta.url));
// The first Python that has torch: $PYTHON, then the one on PATH, then Debian's (python3-torch installs
// into /usr/bin/python3's packages, which a pyenv or venv python3 earlier on PATH does not see).
const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => p !== undefined && p !== '');
const probes = candidates.map((python) => ({ python, r: spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8' }) }));
const python = probes.find((p) => p.r.status === 0)?.python;
const noTorch = python !== undefined
  ? undefined
  : `no python3 with torch and numpy (tried ${probes.map(({ python: p, r }) => `${p}: ${(r.stderr || String(r.error)).trim().split('\n').pop()}`).join('; ')})`;

const temp = tempDir();
after(() => temp.remove());
let testSet: Dataset;
let imagesPath: string;
let labelsPath: string;

before(() => {
  testSet = loadBundledMnist(0.1, 42).test;
  imagesPath = temp.write('test-images.u8', testSet.x);
  labelsPath = temp.write('test-labels.u8', testSet.y);
});

/** Our softmax probabilities on every image of `set`, in chunks (a CNN's im2col of 10,000 images at once would take 0.5 GB). */
function ourProbabilities(model: Sequential, set: Dataset): Float32Array {
  const k = model.outputUnits;
  const out = new Float32Array(set.count * k);
  const chunk = 1000;
  for (let start = 0; start < set.count; start += chunk) {
    const rows = Math.min(chunk, set.count - start);
    const x = new Float32Array(rows * set.features);
    for (let i = 0; i < x.length; i++) x[i] = set.x[start * set.features + i] / 255; // as the loader: float32(byte / 255)
    out.set(model.predictProba(tensor(x, [rows, set.features])).data, start * k);
  }
  return out;
}

const argmax = (p: Float32Array, r: number, k: number) => {
  let best = 0;
  for (let c = 1; c < k; c++) if (p[r * k + c] > p[r * k + best]) best = c;
  return best;
};

// LeNet-5, and a stack with what LeNet-5 lacks: padding, a stride of 2, average pooling, tanh.
const networks = [
  ['lenet5', ['--arch', 'lenet5']],
  ['padded', ['--layers', 'conv(8,3,s2,p1),relu,conv(16,3,p1),tanh,avgpool(2),flatten,dense(32),relu,dense(10)']],
] as const;

for (const [arch, flags] of networks) {
  test(`${flags.join(' ')} trained 1 epoch loads into torch.nn.Sequential (strict state_dict): same classes on the 10,000 test images, |Δp| < 1e-4`, async (t) => {
    if (noTorch !== undefined) return t.skip(noTorch);
    const out = join(temp.dir, arch);
    const trained = runCli(['train', ...flags, '--optimizer', 'adam', '--batch-size', '32', '--epochs', '1', '--subset', '3000', '--no-report', '--quiet', '--json', '--out', out]);
    assert.equal(trained.code, 0, trained.stderr);
    const modelPath = join(out, 'model.safetensors');
    const { model } = loadModel(modelPath);

    const probsPath = join(temp.dir, `${arch}-torch.f32`);
    const r = spawnSync(python ?? 'python3', [script, modelPath, imagesPath, labelsPath, probsPath], { encoding: 'utf8', maxBuffer: 16 << 20 });
    assert.equal(r.status, 0, r.stderr);
    const seen = lastJson<{ keys: Record<string, number[]>; module: string; correct: number; torch: string }>(r.stdout);

    // PyTorch's names and layouts: `<i>.weight` / `<i>.bias` at the same indices, nn.Linear's weight [out, in].
    const expectedKeys: Record<string, number[]> = {};
    model.layers.forEach((layer, i) => {
      for (const p of layer.params()) expectedKeys[`${i}.${p.name}`] = layer.constructor.name === 'Dense' && p.name === 'weight' ? [p.shape[1], p.shape[0]] : [...p.shape];
    });
    assert.deepEqual(seen.keys, expectedKeys);

    const k = model.outputUnits;
    const torchProbs = new Float32Array(new Uint8Array(readFileSync(probsPath)).buffer);
    assert.equal(torchProbs.length, testSet.count * k);
    const ours = ourProbabilities(model, testSet);
    let correct = 0;
    let maxDp = 0;
    const mismatches: number[] = [];
    for (let r = 0; r < testSet.count; r++) {
      const c = argmax(ours, r, k);
      if (c === testSet.y[r]) correct++;
      if (c !== argmax(torchProbs, r, k)) mismatches.push(r);
      for (let j = 0; j < k; j++) maxDp = Math.max(maxDp, Math.abs(ours[r * k + j] - torchProbs[r * k + j]));
    }
    t.diagnostic(`${arch} in torch ${seen.torch}: ${seen.correct} correct (scratchnet ${correct}), ${mismatches.length} images of other class, max |Δp| = ${maxDp.toExponential(2)}`);
    assert.equal(correct / testSet.count, lastJson(trained.stdout).testAccuracy, 'the CLI scored the model as this test does');
    assert.ok(correct > 8000, `only ${correct} correct: the training did not learn, so the comparison would prove little`);
    assert.equal(seen.correct, correct, 'correct test images: PyTorch vs scratchnet');
    assert.deepEqual(mismatches, [], 'images whose class differs');
    assert.ok(maxDp < 1e-4, `max |Δprobability| ${maxDp}`);
  });
}
