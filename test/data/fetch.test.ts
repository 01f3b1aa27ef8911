import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fetchMnist } from '../../src/data/fetch.js';
import { DataError } from '../../src/errors.js';
import { bundledMnistPaths } from '../../src/io/mnist.js';

// The four IDX files gzipped and served from 127.0.0.1, as the playground ships them.
let server: Server;
let base = '';
before(async () => {
  const p = bundledMnistPaths();
  const files = new Map(
    [p.trainImages, p.trainLabels, p.testImages, p.testLabels].map((path) => [`/mnist/${path.split('/').pop()}.gz`, gzipSync(readFileSync(path), { level: 1 })]),
  );
  server = createServer((req, res) => {
    const body = files.get(req.url ?? '');
    res.writeHead(body === undefined ? 404 : 200).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('fetchMnist reads the gzipped IDX files from a server', async () => {
  const { train, test } = await fetchMnist(`${base}/mnist`);
  assert.equal(train.count, 60000);
  assert.equal(test.count, 10000);
  assert.equal(train.features, 784);
  assert.equal(train.y[0], 5); // MNIST's first training label
  assert.equal(test.y[0], 7);
});

test('a missing file is a DataError naming its URL', async () => {
  await assert.rejects(
    () => fetchMnist(`${base}/nowhere/`),
    (err: unknown) => err instanceof DataError && /\/nowhere\/train-images-idx3-ubyte\.gz: HTTP 404/.test(err.message),
  );
});
