import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { ConfigError, DataError, ModelFileError } from '../../src/errors.js';
import { decodeModel, encodeModel, MAX_HEADER_BYTES, paramTensorNames, type TrainingTensor } from '../../src/io/model-file.js';
import { loadModel, saveModel } from '../../src/io/model-files.js';
import { tensor } from '../../src/kernels/tensor.js';
import { LeakyReLU, ReLU, Sigmoid, Tanh } from '../../src/layers/activations.js';
import { BatchNorm } from '../../src/layers/batchnorm.js';
import { Dense } from '../../src/layers/dense.js';
import { Dropout } from '../../src/layers/dropout.js';
import { Softmax } from '../../src/layers/softmax.js';
import { mlp } from '../../src/model/mlp.js';
import { Sequential, train } from '../../src/model/sequential.js';
import { SGD } from '../../src/optim/sgd.js';
import { Rng } from '../../src/rng.js';
import { VERSION } from '../../src/version.js';
import { randn } from '../support/gradcheck.js';
import { tempDir } from '../support/fixtures.js';

const tmp = tempDir();
after(() => tmp.remove());

/** A network using every activation, with odd sizes. */
function mixedNetwork(): Sequential {
  const rng = new Rng(3);
  return new Sequential(
    [
      new Dense(7, 5, { rng }),
      new Tanh(),
      new Dense(5, 4, { rng, init: 'glorot' }),
      new LeakyReLU(),
      new Dense(4, 3, { rng }),
      new Sigmoid(),
      new Dense(3, 2, { rng }),
    ],
    7,
  );
}

/**
 * A network with BatchNorm, Dropout and a final Softmax, trained a few steps
 * so that γ, β and the running statistics are far from their initial values.
 */
function normNetwork(): Sequential {
  const rng = new Rng(4);
  const model = new Sequential(
    [
      new Dense(7, 6, { rng }),
      new BatchNorm(6, { momentum: 0.3 }),
      new ReLU(),
      new Dropout(0.3, { rng: 5 }),
      new Dense(6, 4, { rng }),
      new BatchNorm(4, { eps: 1e-3 }),
      new Tanh(),
      new Dense(4, 3, { rng }),
      new Softmax(),
    ],
    7,
  );
  const x = { data: randn(rng, 16 * 7, 2).map((v, i) => v + (i % 7)), shape: [16, 7] };
  const y = Array.from({ length: 16 }, (_, i) => i % 3);
  const sgd = new SGD({ lr: 0.1 });
  for (let step = 0; step < 5; step++) train(model, x, y, sgd);
  return model;
}

/** A tiny model with a BatchNorm: 3 → 2 (24 + 8 bytes), batchnorm(2) (4 × 8 bytes), 2 → 2 (16 + 8 bytes). */
const tinyNorm = (): Sequential => new Sequential([new Dense(3, 2, { rng: new Rng(5) }), new BatchNorm(2), new Dense(2, 2, { rng: new Rng(6) })], 3);

/** A tiny network whose file is mostly header, for the corruption properties. */
const tiny = (): Sequential => mlp({ inputUnits: 3, hidden: [2], outputUnits: 2, rng: 5 });

/** The parts of a safetensors file, parsed by hand (what any reader does). */
function parseByHand(bytes: Uint8Array): { headerLength: number; header: Record<string, any>; dataStart: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, any>;
  return { headerLength, header, dataStart: 8 + headerLength };
}

/** A safetensors file from a header object and a data section (the header padded to 8 bytes, like encodeModel). */
function buildFile(header: unknown, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + data.length).fill(0x20, 8, 8 + headerLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.set(data, 8 + headerLength);
  return out;
}

/** A valid file of `model`, re-assembled after `mutate` edits its header object or data. */
function rewrite(model: Sequential, mutate: (header: Record<string, any>, data: Uint8Array) => Uint8Array | void): Uint8Array {
  const bytes = encodeModel(model);
  const { header, dataStart } = parseByHand(bytes);
  const data = bytes.slice(dataStart);
  return buildFile(header, mutate(header, data) ?? data);
}

/** Asserts that decoding `bytes` as `file` throws a ModelFileError with exactly `message` (or matching it). */
function rejects(bytes: Uint8Array, message: string | RegExp, file = 'bad.safetensors'): void {
  assert.throws(
    () => decodeModel(bytes, file),
    (err: unknown) => {
      assert.ok(err instanceof ModelFileError, `expected a ModelFileError, got ${String(err)}`);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    },
  );
}

/** The float32 values as their bit patterns, so -0, subnormals and every bit are compared. */
const bits = (values: Float32Array): Uint32Array => new Uint32Array(values.slice().buffer);

/** SHA-256 of float32 values written little-endian. */
function sha256Le(values: Float32Array): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return createHash('sha256').update(bytes).digest('hex');
}

function assertSameModel(actual: Sequential, expected: Sequential): void {
  assert.deepEqual(actual.config(), expected.config());
  assert.equal(actual.inputUnits, expected.inputUnits);
  assert.equal(actual.params().length, expected.params().length);
  actual.params().forEach((p, i) => {
    const q = expected.params()[i];
    assert.equal(p.name, q.name);
    assert.deepEqual(p.shape, q.shape);
    assert.deepEqual(bits(p.value), bits(q.value), `param ${i} (${p.name}) differs`);
  });
  assert.equal(actual.buffers().length, expected.buffers().length);
  actual.buffers().forEach((b, i) => {
    const c = expected.buffers()[i];
    assert.equal(b.name, c.name);
    assert.deepEqual(b.shape, c.shape);
    assert.deepEqual(bits(b.value), bits(c.value), `buffer ${i} (${b.name}) differs`);
  });
}

// --- Round trip -----------------------------------------------------------

test('round trip is bit-identical: params, architecture, metadata and predictions', () => {
  const withSpecials = mlp({ inputUnits: 5, hidden: [4], outputUnits: 3, rng: 9 });
  // Values that a sloppy encoder would lose: −0, a subnormal, the extremes of float32.
  withSpecials.params()[1].value.set([-0, 1e-45, 3.4028234663852886e38, -1.1754943508222875e-38]);
  const models: [string, Sequential][] = [
    ['mlp()', mlp()],
    ['tanh / leaky-relu / sigmoid', mixedNetwork()],
    ['batchnorm / dropout / softmax', normNetwork()],
    ['no hidden layers', mlp({ hidden: [], rng: 2 })],
    ['special values', withSpecials],
  ];
  for (const [what, model] of models) {
    const training = { settings: { epochs: 3, lr: 0.1 }, history: { loss: [2.3, 0.4], valAccuracy: [0.9, 0.95] }, what };
    const decoded = decodeModel(encodeModel(model, training), `${what}.safetensors`);
    assertSameModel(decoded.model, model);
    assert.deepEqual(decoded.training, training);
    assert.deepEqual(decoded.metadata, {
      format: 'scratchnet',
      version: VERSION,
      architecture: JSON.stringify({ inputUnits: model.inputUnits, layers: model.config() }),
      training: JSON.stringify(training),
    });
    const x = tensor(randn(new Rng(1), 6 * model.inputUnits), [6, model.inputUnits]);
    const expected = model.forward(x).data.slice();
    assert.deepEqual(bits(decoded.model.forward(x).data), bits(expected), `${what}: logits differ`);
  }
  // Without training info there is no training key.
  const plain = decodeModel(encodeModel(tiny()));
  assert.equal(plain.training, undefined);
  assert.deepEqual(Object.keys(plain.metadata), ['format', 'version', 'architecture']);
});

test('decoding does not need an aligned buffer and does not alias the input', () => {
  const model = mixedNetwork();
  const bytes = encodeModel(model);
  for (const shift of [1, 2, 3]) {
    const backing = new Uint8Array(bytes.length + shift);
    backing.set(bytes, shift);
    const decoded = decodeModel(backing.subarray(shift));
    assertSameModel(decoded.model, model);
    backing.fill(0);
    assertSameModel(decoded.model, model);
  }
});

test('the header is standard safetensors: names, dtype, shapes, contiguous offsets, 8-byte aligned data', () => {
  const model = mlp();
  const bytes = encodeModel(model);
  const { headerLength, header, dataStart } = parseByHand(bytes);
  assert.equal(dataStart % 8, 0);
  assert.equal(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)).trimEnd(), JSON.stringify(header)); // padding is spaces
  assert.equal(bytes[8], '{'.charCodeAt(0));
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  assert.deepEqual(names, ['layers.0.weight', 'layers.0.bias', 'layers.2.weight', 'layers.2.bias', 'layers.4.weight', 'layers.4.bias']);
  const shapes = [[784, 64], [64], [64, 32], [32], [32, 10], [10]];
  let offset = 0;
  names.forEach((name, i) => {
    assert.deepEqual(Object.keys(header[name]).sort(), ['data_offsets', 'dtype', 'shape']);
    assert.equal(header[name].dtype, 'F32');
    assert.deepEqual(header[name].shape, shapes[i]);
    const size = 4 * shapes[i].reduce((a, b) => a * b, 1);
    assert.deepEqual(header[name].data_offsets, [offset, offset + size], name);
    offset += size;
  });
  assert.equal(dataStart + offset, bytes.length);
  const meta = header.__metadata__ as Record<string, unknown>;
  assert.ok(Object.values(meta).every((v) => typeof v === 'string'));
  assert.equal(meta.format, 'scratchnet');
  assert.equal(meta.version, VERSION);
  assert.deepEqual(JSON.parse(meta.architecture as string), {
    inputUnits: 784,
    layers: [
      { kind: 'dense', inputUnits: 784, outputUnits: 64, init: 'he' },
      { kind: 'relu' },
      { kind: 'dense', inputUnits: 64, outputUnits: 32, init: 'he' },
      { kind: 'relu' },
      { kind: 'dense', inputUnits: 32, outputUnits: 10, init: 'he' },
    ],
  });
  // Little-endian float32, row-major W[i][j] at i·outputUnits + j.
  const view = new DataView(bytes.buffer);
  const w = model.params()[0].value;
  for (const k of [0, 1, 64, 784 * 64 - 1]) assert.equal(view.getFloat32(dataStart + 4 * k, true), w[k]);
  const b4 = model.params()[5].value;
  assert.equal(view.getFloat32(dataStart + header['layers.4.bias'].data_offsets[0] + 4 * 9, true), b4[9]);
});

test('BatchNorm and Dropout round trip: params and running statistics bit-identical, same inference outputs', () => {
  const model = normNetwork();
  const bytes = encodeModel(model);
  const { header } = parseByHand(bytes);
  assert.deepEqual(Object.keys(header).filter((k) => k !== '__metadata__'), [
    'layers.0.weight', 'layers.0.bias',
    'layers.1.gamma', 'layers.1.beta', 'layers.1.runningMean', 'layers.1.runningVar',
    'layers.4.weight', 'layers.4.bias',
    'layers.5.gamma', 'layers.5.beta', 'layers.5.runningMean', 'layers.5.runningVar',
    'layers.7.weight', 'layers.7.bias',
  ]);
  assert.deepEqual(header['layers.5.runningVar'].shape, [4]);
  const decoded = decodeModel(bytes).model;
  assertSameModel(decoded, model);
  // The running statistics really moved (trained), so the comparison means something.
  const bn = model.layers[1] as BatchNorm;
  assert.ok(bn.runningMean.value.some((v) => Math.abs(v) > 0.1) && bn.runningVar.value.some((v) => Math.abs(v - 1) > 0.1));
  assert.deepEqual(decoded.config(), model.config());
  const x = tensor(randn(new Rng(2), 40 * 7, 2), [40, 7]);
  assert.equal(decoded.training, false);
  assert.deepEqual(bits(decoded.forward(x).data), bits(model.forward(x).data.slice()));
  assert.deepEqual(decoded.predict(x), model.predict(x));
});

// --- Any safetensors reader can read it -----------------------------------

const python = (code: string): boolean => spawnSync('python3', ['-c', code], { encoding: 'utf8' }).status === 0;
const hasSafetensors = python('import safetensors, numpy');
const hasNumpy = python('import numpy');

/** Python code (after `tensors`, `metadata` are loaded) that prints what the test compares. */
const pythonReport = `
import hashlib, json
import numpy as np
arch = json.loads(metadata["architecture"])
x = (np.arange(arch["inputUnits"] * 2, dtype=np.float32).reshape(2, -1) % 17 - 8) / np.float32(8)
for i, layer in enumerate(arch["layers"]):
    kind = layer["kind"]
    if kind == "dense": x = x @ tensors[f"layers.{i}.weight"] + tensors[f"layers.{i}.bias"]
    elif kind == "relu": x = np.maximum(x, 0)
    elif kind == "tanh": x = np.tanh(x)
    elif kind == "sigmoid": x = 1 / (1 + np.exp(-x))
    elif kind == "leaky-relu": x = np.where(x > 0, x, np.float32(0.1) * x)
    elif kind == "batchnorm":
        t = lambda name: tensors[f"layers.{i}.{name}"]
        x = (x - t("runningMean")) / np.sqrt(t("runningVar") + layer["eps"]) * t("gamma") + t("beta")
    elif kind == "softmax":
        e = np.exp(x - x.max(axis=1, keepdims=True))
        x = e / e.sum(axis=1, keepdims=True)
print(json.dumps({
    "metadata": metadata,
    "tensors": {k: {"dtype": str(t.dtype), "shape": list(t.shape), "sha256": hashlib.sha256(t.astype("<f4").tobytes()).hexdigest()} for k, t in tensors.items()},
    "logits": x.astype(np.float64).tolist(),
}))
`;

/** Reads `path` with the given Python loader and checks it saw exactly `model`. */
function checkPythonReads(model: Sequential, path: string, loader: string): void {
  const r = spawnSync('python3', ['-c', loader + pythonReport, path], { encoding: 'utf8', maxBuffer: 16 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout) as { metadata: Record<string, string>; tensors: Record<string, { dtype: string; shape: number[]; sha256: string }>; logits: number[][] };
  assert.deepEqual(seen.metadata, decodeModel(readFileSync(path)).metadata);
  const expected: Record<string, { dtype: string; shape: number[]; sha256: string }> = {};
  model.layers.forEach((layer, i) => {
    for (const p of [...layer.params(), ...(layer.buffers?.() ?? [])]) {
      expected[`layers.${i}.${p.name}`] = { dtype: 'float32', shape: [...p.shape], sha256: sha256Le(p.value) };
    }
  });
  assert.deepEqual(seen.tensors, expected);
  // The weights mean the same thing to numpy: [inputUnits, outputUnits], row-major.
  const x = new Float32Array(2 * model.inputUnits).map((_, k) => ((k % 17) - 8) / 8);
  const logits = model.forward(tensor(x, [2, model.inputUnits])).data;
  seen.logits.flat().forEach((v, k) => assert.ok(Math.abs(v - logits[k]) <= 1e-4 * (1 + Math.abs(logits[k])), `logit ${k}: numpy ${v}, scratchnet ${logits[k]}`));
}

test("Python's safetensors library reads the file", { skip: hasSafetensors ? false : 'python3 with the safetensors and numpy modules is not installed' }, () => {
  for (const [name, model] of [['mlp.safetensors', mlp()], ['mixed.safetensors', mixedNetwork()], ['norm.safetensors', normNetwork()]] as const) {
    const path = join(tmp.dir, name);
    saveModel(model, path, { epochs: 1 });
    const loader = `
import sys
from safetensors import safe_open
with safe_open(sys.argv[1], framework="numpy") as f:
    metadata = f.metadata()
    tensors = {k: f.get_tensor(k) for k in f.keys()}
`;
    checkPythonReads(model, path, loader);
  }
});

test('a plain json + struct + numpy script reads the file (no safetensors library)', { skip: hasNumpy ? false : 'python3 with numpy is not installed' }, () => {
  for (const [name, model] of [['mlp-np.safetensors', mlp()], ['mixed-np.safetensors', mixedNetwork()], ['norm-np.safetensors', normNetwork()]] as const) {
    const path = join(tmp.dir, name);
    saveModel(model, path, { epochs: 1 });
    const loader = `
import json, struct, sys
import numpy as np
raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n].decode("utf-8"))
metadata = header.pop("__metadata__")
body = raw[8 + n:]
tensors = {}
for k, v in header.items():
    assert v["dtype"] == "F32", v
    b, e = v["data_offsets"]
    tensors[k] = np.frombuffer(body[b:e], dtype="<f4").reshape(v["shape"])
`;
    checkPythonReads(model, path, loader);
  }
});

// --- Hostile input: the length and the header -----------------------------

test('hostile: a file too short for the header length', () => {
  rejects(new Uint8Array(5), 'bad.safetensors: byte 0: file too short for the safetensors header length (u64), expected at least 8 bytes, got 5');
  rejects(new Uint8Array(0), /^bad\.safetensors: byte 0: .*expected at least 8 bytes, got 0$/, 'bad.safetensors');
});

test('hostile: the header length is bounded before anything is allocated', () => {
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 2n ** 64n - 1n, true);
  rejects(huge, `bad.safetensors: byte 0: header length too large, expected at most ${MAX_HEADER_BYTES} bytes, got 18446744073709551615`);
  new DataView(huge.buffer).setBigUint64(0, BigInt(MAX_HEADER_BYTES + 1), true);
  rejects(huge, `bad.safetensors: byte 0: header length too large, expected at most 16777216 bytes, got 16777217`);
  new DataView(huge.buffer).setBigUint64(0, 9n, true);
  rejects(huge, 'bad.safetensors: byte 0: header length runs past the end of the file, expected at most 8 bytes, got 9');
  // A truncated valid file: the header length promises more than is there.
  const valid = encodeModel(tiny());
  rejects(valid.subarray(0, 40), /^bad\.safetensors: byte 0: header length runs past the end of the file, expected at most 32 bytes, got \d+$/);
});

test('hostile: the header must be UTF-8 (the bad byte is named)', () => {
  const header = (raw: number[]): Uint8Array => {
    const out = new Uint8Array(8 + raw.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(raw.length), true);
    out.set(raw, 8);
    return out;
  };
  const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
  rejects(header([...ascii('{"a'), 0xff, ...ascii('":1}')]), 'bad.safetensors: byte 11: header is not valid UTF-8, expected UTF-8 JSON text, got byte 0xff');
  rejects(header([...ascii('{"'), 0xc0, 0xaf, ...ascii('":1}')]), /^bad\.safetensors: byte 10: .*got byte 0xc0$/); // overlong '/'
  rejects(header([...ascii('{"'), 0xed, 0xa0, 0x80, ...ascii('":1}')]), /^bad\.safetensors: byte 11: .*got byte 0xa0$/); // a UTF-16 surrogate
  rejects(header([...ascii('{"'), 0xf4, 0x90, 0x80, 0x80, ...ascii('":1}')]), /^bad\.safetensors: byte 11: .*got byte 0x90$/); // above U+10FFFF
  rejects(header([...ascii('{"a":"'), 0xe2, 0x82]), /^bad\.safetensors: byte 14: .*got byte 0xe2$/); // cut short at the end
  // Valid multi-byte UTF-8 passes this check (and fails later, as JSON here).
  rejects(header([...new TextEncoder().encode('{"é€😀":')]), /^bad\.safetensors: byte \d+: header is not valid JSON/);
});

test('hostile: the header must be a JSON object (the byte is named where the parser says)', () => {
  const withHeader = (text: string): Uint8Array => {
    const json = new TextEncoder().encode(text);
    const out = new Uint8Array(8 + json.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    return out;
  };
  // (The text after "got" is the JavaScript engine's own message.)
  rejects(withHeader('{"a":1'), /^bad\.safetensors: byte 14: header is not valid JSON, expected a JSON object, got .*position 6$/);
  rejects(withHeader('{"é€":1'), /^bad\.safetensors: byte 18: header is not valid JSON/); // position 7 (UTF-16 units) is byte 10 of the header
  rejects(withHeader(''), /^bad\.safetensors: byte 8: header is not valid JSON, expected a JSON object, got \S/);
  rejects(withHeader('\ufeff{}'), /^bad\.safetensors: byte 8: header is not valid JSON/); // a byte-order mark is not JSON
  rejects(withHeader('{"a":"\u0001"}'), /^bad\.safetensors: byte 14: header is not valid JSON, expected a JSON object, got Bad control character/);
  rejects(withHeader('[1, 2]'), 'bad.safetensors: byte 8: header is not a JSON object, expected {"__metadata__": {…}, "<tensor>": {…}, …}, got [1,2]');
  rejects(withHeader('null'), /^bad\.safetensors: byte 8: header is not a JSON object, .*got null$/);
  rejects(withHeader('"model"'), /^bad\.safetensors: byte 8: header is not a JSON object, .*got "model"$/);
});

test('hostile: __metadata__ must say this is a scratchnet model', () => {
  const model = tiny();
  rejects(
    rewrite(model, (h) => void delete h.__metadata__),
    'bad.safetensors: header: "__metadata__", expected an object of strings with format "scratchnet", got nothing',
  );
  rejects(rewrite(model, (h) => void (h.__metadata__ = ['scratchnet'])), /^bad\.safetensors: header: "__metadata__", .*got \["scratchnet"\]$/);
  rejects(rewrite(model, (h) => void (h.__metadata__.epochs = 3)), 'bad.safetensors: header: __metadata__.epochs, expected a string, got 3');
  rejects(rewrite(model, (h) => void (h.__metadata__.format = 'pt')), 'bad.safetensors: __metadata__.format: not a scratchnet model file, expected "scratchnet", got "pt"');
  rejects(rewrite(model, (h) => void delete h.__metadata__.format), /__metadata__\.format: not a scratchnet model file, expected "scratchnet", got nothing$/);
  rejects(rewrite(model, (h) => void delete h.__metadata__.architecture), 'bad.safetensors: __metadata__.architecture: missing, expected a string, got nothing');
  rejects(rewrite(model, (h) => void delete h.__metadata__.version), 'bad.safetensors: __metadata__.version: missing, expected a string, got nothing');
  // Extra metadata is allowed and returned (safetensors metadata is free-form).
  const extra = decodeModel(rewrite(model, (h) => void (h.__metadata__.note = 'hi')));
  assert.equal(extra.metadata.note, 'hi');
});

// --- Hostile input: tensor entries and layout -----------------------------

test('hostile: every tensor entry is {dtype: "F32", shape: int[], data_offsets: [int, int]}', () => {
  const model = tiny();
  const at = 'bad.safetensors: header: tensor "layers.0.weight"';
  const entry = (edit: (t: Record<string, any>) => void) => rewrite(model, (h) => void edit(h['layers.0.weight']));
  for (const dtype of ['F64', 'F16', 'BF16', 'I32', 'f32']) {
    rejects(entry((t) => void (t.dtype = dtype)), `${at}: unsupported dtype, expected "F32", got "${dtype}"`);
  }
  rejects(entry((t) => void delete t.dtype), `${at}: unsupported dtype, expected "F32", got nothing`);
  rejects(rewrite(model, (h) => void (h['layers.0.weight'] = [1])), `${at}: expected an object {"dtype", "shape", "data_offsets"}, got [1]`);
  rejects(entry((t) => void (t.extra = 1)), `${at}: unexpected key, expected only "dtype", "shape", "data_offsets", got "extra"`);
  rejects(entry((t) => void (t.shape = [3, -2])), `${at}: shape, expected an array of non-negative integers, got [3,-2]`);
  rejects(entry((t) => void (t.shape = [3, 2.5])), `${at}: shape, expected an array of non-negative integers, got [3,2.5]`);
  rejects(entry((t) => void (t.shape = '3x2')), `${at}: shape, expected an array of non-negative integers, got "3x2"`);
  rejects(entry((t) => void (t.data_offsets = [0])), `${at}: data_offsets, expected [begin, end] with integers 0 ≤ begin ≤ end, got [0]`);
  rejects(entry((t) => void (t.data_offsets = [24, 0])), `${at}: data_offsets, expected [begin, end] with integers 0 ≤ begin ≤ end, got [24,0]`);
  rejects(entry((t) => void (t.data_offsets = [0, '24'])), `${at}: data_offsets, expected [begin, end] with integers 0 ≤ begin ≤ end, got [0,"24"]`);
  rejects(entry((t) => void (t.data_offsets = [0, 1e300])), /data_offsets, expected \[begin, end\] with integers 0 ≤ begin ≤ end, got \[0,1e\+300\]$/);
  // The tensor named in the message is printed safely, whatever its name.
  rejects(rewrite(model, (h) => void (h['evil\u001b[31m'] = 5)), 'bad.safetensors: header: tensor "evil\\u001b[31m": expected an object {"dtype", "shape", "data_offsets"}, got 5');
});

test('hostile: offsets must lie in the data section and match the shape', () => {
  const model = tiny(); // 3→2 (24 + 8 bytes), relu, 2→2 (16 + 8 bytes): 56 data bytes
  rejects(
    rewrite(model, (h) => void (h['layers.2.bias'].data_offsets = [48, 60])),
    'bad.safetensors: header: tensor "layers.2.bias": data_offsets end past the end of the data section (a truncated file?), expected at most 56, got 60',
  );
  rejects(
    rewrite(model, (h) => void (h['layers.0.weight'].data_offsets = [0, 20])),
    'bad.safetensors: header: tensor "layers.0.weight": data_offsets [0, 20] length, expected 24 bytes (4 × 6 values of shape [3, 2]), got 20',
  );
  rejects(
    rewrite(model, (h) => void (h['layers.0.weight'].shape = [3, 3])),
    'bad.safetensors: header: tensor "layers.0.weight": data_offsets [0, 24] length, expected 36 bytes (4 × 9 values of shape [3, 3]), got 24',
  );
  rejects(
    rewrite(model, (h) => void (h['layers.0.weight'].shape = [2 ** 40, 2 ** 40])),
    /data_offsets \[0, 24\] length, expected 4\.835703278458517e\+24 bytes/,
  );
});

test('hostile: tensors must tile the data section: no overlap, no gap, no trailing bytes', () => {
  const model = tiny();
  const headerEnd = (bytes: Uint8Array) => parseByHand(bytes).dataStart;
  const overlap = rewrite(model, (h) => {
    h['layers.0.bias'].data_offsets = [20, 28];
    h['layers.2.weight'].data_offsets = [28, 44];
    h['layers.2.bias'].data_offsets = [44, 52];
  }); // also leaves 4 trailing bytes, but the overlap comes first
  rejects(overlap, `bad.safetensors: byte ${headerEnd(overlap) + 20}: tensor "layers.0.bias" overlaps tensor "layers.0.weight", expected its data to begin at offset 24, got 20`);
  const gap = rewrite(model, (h, data) => {
    h['layers.2.weight'].data_offsets = [36, 52];
    h['layers.2.bias'].data_offsets = [52, 60];
    const wider = new Uint8Array(60);
    wider.set(data.subarray(0, 32));
    wider.set(data.subarray(32), 36);
    return wider;
  });
  rejects(gap, `bad.safetensors: byte ${headerEnd(gap) + 32}: 4 bytes belong to no tensor (a gap before tensor "layers.2.weight"), expected its data to begin at offset 32, got 36`);
  const trailing = rewrite(model, (_, data) => Uint8Array.from([...data, 0, 0, 0, 0, 0]));
  const end = headerEnd(trailing) + 56;
  rejects(trailing, `bad.safetensors: byte ${end}: 5 trailing bytes belong to no tensor, expected the file to end at byte ${end}, got ${end + 5} bytes`);
  // Two names for the same bytes are an overlap too.
  const alias = rewrite(model, (h) => void (h['layers.0.alias'] = { ...h['layers.0.weight'] }));
  rejects(alias, /^bad\.safetensors: byte \d+: tensor "layers\.0\.(alias|weight)" overlaps tensor "layers\.0\.(alias|weight)", expected its data to begin at offset 24, got 0$/);
  // Tensors listed out of order are fine as long as they tile the data.
  const shuffled = rewrite(model, (h) => {
    const { __metadata__, ...tensors } = h;
    for (const k of Object.keys(h)) delete h[k];
    for (const k of Object.keys(tensors).reverse()) h[k] = tensors[k];
    h.__metadata__ = __metadata__;
  });
  assertSameModel(decodeModel(shuffled).model, model);
});

// --- Hostile input: the architecture and the tensors it needs -------------

test('hostile: the architecture is parsed as JSON and validated', () => {
  const model = tiny();
  const arch = (text: string) => rewrite(model, (h) => void (h.__metadata__.architecture = text));
  rejects(arch('{"inputUnits": 3,'), /^bad\.safetensors: __metadata__\.architecture: not valid JSON, expected \{"inputUnits", "layers"\}, got /);
  rejects(
    arch('{"inputUnits": 3, "layers": [{"kind": "lstm"}]}'),
    'bad.safetensors: __metadata__.architecture: layers[0].kind: unknown layer kind, expected one of "dense", "sigmoid", "relu", "tanh", "leaky-relu", "linear", "softmax", "dropout", "batchnorm", "conv2d", "maxpool2d", "avgpool2d", "flatten", "standardize", got "lstm"',
  );
  rejects(
    arch('{"inputUnits": 3, "layers": [{"kind": "dense", "inputUnits": 3, "outputUnits": 2.5}]}'),
    'bad.safetensors: __metadata__.architecture: layers[0].outputUnits: expected a positive integer, got 2.5',
  );
  const mismatch = JSON.stringify({ inputUnits: 3, layers: [{ kind: 'dense', inputUnits: 3, outputUnits: 2 }, { kind: 'relu' }, { kind: 'dense', inputUnits: 1, outputUnits: 2 }] });
  rejects(arch(mismatch), 'bad.safetensors: __metadata__.architecture: layers[2]: Dense: expected input shape [1], got [2]');
  // A few bytes of header must not make the reader allocate gigabytes.
  const huge = JSON.stringify({ inputUnits: 100000, layers: [{ kind: 'dense', inputUnits: 100000, outputUnits: 100000 }] });
  rejects(arch(huge), 'bad.safetensors: __metadata__.architecture: too many parameter values, expected at most 1048590, got 10000100000');
  rejects(
    rewrite(model, (h) => void (h.__metadata__.training = '{epochs: 3}')),
    /^bad\.safetensors: __metadata__\.training: not valid JSON, expected JSON, got /,
  );
});

test('hostile: the tensors are exactly the params the architecture needs, with its shapes', () => {
  const model = tiny();
  rejects(
    rewrite(model, (h, data) => {
      delete h['layers.2.bias'];
      return data.subarray(0, 48);
    }),
    'bad.safetensors: missing tensor "layers.2.bias" (the bias of layer 2, dense), expected shape [2], got nothing',
  );
  rejects(
    rewrite(model, (h, data) => {
      h['layers.1.weight'] = { dtype: 'F32', shape: [1], data_offsets: [56, 60] };
      return Uint8Array.from([...data, 0, 0, 0, 0]);
    }),
    'bad.safetensors: unexpected tensor "layers.1.weight", expected only the architecture\'s params and buffers (layers.0.weight, layers.0.bias, layers.2.weight, layers.2.bias), got "layers.1.weight"',
  );
  rejects(
    rewrite(model, (h) => void (h['layers.0.weight'].shape = [2, 3])),
    'bad.safetensors: tensor "layers.0.weight": wrong shape, expected [3, 2], got [2, 3]',
  );
  rejects(rewrite(model, (h) => void (h['layers.0.bias'].shape = [2, 1])), 'bad.safetensors: tensor "layers.0.bias": wrong shape, expected [2], got [2, 1]');
  // A name that is special to JavaScript objects is just an unexpected tensor.
  rejects(
    rewrite(model, (h, data) => {
      // (defineProperty: plain assignment to __proto__ would set the prototype instead.)
      Object.defineProperty(h, '__proto__', { value: { dtype: 'F32', shape: [], data_offsets: [56, 60] }, enumerable: true, writable: true, configurable: true });
      return Uint8Array.from([...data, 0, 0, 0, 0]);
    }),
    /^bad\.safetensors: unexpected tensor "__proto__", /,
  );
});

// --- A checkpoint's training tensors ---------------------------------------

/** A checkpoint's tensors for `model`: buffers of slots m and v for every param, and a batchLoss history. */
function trainingTensorsOf(model: Sequential): TrainingTensor[] {
  const rng = new Rng(8);
  const names = paramTensorNames(model);
  const tensors: TrainingTensor[] = [];
  for (const slot of ['m', 'v']) {
    model.params().forEach((p, k) => tensors.push({ name: `optimizer.${slot}.${names[k]}`, shape: p.shape, values: Float32Array.from(randn(rng, p.value.length)) }));
  }
  // Doubles that float32 would round, and extremes.
  tensors.push({ name: 'history.batchLoss', shape: [5], values: Float64Array.from([2.302585092994046, 0.1, 1 / 3, 1e-300, -0]) });
  return tensors;
}

test('training tensors round trip bit for bit beside the model, which loads as before', () => {
  for (const model of [tiny(), normNetwork()]) {
    const tensors = trainingTensorsOf(model);
    const decoded = decodeModel(encodeModel(model, { epochs: 2 }, tensors), 'ckpt.safetensors');
    assertSameModel(decoded.model, model);
    assert.deepEqual([...decoded.trainingTensors.keys()], tensors.map((t) => t.name));
    for (const t of tensors) {
      const got = decoded.trainingTensors.get(t.name);
      assert.ok(got !== undefined && got.constructor === t.values.constructor, t.name);
      assert.deepEqual(new Uint8Array(got.buffer), new Uint8Array(t.values.slice().buffer), t.name);
    }
  }
  assert.equal(decodeModel(encodeModel(tiny())).trainingTensors.size, 0);
  // The names follow the model's params, BatchNorm's γ and β included, in order.
  assert.deepEqual(paramTensorNames(tinyNorm()), ['layers.0.weight', 'layers.0.bias', 'layers.1.gamma', 'layers.1.beta', 'layers.2.weight', 'layers.2.bias']);
});

test('encodeModel refuses a training tensor that its decoder would reject', () => {
  const model = tiny();
  const bad = (t: TrainingTensor) => assert.throws(() => encodeModel(model, undefined, [t]), (err: unknown) => err instanceof ConfigError && err.message.includes(`"${t.name}"`));
  bad({ name: 'optimizer.m.layers.0.weight', shape: [2, 3], values: new Float32Array(6) }); // the param is [3, 2]
  bad({ name: 'optimizer.m.layers.1.weight', shape: [1], values: new Float32Array(1) }); // layer 1 is a ReLU
  bad({ name: 'optimizer.m.layers.0.bias', shape: [2], values: new Float64Array(2) });
  bad({ name: 'history.batchLoss', shape: [2], values: new Float32Array(2) });
  bad({ name: 'history.batchLoss', shape: [3], values: new Float64Array(2) });
  bad({ name: 'momentum', shape: [1], values: new Float32Array(1) });
  const twice: TrainingTensor = { name: 'optimizer.m.layers.0.bias', shape: [2], values: new Float32Array(2) };
  assert.throws(() => encodeModel(model, undefined, [twice, twice]), /^ConfigError: encodeModel: tensor "optimizer\.m\.layers\.0\.bias" given twice$/);
});

test('hostile: training tensors must fit the model: names of its params, their shapes, F32 / F64, finite values', () => {
  const model = tinyNorm(); // 88 data bytes of model tensors
  const with1 = (name: string, entry: Record<string, unknown>, bytes: number[]) =>
    rewrite(model, (h, data) => {
      h[name] = entry;
      return Uint8Array.from([...data, ...bytes]);
    });
  const f32 = (...values: number[]) => [...new Uint8Array(Float32Array.from(values).buffer)];
  const f64 = (...values: number[]) => [...new Uint8Array(Float64Array.from(values).buffer)];
  // Well formed, for contrast.
  assert.deepEqual([...decodeModel(with1('optimizer.m.layers.0.bias', { dtype: 'F32', shape: [2], data_offsets: [88, 96] }, f32(1, 2))).trainingTensors.keys()], ['optimizer.m.layers.0.bias']);
  rejects(
    with1('optimizer.m.layers.0.bias', { dtype: 'F32', shape: [2, 1], data_offsets: [88, 96] }, f32(1, 2)),
    'bad.safetensors: tensor "optimizer.m.layers.0.bias": wrong shape, expected [2] (the param\'s), got [2, 1]',
  );
  // Running statistics are not trained: no optimizer buffer for them.
  rejects(
    with1('optimizer.m.layers.1.runningMean', { dtype: 'F32', shape: [2], data_offsets: [88, 96] }, f32(1, 2)),
    /^bad\.safetensors: unexpected tensor "optimizer\.m\.layers\.1\.runningMean", expected only the architecture's params and buffers \(layers\.0\.weight, .*\) or a checkpoint's optimizer\.<slot>\.<param> and history\.<name>, got "optimizer\.m\.layers\.1\.runningMean"$/,
  );
  for (const name of ['optimizer.m.layers.3.weight', 'optimizer..layers.0.bias', 'optimizer.m-1.layers.0.bias', 'optimizer.m', 'history.batch.loss', 'history.', 'losses', '__proto__.x']) {
    const history = name.startsWith('history.');
    rejects(with1(name, { dtype: history ? 'F64' : 'F32', shape: [2], data_offsets: [88, history ? 104 : 96] }, history ? f64(1, 2) : f32(1, 2)), new RegExp(`^bad\\.safetensors: unexpected tensor "${name.replace(/[.]/g, '\\.')}"`));
  }
  rejects(
    with1('optimizer.m.layers.0.bias', { dtype: 'F64', shape: [2], data_offsets: [88, 104] }, f64(1, 2)),
    'bad.safetensors: header: tensor "optimizer.m.layers.0.bias": unsupported dtype, expected "F32", got "F64"',
  );
  rejects(
    with1('history.batchLoss', { dtype: 'F32', shape: [2], data_offsets: [88, 96] }, f32(1, 2)),
    'bad.safetensors: header: tensor "history.batchLoss": unsupported dtype, expected "F64", got "F32"',
  );
  rejects(
    with1('history.batchLoss', { dtype: 'F64', shape: [2], data_offsets: [88, 96] }, f32(1, 2)),
    'bad.safetensors: header: tensor "history.batchLoss": data_offsets [88, 96] length, expected 16 bytes (8 × 2 values of shape [2]), got 8',
  );
  rejects(
    with1('history.batchLoss', { dtype: 'F64', shape: [1, 2], data_offsets: [88, 104] }, f64(1, 2)),
    'bad.safetensors: tensor "history.batchLoss": wrong shape, expected [length], got [1, 2]',
  );
  const nan = with1('history.batchLoss', { dtype: 'F64', shape: [2], data_offsets: [88, 104] }, f64(1, NaN));
  rejects(nan, `bad.safetensors: byte ${parseByHand(nan).dataStart + 96}: tensor "history.batchLoss" value 1 is not finite (a corrupt or diverged model), expected a finite float64, got NaN`);
  const inf = with1('optimizer.v.layers.1.gamma', { dtype: 'F32', shape: [2], data_offsets: [88, 96] }, f32(-Infinity, 1));
  rejects(inf, `bad.safetensors: byte ${parseByHand(inf).dataStart + 88}: tensor "optimizer.v.layers.1.gamma" value 0 is not finite (a corrupt or diverged model), expected a finite float32, got -Infinity`);
});

test('a plain json + struct + numpy script reads a checkpoint\'s training tensors too', { skip: hasNumpy ? false : 'python3 with numpy is not installed' }, () => {
  const model = normNetwork();
  const tensors = trainingTensorsOf(model);
  const path = join(tmp.dir, 'ckpt-np.safetensors');
  saveModel(model, path, { epochs: 1 }, tensors);
  const script = `
import hashlib, json, struct, sys
import numpy as np
raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n].decode("utf-8"))
header.pop("__metadata__")
body = raw[8 + n:]
out = {}
for k, v in header.items():
    b, e = v["data_offsets"]
    t = np.frombuffer(body[b:e], dtype={"F32": "<f4", "F64": "<f8"}[v["dtype"]]).reshape(v["shape"])
    out[k] = [str(t.dtype), list(t.shape), hashlib.sha256(t.tobytes()).hexdigest()]
print(json.dumps(out))
`;
  const r = spawnSync('python3', ['-c', script, path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout) as Record<string, [string, number[], string]>;
  for (const t of tensors) {
    const bytes = new Uint8Array(t.values.slice().buffer);
    assert.deepEqual(seen[t.name], [t.values instanceof Float64Array ? 'float64' : 'float32', [...t.shape], createHash('sha256').update(bytes).digest('hex')], t.name);
  }
  assert.equal(Object.keys(seen).length, tensors.length + model.params().length + model.buffers().length);
});

test('hostile: BatchNorm running statistics are checked like params (missing, wrong shape, not finite, negative variance)', () => {
  const model = tinyNorm(); // data: layers.0 [0, 32), layers.1 gamma, beta, runningMean, runningVar [32, 64), layers.2 [64, 88)
  (model.layers[1] as BatchNorm).runningVar.value.set([0.5, 2]);
  assertSameModel(decodeModel(encodeModel(model)).model, model);
  rejects(
    rewrite(model, (h, data) => {
      delete h['layers.1.runningVar'];
      h['layers.2.weight'].data_offsets = [56, 72];
      h['layers.2.bias'].data_offsets = [72, 80];
      return Uint8Array.from([...data.subarray(0, 56), ...data.subarray(64)]);
    }),
    'bad.safetensors: missing tensor "layers.1.runningVar" (the runningVar of layer 1, batchnorm), expected shape [2], got nothing',
  );
  rejects(
    rewrite(model, (h) => void (h['layers.1.runningMean'].shape = [1, 2])),
    'bad.safetensors: tensor "layers.1.runningMean": wrong shape, expected [2], got [1, 2]',
  );
  rejects(
    rewrite(model, (h, data) => {
      // runningVar of 4 values instead of 2: the shape and the data agree, the architecture does not.
      h['layers.1.runningVar'] = { dtype: 'F32', shape: [4], data_offsets: [56, 72] };
      h['layers.2.weight'].data_offsets = [72, 88];
      h['layers.2.bias'].data_offsets = [88, 96];
      return Uint8Array.from([...data.subarray(0, 64), 0, 0, 128, 63, 0, 0, 128, 63, ...data.subarray(64)]);
    }),
    'bad.safetensors: tensor "layers.1.runningVar": wrong shape, expected [2], got [4]',
  );
  rejects(
    rewrite(model, (h, data) => {
      h['layers.1.runningMean'] = { dtype: 'F64', shape: [2], data_offsets: [48, 56] };
      return data;
    }),
    'bad.safetensors: header: tensor "layers.1.runningMean": unsupported dtype, expected "F32", got "F64"',
  );
  const negative = rewrite(model, (_, data) => void new DataView(data.buffer).setFloat32(56 + 4, -0.25, true)); // runningVar[1]
  rejects(
    negative,
    `bad.safetensors: byte ${parseByHand(negative).dataStart + 60}: tensor "layers.1.runningVar" value 1 is out of range (a corrupt model), expected a float32 ≥ 0, got -0.25`,
  );
  const nan = rewrite(model, (_, data) => void new DataView(data.buffer).setFloat32(48, NaN, true)); // runningMean[0]
  rejects(
    nan,
    `bad.safetensors: byte ${parseByHand(nan).dataStart + 48}: tensor "layers.1.runningMean" value 0 is not finite (a corrupt or diverged model), expected a finite float32, got NaN`,
  );
  // A zero variance is valid (a unit that was constant in training).
  const zero = rewrite(model, (_, data) => void new DataView(data.buffer).setFloat32(56, 0, true));
  assert.equal((decodeModel(zero).model.layers[1] as BatchNorm).runningVar.value[0], 0);
});

test('hostile: NaN or infinite weights are rejected, naming the tensor and the byte', () => {
  const model = tiny();
  for (const [value, got] of [[NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity']] as const) {
    const bytes = rewrite(model, (_, data) => void new DataView(data.buffer).setFloat32(32 + 4 * 3, value, true)); // layers.2.weight[3]
    rejects(
      bytes,
      `bad.safetensors: byte ${parseByHand(bytes).dataStart + 44}: tensor "layers.2.weight" value 3 is not finite (a corrupt or diverged model), expected a finite float32, got ${got}`,
    );
  }
});

// --- Properties: nothing but a model or a ModelFileError ------------------

/** Decodes `bytes`: a model, or a ModelFileError naming the file; anything else fails the property. */
function outcome(bytes: Uint8Array): 'model' | 'error' {
  try {
    decodeModel(bytes, 'fuzz.safetensors');
    return 'model';
  } catch (err) {
    if (!(err instanceof ModelFileError)) throw err;
    assert.ok(err.message.startsWith('fuzz.safetensors: '), err.message);
    return 'error';
  }
}

/**
 * Every truncation of a valid file is rejected (the tensors must fill the data
 * section exactly); any single byte set to any value gives a model or a ModelFileError.
 */
function truncateAndCorrupt(valid: Uint8Array, truncations: number, corruptions: number): void {
  fc.assert(fc.property(fc.nat(valid.length - 1), (n) => assert.equal(outcome(valid.subarray(0, n)), 'error')), { numRuns: truncations });
  fc.assert(
    fc.property(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), (at, value) => {
      const bytes = valid.slice();
      bytes[at] = value;
      void outcome(bytes);
    }),
    { numRuns: corruptions },
  );
}

test('property: random bytes, truncations and single-byte corruptions give a model or a ModelFileError', { timeout: 120_000 }, () => {
  const valid = encodeModel(tiny(), { epochs: 2 });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => void outcome(bytes)), { numRuns: 2000 });
  // Random bytes behind a plausible header length reach the UTF-8 and JSON checks.
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(320), (body, n) => {
      const bytes = new Uint8Array(8 + body.length);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(n), true);
      bytes.set(body, 8);
      void outcome(bytes);
    }),
    { numRuns: 2000 },
  );
  truncateAndCorrupt(valid, 1000, 3000);
  // Every byte position, flipped: in the header it is caught or harmless; in the data it is a model with one value changed (or a NaN).
  const dataStart = parseByHand(valid).dataStart;
  let models = 0;
  for (let at = 0; at < valid.length; at++) {
    const bytes = valid.slice();
    bytes[at] ^= 0x40;
    if (outcome(bytes) === 'model') models++;
    else assert.ok(at < dataStart || (at - dataStart) % 4 === 3, `a flip in the data at byte ${at} should decode`);
  }
  assert.ok(models >= valid.length - dataStart - 14, `expected most data flips to decode, got ${models}`);
});

test('property: a model with BatchNorm, truncated or corrupted, gives a model or a ModelFileError', { timeout: 120_000 }, () => {
  const valid = encodeModel(tinyNorm());
  truncateAndCorrupt(valid, 500, 2000);
  // Flipping the sign bit of a running variance is caught; of any other value, it decodes.
  const dataStart = parseByHand(valid).dataStart;
  for (let k = 0; k < 22; k++) {
    const bytes = valid.slice();
    bytes[dataStart + 4 * k + 3] ^= 0x80;
    const isRunningVar = k >= 14 && k < 16; // layers.1.runningVar is values 14 and 15
    assert.equal(outcome(bytes), isRunningVar ? 'error' : 'model', `value ${k}`);
  }
});

test('property: structurally random headers give a model or a ModelFileError', { timeout: 120_000 }, () => {
  const model = tiny();
  const valid = encodeModel(model);
  const { header, dataStart } = parseByHand(valid);
  const data = valid.slice(dataStart);
  const keys = Object.keys(header);
  const json = fc.jsonValue({ maxDepth: 2 });
  // Replace one field somewhere in the header (a tensor entry, one of its fields, or a metadata value) with random JSON.
  fc.assert(
    fc.property(fc.constantFrom(...keys), fc.constantFrom('', 'dtype', 'shape', 'data_offsets', 'format', 'architecture', 'version'), json, fc.boolean(), (key, field, value, asString) => {
      const h = structuredClone(header);
      const v = asString && typeof value !== 'string' ? JSON.stringify(value) : value;
      if (field === '') h[key] = v;
      else if (h[key] !== null && typeof h[key] === 'object') h[key][field] = v;
      void outcome(buildFile(h, data));
    }),
    { numRuns: 3000 },
  );
  // Random architectures over the same tensors.
  const layer = fc.oneof(
    fc.record({ kind: fc.constant('dense'), inputUnits: fc.oneof(fc.integer({ min: -2, max: 4 }), json), outputUnits: fc.integer({ min: 0, max: 4 }) }),
    fc.record({ kind: fc.constantFrom('relu', 'tanh', 'sigmoid', 'leaky-relu', 'softmax', '') }),
    fc.record({ kind: fc.constant('dropout'), rate: fc.oneof(fc.double(), json) }),
    fc.record({ kind: fc.constant('batchnorm'), units: fc.oneof(fc.integer({ min: -1, max: 3 }), json), momentum: fc.oneof(fc.double(), json), eps: fc.double() }),
    json,
  );
  fc.assert(
    fc.property(fc.oneof(fc.integer({ min: -1, max: 4 }), json), fc.array(layer, { maxLength: 4 }), (inputUnits, layers) => {
      const h = structuredClone(header);
      h.__metadata__.architecture = JSON.stringify({ inputUnits, layers });
      void outcome(buildFile(h, data));
    }),
    { numRuns: 2000 },
  );
});

// --- Files on disk ---------------------------------------------------------

test('saveModel / loadModel round trip through a file, gzipped files too', () => {
  const model = mixedNetwork();
  const path = join(tmp.dir, 'mixed.safetensors');
  saveModel(model, path, { epochs: 4 });
  const loaded = loadModel(path);
  assertSameModel(loaded.model, model);
  assert.deepEqual(loaded.training, { epochs: 4 });
  const gz = tmp.write('mixed.safetensors.gz', gzipSync(readFileSync(path)));
  assertSameModel(loadModel(gz).model, model);
});

test('loadModel: a missing, directory or malformed file is an error naming the path', () => {
  const missing = join(tmp.dir, 'nope.safetensors');
  assert.throws(() => loadModel(missing), (err: unknown) => err instanceof DataError && err.message === `${missing}: file not found`);
  assert.throws(() => loadModel(tmp.dir), (err: unknown) => err instanceof DataError && err.message.startsWith(`${tmp.dir}: `));
  const text = tmp.write('notes.safetensors', 'hello world, not a model');
  assert.throws(
    () => loadModel(text),
    (err: unknown) => err instanceof ModelFileError && /^.*notes\.safetensors: byte 0: header length too large, expected at most 16777216 bytes, got \d+$/.test(err.message),
  );
});

test('saveModel replaces an existing file whole, and leaves no temporary files', () => {
  const dir = join(tmp.dir, 'replace');
  mkdirSync(dir);
  const path = join(dir, 'model.safetensors');
  const a = mlp({ rng: 1 });
  const b = mlp({ hidden: [16], rng: 2 });
  saveModel(a, path);
  saveModel(b, path, { run: 2 });
  assertSameModel(loadModel(path).model, b);
  assert.deepEqual(readdirSync(dir), ['model.safetensors']);
  // A save that fails (training info that is not JSON) leaves the old file as it was.
  const before = readFileSync(path);
  assert.throws(() => saveModel(a, path, () => 1), /encodeModel: expected JSON-serialisable training info, got a function/);
  assert.deepEqual(readFileSync(path), before);
  assert.deepEqual(readdirSync(dir), ['model.safetensors']);
  // A folder that does not exist is a DataError naming the path.
  const nowhere = join(dir, 'missing', 'model.safetensors');
  assert.throws(() => saveModel(a, nowhere), (err: unknown) => err instanceof DataError && err.message === `${nowhere}: cannot write (ENOENT: no such file or directory)`);
});

test('a reader never sees a half-written file while another process saves over it', { timeout: 120_000 }, async () => {
  const dir = join(tmp.dir, 'concurrent');
  mkdirSync(dir);
  const path = join(dir, 'model.safetensors');
  const small = mlp({ inputUnits: 20, hidden: [8], outputUnits: 3, rng: 1 });
  saveModel(small, path);
  const src = (file: string) => JSON.stringify(fileURLToPath(new URL(`../../src/${file}`, import.meta.url)));
  const script = join(dir, '..', 'saver.ts');
  writeFileSync(
    script,
    `import { mlp } from ${src('model/mlp.js')};
import { saveModel } from ${src('io/model-files.js')};
// The large one (~0.4 MB) is slow enough to write that a reader would catch it half-written.
const models = [mlp({ hidden: [128, 64], rng: 2 }), mlp({ inputUnits: 20, hidden: [8], outputUnits: 3, rng: 1 })];
for (let i = 0; i < 60; i++) saveModel(models[i % 2], ${JSON.stringify(path)});
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let done = false;
  void exited.then(() => (done = true));
  let reads = 0;
  const seen = new Set<number>();
  while (!done) {
    const decoded = loadModel(path); // throws if it ever sees a partial file
    seen.add(decoded.model.inputUnits);
    reads++;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(await exited, 0, stderr);
  assertSameModel(loadModel(path).model, small); // the last save wins
  assert.ok(reads > 0);
  assert.ok([...seen].every((units) => units === 20 || units === 784));
  assert.deepEqual(readdirSync(dir), ['model.safetensors']);
});
