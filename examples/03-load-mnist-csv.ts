// Listing 3: load_mnist_from_csv(train_csv_path, test_csv_path, val_split=0.1).
//
// Reads the tutorial's mnist_train.csv and mnist_test.csv (header row, then
// `label,p1,…,p784`), scales the pixels to [0, 1] and holds out a random 10 %
// of the training rows for validation. If the folder has no CSVs yet, they are
// written from the bundled MNIST first, with `scratchnet data export-csv DIR`.
// Run:
//   npx tsx examples/03-load-mnist-csv.ts [csv-dir]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadMnistFromCsv } from 'scratchnet';

const csvDir = process.argv[2] ?? 'examples/data';
const trainCsv = join(csvDir, 'mnist_train.csv');
const testCsv = join(csvDir, 'mnist_test.csv');

if (!existsSync(trainCsv) || !existsSync(testCsv)) {
  // The `scratchnet` command of the installed package (its package.json `bin`).
  const pkgJson = createRequire(import.meta.url).resolve('scratchnet/package.json');
  const bin = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { bin: { scratchnet: string } }).bin.scratchnet;
  console.log(`No CSVs in ${csvDir}: running scratchnet data export-csv ${csvDir}`);
  const r = spawnSync(process.execPath, [join(dirname(pkgJson), bin), 'data', 'export-csv', csvDir], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

console.log('Loading training data...');
console.log('Loading test data...');
// valSplit 0.1 and seed 42, as the tutorial's np.random.seed(42).
const { train, val, test } = await loadMnistFromCsv(trainCsv, testCsv, 0.1, 42);

// A Dataset keeps the pixels as bytes (0–255, `x`) and the labels (`y`); the
// batches are scaled to [0, 1] when they are gathered for training, so the
// "divide by 255" of the tutorial happens there (see gatherBatch).
console.log(`Training data shape: (${train.count}, ${train.features})`);
console.log(`Training labels shape: (${train.y.length},)`);
console.log(`Validation data shape: (${val.count}, ${val.features})`);
console.log(`Validation labels shape: (${val.y.length},)`);
console.log(`Test data shape: (${test.count}, ${test.features})`);
console.log(`Test labels shape: (${test.y.length},)`);
