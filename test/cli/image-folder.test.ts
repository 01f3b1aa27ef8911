import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { readImageFolder } from '../../src/io/image-folder.js';
import { loadBundledMnist } from '../../src/io/mnist.js';
import { loadModel } from '../../src/io/model-files.js';
import { assertBadInput, lastJson, runCli } from '../support/cli.js';

// A folder of a few hundred PNGs in three class folders: MNIST test digits 0, 1 and 7, re-encoded at other sizes
// (56 × 56 and 20 × 20), in colour (tinted RGB, some with transparency) and grey, plus a corrupt PNG and a stray text file.
const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-images-'));
const dir = join(tmp, 'digits');
const names = { 0: 'zero', 1: 'one', 7: 'seven' } as Record<number, string>;
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A 28 × 28 grey digit as a PNG of side `side` (nearest-neighbour), tinted `rgb`, `alpha` where the digit is dark. */
function png(pixels: Uint8Array, side: number, rgb: [number, number, number], transparent: boolean): Buffer {
  const image = new PNG({ width: side, height: side });
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = pixels[Math.floor((y * 28) / side) * 28 + Math.floor((x * 28) / side)];
      const o = 4 * (y * side + x);
      [image.data[o], image.data[o + 1], image.data[o + 2]] = rgb.map((c) => Math.round((v * c) / 255));
      image.data[o + 3] = transparent ? v : 255;
    }
  }
  return PNG.sync.write(image);
}

before(() => {
  const { test: digits } = loadBundledMnist(0, 1);
  for (const name of Object.values(names)) mkdirSync(join(dir, name), { recursive: true });
  const counts: Record<number, number> = {};
  for (let i = 0; i < digits.count && Object.values(counts).reduce((a, b) => a + b, 0) < 360; i++) {
    const d = digits.y[i];
    if (names[d] === undefined || (counts[d] ?? 0) >= 120) continue;
    const k = (counts[d] = (counts[d] ?? 0) + 1);
    const side = k % 3 === 0 ? 56 : k % 3 === 1 ? 20 : 28;
    const tint: [number, number, number] = k % 2 === 0 ? [255, 255, 255] : [255, 200, 120];
    writeFileSync(join(dir, names[d], `${String(k).padStart(3, '0')}.png`), png(digits.x.subarray(784 * i, 784 * (i + 1)), side, tint, k % 5 === 0));
  }
  writeFileSync(join(dir, 'one', 'broken.png'), png(new Uint8Array(784), 28, [255, 255, 255], false).subarray(0, 60));
  writeFileSync(join(dir, 'seven', 'notes.txt'), 'not an image\n');
});

test('readImageFolder: classes from the folder names, every image resized to the size asked, grey or RGB planes', () => {
  const grey = readImageFolder(dir, { height: 28, width: 28, channels: 1, skipBad: true });
  assert.deepEqual(grey.data.classes, ['one', 'seven', 'zero']);
  assert.deepEqual([grey.data.count, grey.data.features, grey.ignored], [360, 784, 1]);
  assert.deepEqual(grey.skipped.map((s) => s.path), [join(dir, 'one', 'broken.png')]);
  assert.match(grey.skipped[0].reason, /truncated|corrupt|ends/);
  const rgb = readImageFolder(dir, { height: 12, width: 16, channels: 3, skipBad: true });
  assert.deepEqual(rgb.shape, [3, 12, 16]);
  assert.equal(rgb.data.features, 3 * 12 * 16);
  // A tinted image: its blue plane is darker than its red one.
  const first = rgb.data.x.subarray(0, rgb.data.features);
  const plane = (c: number) => first.subarray(c * 192, (c + 1) * 192).reduce((a, b) => a + b, 0);
  assert.ok(plane(2) < plane(0), `red ${plane(0)}, blue ${plane(2)}`);
});

test('train --images: a corrupt file stops the run naming it, --skip-bad counts it and trains; the same seed gives the same run', () => {
  assertBadInput(['train', '--images', dir, '--epochs', '1', '--no-report'], new RegExp(`^scratchnet: error: ${join(dir, 'one', 'broken.png')}: .* \\(give --skip-bad to leave such files out\\)$`));
  const run = (name: string, extra: string[] = []) => {
    const out = join(tmp, name);
    const r = runCli(['train', '--images', dir, '--skip-bad', '--hidden', '32', '--epochs', '5', '--json', '--out', out, ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return { r, out, summary: lastJson<{ testAccuracy: number; trainLoss: number[] }>(r.stdout) };
  };
  const a = run('a');
  assert.match(a.r.stdout, /^Images: 360 from .*digits \(3 classes: one, seven, zero\), 28 × 28, 1 channel; skipped 1 bad file, ignored 1 that is not a PNG$/m);
  assert.match(a.r.stdout, /^Training data: 260 × 784, validation: 28, test: 72$/m);
  assert.ok(a.summary.testAccuracy >= 0.85, `test accuracy ${a.summary.testAccuracy}`);
  assert.deepEqual(run('b').summary.trainLoss, a.summary.trainLoss);
  assert.deepEqual((loadModel(join(a.out, 'model.safetensors')).training as { classes: string[] }).classes, ['one', 'seven', 'zero']);
  assert.match(readFileSync(join(a.out, 'report.html'), 'utf8'), /<h2>\d+\. Image folder samples<\/h2>/);
  // Colour at another size: an MLP on 3 × 16 × 16 inputs.
  const colour = run('c', ['--channels', '3', '--image-size', '16']);
  assert.match(colour.r.stdout, /^Training data: 260 × 768,/m);
  // predict --image reads a picture as the folder's were read (16 × 16 RGB here), and names the class.
  const pictures = ['zero/003.png', 'one/004.png', 'seven/005.png'].map((f) => join(dir, f));
  const predicted = runCli(['predict', '--model', join(colour.out, 'model.safetensors'), '--image', ...pictures, '--json']);
  assert.equal(predicted.code, 0, predicted.stderr);
  const tops = lastJson<{ predictions: { top: { name: string }[] }[] }>(predicted.stdout).predictions.map((p) => p.top[0].name);
  assert.deepEqual(tops, ['zero', 'one', 'seven']);
  assertBadInput(['evaluate', '--model', join(colour.out, 'model.safetensors')], /the model was trained on an image folder, whose test images its run's report scores; evaluate takes a test set as --test-csv or --idx-dir$/);
});

test('bad image folders and sizes: one line, exit 2', () => {
  const empty = join(tmp, 'empty');
  mkdirSync(join(empty, 'a'), { recursive: true });
  mkdirSync(join(empty, 'b'));
  writeFileSync(join(empty, 'a', 'x.png'), png(new Uint8Array(784).fill(9), 28, [255, 255, 255], false));
  assertBadInput(['train', '--images', empty], /empty[/\\]b: no readable PNG image in the class folder "b": every class needs at least one$/);
  assertBadInput(['train', '--images', join(tmp, 'nowhere')], /nowhere: not a folder that can be read/);
  assertBadInput(['train', '--images', dir, '--image-size', '0x5'], /--image-size: expected a size like 28 or 32x48/);
  assertBadInput(['train', '--images', dir, '--channels', '2'], /option '--channels <n>' argument '2' is invalid/);
});
