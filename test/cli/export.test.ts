import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { idxToDataset, parseIdx } from '../../src/data/idx.js';
import { loadModel } from '../../src/io/model-files.js';
import { bundledMnistPaths } from '../../src/io/mnist.js';
import { assertBadInput, runCli } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-export-'));
const run = join(tmp, 'run');
const modelFile = join(run, 'model.safetensors');

before(() => {
  const r = runCli(['train', '--epochs', '1', '--subset', '2000', '--no-report', '--quiet', '--out', run]);
  assert.equal(r.code, 0, r.stderr);
});


test('scratchnet export writes an ONNX file that onnxruntime runs, with the model file’s predictions', async () => {
  const onnx = join(tmp, 'mnist.onnx');
  const r = runCli(['export', '--model', modelFile, '--onnx', onnx]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.deepEqual(r.stdout.trim().split('\n'), [
    `Wrote ${onnx} (${readFileSync(onnx).length} bytes): ONNX opset 17, IR version 8`,
    '  input  pixels float32 [batch, 784], values in [0, 1]',
    '  output probabilities float32 [batch, 10]',
    '  output logits float32 [batch, 10]',
  ]);
  // No temporary file is left beside it.
  assert.deepEqual(readdirSync(tmp).sort(), ['mnist.onnx', 'run']);

  // 64 test images, through onnxruntime and through the model file loaded by the library.
  const paths = bundledMnistPaths();
  const test = idxToDataset(parseIdx(readFileSync(paths.testImages), 'images'), parseIdx(readFileSync(paths.testLabels), 'labels'), 'images', 'labels');
  const rows = 64;
  const x = new Float32Array(rows * 784);
  for (let i = 0; i < x.length; i++) x[i] = test.x[i] / 255;
  const session = await ort.InferenceSession.create(onnx);
  const result = await session.run({ pixels: new ort.Tensor('float32', x, [rows, 784]) });
  await session.release();
  const probs = result.probabilities.data as Float32Array;
  const { model } = loadModel(modelFile);
  const ours = model.predictProba({ data: x, shape: [rows, 784] }).data;
  const classes = model.predict({ data: x, shape: [rows, 784] });
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const row = Array.from(probs.subarray(r * 10, r * 10 + 10));
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, `row ${r} sums to 1`);
    const best = row.indexOf(Math.max(...row));
    assert.equal(best, classes[r], `image ${r}`);
    if (best === test.y[r]) correct++;
    for (let c = 0; c < 10; c++) assert.ok(Math.abs(row[c] - ours[r * 10 + c]) < 1e-4, `image ${r} class ${c}`);
  }
  // One epoch on 1,800 images is far better than chance (66 % of these 64 when measured).
  assert.ok(correct / rows > 0.5, `accuracy ${correct}/${rows}`);
});

test('scratchnet export --json --no-logits: one JSON line; the graph has only the probabilities output', async () => {
  const onnx = join(tmp, 'probs.onnx');
  const r = runCli(['export', '--model', modelFile, '--onnx', onnx, '--json', '--no-logits']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.deepEqual(JSON.parse(lines[lines.length - 1]), {
    onnx,
    bytes: readFileSync(onnx).length,
    opset: 17,
    irVersion: 8,
    inputs: [{ name: 'pixels', shape: ['batch', 784] }],
    outputs: [{ name: 'probabilities', shape: ['batch', 10] }],
  });
  const session = await ort.InferenceSession.create(onnx);
  assert.deepEqual(session.outputNames, ['probabilities']);
  await session.release();
});

test('scratchnet export --help shows examples', () => {
  const r = runCli(['export', '--help']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /--model <file>/);
  assert.match(r.stdout, /--onnx <file>/);
  assert.match(r.stdout, /\$ scratchnet export --model .* --onnx mnist\.onnx/);
});

test('scratchnet export: a missing model file is one line naming it, exit 2', () => {
  const missing = join(tmp, 'nope.safetensors');
  assertBadInput(['export', '--model', missing, '--onnx', join(tmp, 'x.onnx')], new RegExp(`^scratchnet: error: ${missing}: file not found$`));
  assert.ok(!existsSync(join(tmp, 'x.onnx')));
});

test('scratchnet export: a corrupt or truncated model file is one line naming it and the byte, exit 2', () => {
  const bytes = readFileSync(modelFile);
  const truncated = join(tmp, 'truncated.safetensors');
  writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
  assertBadInput(['export', '--model', truncated, '--onnx', join(tmp, 'y.onnx')], new RegExp(`^scratchnet: error: ${truncated}: .*data_offsets end past the end of the data section`));
  const garbage = join(tmp, 'garbage.safetensors');
  writeFileSync(garbage, 'this is not a model file at all');
  assertBadInput(['export', '--model', garbage, '--onnx', join(tmp, 'y.onnx')], new RegExp(`^scratchnet: error: ${garbage}: byte 0: header length`));
  assert.ok(!existsSync(join(tmp, 'y.onnx')));
});

test('scratchnet export: a missing --onnx or --model flag is one line naming it, exit 2', () => {
  assertBadInput(['export', '--model', modelFile], /^scratchnet: error: required option '--onnx <file>' not specified$/);
  assertBadInput(['export', '--onnx', join(tmp, 'z.onnx')], /^scratchnet: error: required option '--model <file>' not specified$/);
});

test('scratchnet export: an unwritable destination, or the model file itself, is one line, exit 2, and the model file survives', () => {
  const before = readFileSync(modelFile);
  const noDir = join(tmp, 'no', 'such', 'dir', 'm.onnx');
  assertBadInput(['export', '--model', modelFile, '--onnx', noDir], new RegExp(`^scratchnet: error: ${noDir}: cannot write \\(ENOENT: no such file or directory\\)$`));
  assertBadInput(['export', '--model', modelFile, '--onnx', modelFile], /^scratchnet: error: --onnx .*model\.safetensors: is the model file itself/);
  assert.deepEqual(readFileSync(modelFile), before);
});
