import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledMnistPaths } from '../../src/io/mnist.js';
import { loadModel } from '../../src/io/model-files.js';
import { assertBadInput, lastJson, runCli } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-cli-'));



function csv(name: string, rows: string[], header = true): string {
  const path = join(tmp, name);
  const head = ['label', ...Array.from({ length: 784 }, (_, i) => `${Math.floor(i / 28) + 1}x${(i % 28) + 1}`)].join(',');
  writeFileSync(path, `${header ? `${head}\n` : ''}${rows.join('\n')}\n`);
  return path;
}
const row = (label: number | string, pixel: number | string = 0, count = 784): string =>
  [label, ...Array.from({ length: count }, (_, i) => (i === 10 ? pixel : 0))].join(',');
const goodTest = csv('good_test.csv', [row(1), row(2)]);

test('default training (the tutorial recipe, 5 epochs, bundled MNIST) reaches ≥ 96 % test accuracy', () => {
  const out = join(tmp, 'default-run');
  const r = runCli(['train', '--json', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Layer 0: Dense \(784 -> 64\)/);
  for (let e = 1; e <= 5; e++) assert.match(r.stdout, new RegExp(`Epoch ${e}/5 - loss [0-9.]+ - val accuracy 0\\.9\\d+`));
  assert.match(r.stdout, /Test accuracy: 0\.9\d+/);
  const summary = lastJson(r.stdout);
  assert.equal(summary.epochs, 5);
  assert.ok((summary.testAccuracy as number) >= 0.96, `test accuracy ${String(summary.testAccuracy)}`);
  const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(history.testAccuracy, summary.testAccuracy);
  assert.equal((history.batchLoss as number[]).length, 5 * Math.ceil(54000 / 32));
  assert.deepEqual((history.settings as { optimizer: unknown }).optimizer, { name: 'sgd', lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 });
});

test('the plain-JS kernels (SCRATCHNET_KERNELS=js) train as the SIMD ones: the same losses, test accuracy within 0.3 points', () => {
  const run = (kernels: string) => {
    const out = join(tmp, `kernels-${kernels || 'simd'}`);
    const r = runCli(['train', '--subset', '20000', '--epochs', '2', '--json', '--quiet', '--no-report', '--out', out], {
      env: { SCRATCHNET_KERNELS: kernels },
    });
    assert.equal(r.code, 0, r.stderr);
    const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as { batchLoss: number[] };
    return { accuracy: lastJson(r.stdout).testAccuracy as number, batchLoss: history.batchLoss };
  };
  const simd = run(''); // anything but "js" keeps the SIMD kernels
  const js = run('js');
  const accuracies = `test accuracy: SIMD ${simd.accuracy}, JS ${js.accuracy}`;
  // Both learnt (two equally broken runs would agree too), and agree.
  assert.ok(simd.accuracy > 0.9 && js.accuracy > 0.9, accuracies);
  assert.ok(Math.abs(js.accuracy - simd.accuracy) <= 0.003, accuracies);
  // The kernels differ only in rounding (~4e-7 here), which leaves every
  // step's loss in place; a wrong gradient moves it by far more.
  assert.equal(js.batchLoss.length, simd.batchLoss.length);
  const worst = Math.max(...js.batchLoss.map((loss, i) => Math.abs(loss - simd.batchLoss[i])));
  assert.ok(worst < 1e-4, `the batch losses of the two runs differ by up to ${worst}`);
});

test('--epochs 1 --json twice with the same seed: identical except time', () => {
  const runs = [1, 2].map((i) => {
    const r = runCli(['train', '--epochs', '1', '--json', '--quiet', '--out', join(tmp, `same-seed-${i}`)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 1, '--quiet --json prints only the JSON line');
    return lastJson(r.stdout);
  });
  for (const key of ['epochs', 'trainLoss', 'valAccuracy', 'testAccuracy', 'seconds', 'imagesPerSecond', 'seed']) {
    assert.ok(key in runs[0], `JSON has ${key}`);
  }
  const strip = (j: Record<string, unknown>) => ({ ...j, seconds: 0, imagesPerSecond: 0 });
  assert.deepEqual(strip(runs[0]), strip(runs[1]));
  assert.equal(runs[0].seed, 42);
});

test("--tutorial-compat replays the tutorial's smaller effective step (different, slower-learning run)", () => {
  const run = (extra: string[]) => {
    const r = runCli(['train', '--epochs', '1', '--subset', '2000', '--json', '--quiet', '--out', join(tmp, `compat${extra.length}`), ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return lastJson(r.stdout);
  };
  const ours = run([]);
  const compat = run(['--tutorial-compat']);
  // lr/32 learns far less in one epoch of 2000 images.
  assert.ok((compat.trainLoss as number[])[0] > (ours.trainLoss as number[])[0]);
});

test('CSV input in the tutorial layout trains', () => {
  const rows = Array.from({ length: 40 }, (_, i) => row(i % 10, (i % 10) * 25));
  const train = csv('tiny_train.csv', rows);
  const r = runCli(['train', '--train-csv', train, '--test-csv', goodTest, '--epochs', '2', '--batch-size', '8', '--json', '--out', join(tmp, 'csv-run')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Training data: 36 × 784, validation: 4, test: 2/);
});

test('--help shows every flag and examples', () => {
  const r = runCli(['train', '--help']);
  assert.equal(r.code, 0);
  for (const flag of ['--epochs', '--batch-size', '--lr', '--hidden', '--activation', '--seed', '--val-split', '--subset', '--train-csv', '--test-csv', '--out', '--json', '--quiet', '--tutorial-compat']) {
    assert.ok(r.stdout.includes(flag), `help mentions ${flag}`);
  }
  assert.match(r.stdout, /Examples:/);
});

test('nonsense flag values: one line naming the flag and what was expected, exit 2', () => {
  assertBadInput(['train', '--epochs', '0'], /option '--epochs <n>' argument '0' is invalid\. expected a positive integer/);
  assertBadInput(['train', '--lr', '-1'], /option '--lr <rate>' argument '-1' is invalid\. expected a positive number/);
  assertBadInput(['train', '--hidden', '64,x'], /option '--hidden <units>' argument '64,x' is invalid\. expected comma-separated positive integers/);
  assertBadInput(['train', '--val-split', '1.5'], /option '--val-split <fraction>' argument '1.5' is invalid\. expected a number in \[0, 1\)/);
  assertBadInput(['train', '--batch-size', '3.5'], /option '--batch-size <n>' argument '3.5' is invalid/);
  assertBadInput(['train', '--activation', 'swish'], /argument 'swish' is invalid\. Allowed choices are sigmoid, relu, tanh, leaky-relu/);
  assertBadInput(['train', '--bogus'], /unknown option '--bogus'/);
  assertBadInput(['train', '--train-csv', goodTest], /--train-csv and --test-csv go together/);
  assertBadInput(['fly'], /unknown command 'fly'/);
});

test('bad CSV files: one line naming the file and line, exit 2', () => {
  assertBadInput(['train', '--train-csv', join(tmp, 'missing.csv'), '--test-csv', goodTest], /missing\.csv: file not found/);
  assertBadInput(['train', '--train-csv', tmp, '--test-csv', goodTest], /scratchnet-cli-\w+: is a directory, expected a file/);
  // Unreadable for root too: a path through a regular file.
  assertBadInput(['train', '--train-csv', join(goodTest, 'x.csv'), '--test-csv', goodTest], /good_test\.csv\/x\.csv: cannot read \(ENOTDIR: not a directory\)/);
  const cases: [string, string[], RegExp, boolean?][] = [
    ['short_row.csv', [row(1), row(2, 0, 782)], /short_row\.csv:3: expected 785 values \(label \+ 784 pixels\), got 783/],
    ['pixel_256.csv', [row(1), row(2, 256)], /pixel_256\.csv:3, column 12: expected a pixel value 0–255, got "256"/],
    ['pixel_text.csv', [row(3, 'abc')], /pixel_text\.csv:2, column 12: expected a pixel value 0–255, got "abc"/],
    ['pixel_nan.csv', [row(3, 'NaN')], /pixel_nan\.csv:2, column 12: expected a pixel value 0–255, got "NaN"/],
    ['label_12.csv', [row(1), row(2), row(12)], /label_12\.csv:4, column 1: expected a label 0–9, got "12"/],
    ['no_header.csv', [row(1), row(2)], /no_header\.csv:1: expected a header row/, false],
  ];
  for (const [name, rows, pattern, header] of cases) {
    assertBadInput(['train', '--train-csv', csv(name, rows, header ?? true), '--test-csv', goodTest], pattern);
  }
  const empty = join(tmp, 'empty.csv');
  writeFileSync(empty, '');
  assertBadInput(['train', '--train-csv', empty, '--test-csv', goodTest], /empty\.csv: the file is empty/);
  // A bad test file is reported too.
  assertBadInput(['train', '--train-csv', goodTest, '--test-csv', csv('bad_test.csv', [row(10)])], /bad_test\.csv:2, column 1: expected a label 0–9, got "10"/);
});

test('bad IDX files: one line naming the file and byte offset, exit 2', () => {
  const paths = bundledMnistPaths();
  const makeDir = (name: string, damage: (bytes: Buffer) => Buffer): string => {
    const dir = join(tmp, name);
    mkdirSync(dir, { recursive: true });
    for (const p of Object.values(paths)) copyFileSync(p, join(dir, p.split('/').pop() as string));
    const labels = join(dir, 'train-labels-idx1-ubyte');
    writeFileSync(labels, damage(readFileSync(labels)));
    return dir;
  };
  const truncated = makeDir('truncated', (b) => b.subarray(0, 1000));
  assertBadInput(['train', '--idx-dir', truncated], /train-labels-idx1-ubyte: .*byte.*expected 60000 .*got 992/);
  const badMagic = makeDir('bad-magic', (b) => {
    const c = Buffer.from(b);
    c[0] = 0x50;
    return c;
  });
  assertBadInput(['train', '--idx-dir', badMagic], /train-labels-idx1-ubyte: byte 0: .*magic/);
  assertBadInput(['train', '--idx-dir', join(tmp, 'no-such-dir')], /no-such-dir\/train-images-idx3-ubyte: file not found/);
});

test('optimizer, regularisation and schedule flags train, and are validated', () => {
  const r = runCli(['train', '--subset', '3000', '--epochs', '2', '--optimizer', 'nesterov', '--schedule', 'cosine', '--warmup-epochs', '0.5', '--clip-norm', '5', '--weight-decay', '1e-4', '--dropout', '0.1', '--batch-norm', '--json', '--quiet', '--no-report', '--out', join(tmp, 'flags')]);
  assert.equal(r.code, 0, r.stderr);
  const history = JSON.parse(readFileSync(join(tmp, 'flags', 'history.json'), 'utf8')) as { settings: Record<string, unknown>; architecture: { kind: string }[] };
  assert.deepEqual(history.settings.optimizer, { name: 'sgd', lr: 0.01, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 1e-4 });
  assert.deepEqual(history.architecture.map((l) => l.kind), ['dense', 'batchnorm', 'relu', 'dropout', 'dense', 'batchnorm', 'relu', 'dropout', 'dense']);
  assert.ok((lastJson(r.stdout).testAccuracy as number) > 0.85);
  assertBadInput(['train', '--optimizer', 'lion'], /argument 'lion' is invalid\. Allowed choices are sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw/);
  assertBadInput(['train', '--momentum', '1.5'], /option '--momentum <m>' argument '1.5' is invalid\. expected a number in \[0, 1\)/);
  assertBadInput(['train', '--dropout', '1'], /option '--dropout <rate>' argument '1' is invalid\. expected a number in \[0, 1\)/);
  assertBadInput(['train', '--clip-norm', '0'], /option '--clip-norm <n>' argument '0' is invalid\. expected a positive number/);
  assertBadInput(['train', '--schedule', 'linear'], /argument 'linear' is invalid\. Allowed choices are constant, step, exponential, cosine/);
  assertBadInput(['train', '--early-stop', '0'], /option '--early-stop <patience>' argument '0' is invalid\. expected a positive integer/);
  assertBadInput(['train', '--optimizer', 'sgd', '--beta1', '0.5'], /--beta1 applies to --optimizer adam, adamw, not sgd/);
  assertBadInput(['train', '--weight-decay', '-1'], /option '--weight-decay <wd>' argument '-1' is invalid\. expected a number ≥ 0/);
});

test('--arch lenet5 trains LeNet-5 (44,426 params) and --arch cnn builds the recommended CNN (105,866), printing their shapes', () => {
  const out = join(tmp, 'lenet5');
  const r = runCli(['train', '--arch', 'lenet5', '--optimizer', 'adam', '--batch-size', '64', '--epochs', '1', '--subset', '2000', '--no-report', '--json', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Layer 0: Conv2D \(1 -> 6, 5×5\) +→ \[batch, 6, 24, 24\] +156 params/);
  assert.match(r.stdout, /Layer 6: Flatten +→ \[batch, 256\]/);
  assert.match(r.stdout, /Total: 44,426 params/);
  assert.ok((lastJson(r.stdout).testAccuracy as number) > 0.7, r.stdout);
  const evaluated = runCli(['evaluate', '--model', join(out, 'model.safetensors'), '--json']);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.equal(lastJson(evaluated.stdout).accuracy, lastJson(r.stdout).testAccuracy);
});

test('CNNs default to their recipes where those flags are not given (lenet5 and --layers: adam 1e-3, batch 64; cnn: adam 3e-3, batch 128, cosine); the mlp keeps the tutorial\'s', () => {
  const tiny = ['--layers', 'conv(2,5,s2),relu,flatten,dense(10)', '--epochs', '1', '--subset', '300', '--no-report'];
  const line = (args: string[]) => {
    const r = runCli(['train', ...args, '--out', join(tmp, `recipe-${args.join('').replace(/[^a-z0-9]/gi, '')}`)]);
    assert.equal(r.code, 0, r.stderr);
    return /Training on \d+ examples: .*/.exec(r.stdout)?.[0] ?? r.stdout;
  };
  assert.match(line(tiny), /batch 64, adam \(lr 0\.001, /);
  assert.match(line([...tiny, '--optimizer', 'sgd']), /batch 64, sgd \(lr 0\.1\)/);
  assert.match(line([...tiny, '--lr', '0.01', '--batch-size', '16']), /batch 16, adam \(lr 0\.01, /);
  assert.match(line(['--hidden', '8', '--epochs', '1', '--subset', '300', '--no-report']), /batch 32, sgd \(lr 0\.1\)/);
  // The cnn preset's own recipe, its cosine schedule in history.json.
  const out = join(tmp, 'recipe-cnn');
  const r = runCli(['train', '--arch', 'cnn', '--epochs', '1', '--subset', '300', '--no-report', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /batch 128, adam \(lr 0\.003, /);
  const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as { settings: { schedule: { kind: string } } };
  assert.equal(history.settings.schedule.kind, 'cosine');
});

test('--early-stop with LeNet-5: stops after the patience, keeps the best epoch\'s weights (those of checkpoints/best), scores them', () => {
  const out = join(tmp, 'lenet5-early');
  const r = runCli(['train', '--arch', 'lenet5', '--optimizer', 'sgd', '--lr', '0.3', '--subset', '400', '--val-split', '0.01', '--epochs', '10', '--early-stop', '1', '--no-report', '--quiet', '--json', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const summary = lastJson<{ epochs: number; valAccuracy: number[]; testAccuracy: number }>(r.stdout);
  const best = summary.valAccuracy.indexOf(Math.max(...summary.valAccuracy));
  assert.ok(summary.epochs < 10, `stopped early: ${JSON.stringify(summary.valAccuracy)}`);
  assert.equal(summary.epochs, best + 2, 'one epoch of patience after the best');
  const tensors = (path: string) => loadModel(path).model.params().map((p) => Array.from(p.value));
  const final = tensors(join(out, 'model.safetensors'));
  assert.deepEqual(final, tensors(join(out, 'checkpoints', 'best.safetensors')));
  assert.notDeepEqual(final, tensors(join(out, 'checkpoints', 'last.safetensors')), 'the last epoch\'s weights were not kept');
  const evaluated = runCli(['evaluate', '--model', join(out, 'model.safetensors'), '--json']);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.equal(lastJson(evaluated.stdout).accuracy, summary.testAccuracy);
});

test('the default thread count: two for a CNN or a 1024-unit layer where two cores are, one for the tutorial\'s MLP; said and in the JSON', () => {
  const two = Math.min(2, availableParallelism());
  for (const [args, threads] of [
    [[], 1],
    [['--hidden', '512,256'], 1],
    [['--hidden', '1024,16'], two],
    [['--hidden=64,2048'], two],
    [['--arch', 'lenet5'], two],
    [['--hidden', '1024,16', '--threads', '1'], 1],
  ] as const) {
    const r = runCli(['train', ...args, '--epochs', '1', '--subset', '100', '--no-report', '--json', '--out', join(tmp, `default-threads-${args.join('')}`)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Kernels: WebAssembly SIMD, ${threads} threads?$`, 'm'), args.join(' '));
    assert.deepEqual([lastJson<{ kernels: string }>(r.stdout).kernels, lastJson<{ threads: number }>(r.stdout).threads], ['wasm-simd', threads], args.join(' '));
  }
});

test('--fma: the products fuse their multiply-adds, said and in the JSON; the weights differ in the last bits only', () => {
  const job = ['--hidden', '256,128', '--epochs', '1', '--subset', '2000', '--no-report', '--json'];
  const run = (name: string, args: string[]) => {
    const out = join(tmp, name);
    const r = runCli(['train', ...job, ...args, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    return { r, summary: lastJson<{ fma: boolean; testAccuracy: number }>(r.stdout), weights: loadModel(join(out, 'model.safetensors')).model.params().map((p) => p.value) };
  };
  const plain = run('fma-off', []);
  const fused = run('fma-on', ['--fma']);
  assert.match(plain.r.stdout, /^Kernels: WebAssembly SIMD, 1 thread$/m);
  assert.match(fused.r.stdout, /^Kernels: WebAssembly SIMD with fused multiply-add, 1 thread$/m);
  assert.deepEqual([plain.summary.fma, fused.summary.fma], [false, true]);
  assert.notDeepEqual(fused.weights, plain.weights);
  fused.weights.forEach((w, i) => {
    let worst = 0;
    for (let j = 0; j < w.length; j++) worst = Math.max(worst, Math.abs(w[j] - plain.weights[i][j]));
    assert.ok(worst < 1e-3, `param ${i}: weights differ by up to ${worst}`);
  });
  assert.ok(Math.abs(fused.summary.testAccuracy - plain.summary.testAccuracy) <= 0.01, `${fused.summary.testAccuracy} vs ${plain.summary.testAccuracy}`);
});

test('--threads 2 trains LeNet-5 to the same weights as one thread; --threads 0 is one line', () => {
  const job = ['--arch', 'lenet5', '--epochs', '1', '--subset', '640', '--no-report'];
  const weights = (threads: number) => {
    const out = join(tmp, `threads-${threads}`);
    const r = runCli(['train', ...job, '--threads', String(threads), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    return loadModel(join(out, 'model.safetensors')).model.params().map((p) => Array.from(p.value));
  };
  assert.deepEqual(weights(2), weights(1));
  // Asked for threads where the environment keeps the kernel memory private: one line says so, and it trains on one.
  const r = runCli(['train', ...job, '--threads', '2', '--out', join(tmp, 'threads-private')], { env: { SCRATCHNET_THREADS: '1' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /--threads 2: running on 1 \(kernel threads need Node and a shared kernel memory: SCRATCHNET_THREADS=1/);
  assertBadInput(['train', '--threads', '0'], /option '--threads <n>' argument '0' is invalid\. expected a positive integer/);
});

test('a CNN checkpoint resumes bit-identically: 1 epoch then --resume to 2 ends as 2 at once', () => {
  const job = ['--layers', 'conv(4,5,s2),relu,maxpool(2),flatten,dense(10)', '--optimizer', 'adam', '--subset', '1500', '--no-report', '--quiet'];
  const whole = join(tmp, 'cnn-whole');
  const cut = join(tmp, 'cnn-cut');
  assert.equal(runCli(['train', ...job, '--epochs', '2', '--out', whole]).code, 0);
  assert.equal(runCli(['train', ...job, '--epochs', '1', '--out', cut]).code, 0);
  const resumed = runCli(['train', '--resume', cut, '--epochs', '2', '--quiet', '--no-report']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const weights = (dir: string) => loadModel(join(dir, 'model.safetensors')).model.params().map((p) => Array.from(p.value));
  assert.deepEqual(weights(cut), weights(whole));
  const a = JSON.parse(readFileSync(join(whole, 'history.json'), 'utf8')) as Record<string, unknown>;
  const b = JSON.parse(readFileSync(join(cut, 'history.json'), 'utf8')) as Record<string, unknown>;
  for (const key of ['batchLoss', 'trainLoss', 'valAccuracy', 'testAccuracy']) assert.deepEqual(b[key], a[key], key);
});

test('--arch and --layers mistakes are one line naming the flag and the layer, exit 2', () => {
  assertBadInput(['train', '--layers', 'conv(6,5),relu,maxpol(2)'], /^scratchnet: error: --layers: layer 3 \("maxpol\(2\)"\): unknown layer "maxpol", expected one of conv, maxpool/);
  assertBadInput(['train', '--layers', 'conv(6,5),dense(10)'], /--layers: layer 2 \("dense\(10\)"\): dense takes rows of features, got shape \[6, 24, 24\]: put flatten before it/);
  assertBadInput(['train', '--layers', 'conv(6)'], /--layers: layer 1 \("conv\(6\)"\): conv takes \(out channels, kernel size\), got 1 number/);
  assertBadInput(['train', '--layers', 'conv(6,40)'], /--layers: layer 1 \("conv\(6,40\)"\): Conv2D: expected input shape \[1, height, width\] of at least 40 × 40 pixels/);
  assertBadInput(['train', '--arch', 'lenet5', '--hidden', '128'], /--hidden shapes the mlp only; --arch lenet5 has its own layers/);
  assertBadInput(['train', '--arch', 'cnn', '--layers', 'flatten,dense(10)'], /give either --arch or --layers, not both/);
  assertBadInput(['train', '--arch', 'resnet'], /option '--arch <name>' argument 'resnet' is invalid/);
});

test('train --stats: history.json holds the records, the report draws "Inside the network"; --stats-every alone is one line', () => {
  const out = join(tmp, 'stats');
  const r = runCli(['train', '--dataset', 'xor', '--hidden', '8,8', '--activation', 'tanh', '--epochs', '10', '--stats', '--stats-every', '20', '--json', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as { batchLoss: number[]; stats: { every: number; steps: number[]; layers: { kind: string; saturated: number[] }[]; params: { updateRatio: number[] }[] } };
  // 720 points in batches of 32: 23 steps an epoch, 230 in all: records at 0, 20, …, 220.
  assert.equal(history.batchLoss.length, 230);
  assert.equal(history.stats.every, 20);
  assert.deepEqual(history.stats.steps, Array.from({ length: 12 }, (_, i) => 20 * i));
  assert.deepEqual(history.stats.layers.map((l) => l.kind), ['tanh', 'tanh']);
  assert.ok(history.stats.layers.every((l) => l.saturated.length === 12 && l.saturated.every((v) => v >= 0 && v <= 1)));
  assert.equal(history.stats.params.length, 3);
  assert.ok(history.stats.params.every((p) => p.updateRatio.every((v) => v > 0 && v < 1)));
  // The stats stay out of the model file's metadata (the history summary there is small).
  const { training } = loadModel(join(out, 'model.safetensors'));
  assert.equal((training as { history: Record<string, unknown> }).history.stats, undefined);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /<h2>\d+\. Inside the network<\/h2>/);
  assert.ok(html.includes('data-chart="activation-histograms"><svg') && html.includes('data-chart="inside-over-time"><svg'));
  assert.match(html, /Recorded every 20 training steps \(12 records, the first before any update\)/);
  // Without --stats nothing is recorded.
  const plain = runCli(['train', '--dataset', 'xor', '--hidden', '8,8', '--epochs', '2', '--quiet', '--no-report', '--out', join(tmp, 'no-stats')]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal((JSON.parse(readFileSync(join(tmp, 'no-stats', 'history.json'), 'utf8')) as { stats?: unknown }).stats, undefined);
  assertBadInput(['train', '--stats-every', '10'], /--stats-every spaces the records of --stats: give --stats too/);
  assertBadInput(['train', '--stats', '--stats-every', '0'], /option '--stats-every <steps>' argument '0' is invalid/);
});
