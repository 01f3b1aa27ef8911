import { ConfigError, ModelFileError } from '../errors.js';
import type { Layer, LayerBuffer } from '../layers/layer.js';
import { describeValue, isRecord } from '../layers/config-check.js';
import { architectureOf, sequentialFromArchitecture } from '../model/from-config.js';
import type { Sequential } from '../model/sequential.js';
import { VERSION } from '../version.js';

/**
 * The model file: standard safetensors, so any safetensors reader (Python's
 * included) can read the weights.
 *
 *   bytes 0..8        u64 little-endian N, the header's length
 *   bytes 8..8+N      UTF-8 JSON header, padded with spaces so the data starts
 *                     at a multiple of 8 (as the reference writer does)
 *   bytes 8+N..       the tensors' raw little-endian float32 values, in order,
 *                     contiguous, no gaps
 *
 * Header: `{"__metadata__": {format, version, architecture, training?},
 * "layers.<i>.<param>": {"dtype": "F32", "shape": […], "data_offsets":
 * [begin, end]}, …}` with offsets relative to the data section, `<i>` the
 * layer's index in the Sequential (activations count) and `<param>` the
 * name of a Param (`weight`, `bias`, `gamma`, `beta`) or of a buffer, the
 * saved but untrained tensors (BatchNorm's `runningMean`, `runningVar`), in
 * the layer's order: params, then buffers. Browser-safe: no Node imports
 * (src/io/model-files.ts reads and writes the files).
 *
 * A checkpoint adds training tensors after the model's (see
 * {@link TrainingTensor}): `optimizer.<slot>.layers.<i>.<param>`, the
 * optimizer's buffer for that param (F32, the param's shape), and
 * `history.<name>`, a long History array such as `history.batchLoss` (F64,
 * 1-D, so JavaScript numbers survive exactly). They live in the data section
 * because the header is JSON: 0.1.0 kept Adam's moments there, and a
 * 784-512-256-10 network's checkpoint outgrew {@link MAX_HEADER_BYTES}.
 *
 * Decoding treats the bytes as hostile: every length is bounded before it is
 * allocated, only JSON.parse interprets text, and every failure is a
 * ModelFileError naming the file, the byte where one applies, and expected vs
 * got.
 */

/** The largest JSON header {@link decodeModel} accepts (16 MiB; scratchnet's are a few KB). */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** How many more param values than its data holds a file's architecture may ask for (4 MiB of float32). */
const MISSING_VALUES_SLACK = 1 << 20;

/** The value of `__metadata__.format` in every scratchnet model file. */
export const MODEL_FORMAT = 'scratchnet';

/**
 * A tensor a file holds besides the model's params and buffers: a
 * checkpoint's optimizer buffer `optimizer.<slot>.layers.<i>.<param>`
 * (Float32Array, the shape of that param) or History array `history.<name>`
 * (Float64Array, shape [length]).
 */
export interface TrainingTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array | Float64Array;
}

/** What {@link decodeModel} returns. */
export interface DecodedModel {
  /** The network, with the file's weights. */
  model: Sequential;
  /** The header's `__metadata__` (all values strings, as safetensors requires). */
  metadata: Record<string, string>;
  /** `__metadata__.training` parsed from JSON, or undefined if the file has none. */
  training: unknown | undefined;
  /** The file's {@link TrainingTensor}s by name, checked (empty for a plain model file). */
  trainingTensors: Map<string, Float32Array | Float64Array>;
}

/** The safetensors dtypes a scratchnet file uses. */
type Dtype = 'F32' | 'F64';

/** A tensor entry of the header, checked. */
interface TensorEntry {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

/** Slot and History names: plain identifiers (`m`, `v`, `batchLoss`). */
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * The dtype a tensor of this name must have: F64 for `history.*` (losses are
 * JavaScript numbers, and float32 would round them), F32 for all the rest.
 */
function dtypeFor(name: string): Dtype {
  return name.startsWith('history.') ? 'F64' : 'F32';
}

/**
 * What a training tensor of this name must look like, given the model's
 * params by tensor name: the param's shape for `optimizer.<slot>.<param>`,
 * any length for `history.<name>`; undefined if the name is neither.
 */
function trainingTensorShape(name: string, params: ReadonlyMap<string, readonly number[]>): { shape: readonly number[] | 'vector' } | undefined {
  const [space, key, ...rest] = name.split('.');
  if (key === undefined || !IDENTIFIER.test(key)) return undefined;
  if (space === 'history' && rest.length === 0) return { shape: 'vector' };
  const shape = space === 'optimizer' ? params.get(rest.join('.')) : undefined;
  return shape === undefined ? undefined : { shape };
}

/** The tensor name of each of `model.params()`, in order: `layers.<i>.<param>`. */
export function paramTensorNames(model: Sequential): string[] {
  return model.layers.flatMap((layer, i) => layer.params().map((p) => `layers.${i}.${p.name}`));
}

/** The shape of each of the model's params, by tensor name (what an `optimizer.<slot>.<param>` must match). */
function paramShapes(model: Sequential): Map<string, readonly number[]> {
  const names = paramTensorNames(model);
  return new Map(model.params().map((p, k) => [names[k], p.shape]));
}

/** A param or buffer the architecture needs, with where it lives. */
interface ExpectedParam {
  readonly param: LayerBuffer;
  readonly layer: number;
  readonly kind: string;
}

/** A layer's saved tensors in file order: its params, then its buffers. */
function savedTensors(layer: Layer): LayerBuffer[] {
  return [...layer.params(), ...(layer.buffers?.() ?? [])];
}

/**
 * The safetensors bytes of `model`: every layer's params and buffers as F32
 * tensors `layers.<i>.<name>`, then `trainingTensors` (a checkpoint's), and
 * `__metadata__` with format, version, the architecture `{"inputUnits",
 * "layers": [layer.config(), …]}` and, if given, `training` (any
 * JSON-serialisable value, e.g. settings and a History summary).
 */
export function encodeModel(model: Sequential, training?: unknown, trainingTensors: readonly TrainingTensor[] = []): Uint8Array {
  const metadata: Record<string, string> = {
    format: MODEL_FORMAT,
    version: VERSION,
    architecture: JSON.stringify(architectureOf(model)),
  };
  if (training !== undefined) {
    const json = JSON.stringify(training) as string | undefined;
    if (json === undefined) throw new ConfigError(`encodeModel: expected JSON-serialisable training info, got a ${typeof training}`);
    metadata.training = json;
  }
  const header: Record<string, unknown> = { __metadata__: metadata };
  const tensors: { shape: readonly number[]; values: Float32Array | Float64Array }[] = [];
  let dataLength = 0;
  const add = (name: string, shape: readonly number[], values: Float32Array | Float64Array): void => {
    if (Object.hasOwn(header, name)) throw new ConfigError(`encodeModel: tensor "${name}" given twice`);
    const size = values.BYTES_PER_ELEMENT * values.length;
    header[name] = { dtype: values instanceof Float64Array ? 'F64' : 'F32', shape: [...shape], data_offsets: [dataLength, dataLength + size] };
    dataLength += size;
    tensors.push({ shape, values });
  };
  model.layers.forEach((layer, i) => {
    for (const p of savedTensors(layer)) add(`layers.${i}.${p.name}`, p.shape, p.value);
  });
  const params = paramShapes(model);
  for (const t of trainingTensors) {
    // The decoder's rules, checked here so that a file we write always reads back.
    const rule = trainingTensorShape(t.name, params);
    const dtype = t.values instanceof Float64Array ? 'F64' : 'F32';
    const shapeOk = rule !== undefined && (rule.shape === 'vector' ? t.shape.length === 1 : sameShape(t.shape, rule.shape));
    if (!shapeOk || dtype !== dtypeFor(t.name) || t.shape.reduce((n, d) => n * d, 1) !== t.values.length) {
      throw new ConfigError(`encodeModel: training tensor "${t.name}" (${dtype} [${t.shape.join(', ')}], ${t.values.length} values) is not an optimizer.<slot>.<param> F32 tensor of the param's shape or a history.<name> F64 vector`);
    }
    add(t.name, t.shape, t.values);
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = json.length + ((8 - (json.length % 8)) % 8); // 8 + N is then a multiple of 8
  const dataStart = 8 + headerLength;
  const out = new Uint8Array(dataStart + dataLength);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, dataStart);
  let at = dataStart;
  for (const { values } of tensors) {
    if (values instanceof Float64Array) {
      for (let k = 0; k < values.length; k++, at += 8) view.setFloat64(at, values[k], true);
    } else {
      for (let k = 0; k < values.length; k++, at += 4) view.setFloat32(at, values[k], true);
    }
  }
  return out;
}

/**
 * The model in safetensors `bytes` (from {@link encodeModel}). `fileName`
 * prefixes every message. Throws ModelFileError if the bytes are not a
 * well-formed safetensors file, are not a scratchnet model, or their tensors
 * do not match the architecture exactly (names, shapes, finite values).
 * A checkpoint's training tensors are checked as strictly (names that fit
 * the model's params, shapes, dtypes, finite values) and returned apart, so
 * a checkpoint loads as a model anywhere a model file does.
 */
export function decodeModel(bytes: Uint8Array, fileName = 'model'): DecodedModel {
  const fail = (message: string, byte?: number): ModelFileError =>
    new ModelFileError(byte === undefined ? `${fileName}: ${message}` : `${fileName}: byte ${byte}: ${message}`);

  // The header length, bounded before anything is allocated.
  if (bytes.length < 8) {
    throw fail(`file too short for the safetensors header length (u64), expected at least 8 bytes, got ${bytes.length}`, 0);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) {
    throw fail(`header length too large, expected at most ${MAX_HEADER_BYTES} bytes, got ${declared}`, 0);
  }
  const headerLength = Number(declared);
  if (8 + headerLength > bytes.length) {
    throw fail(`header length runs past the end of the file, expected at most ${bytes.length - 8} bytes, got ${headerLength}`, 0);
  }

  const header = parseHeader(bytes.subarray(8, 8 + headerLength), fail);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;

  const meta = own(header, '__metadata__');
  if (!isRecord(meta)) {
    throw fail(`header: "__metadata__", expected an object of strings with format "${MODEL_FORMAT}", got ${describeValue(meta)}`);
  }
  for (const [key, value] of Object.entries(meta)) {
    if (typeof value !== 'string') throw fail(`header: __metadata__.${key}, expected a string, got ${describeValue(value)}`);
  }
  const metadata = Object.fromEntries(Object.entries(meta)) as Record<string, string>;
  const format = own(metadata, 'format');
  if (format !== MODEL_FORMAT) {
    throw fail(`__metadata__.format: not a scratchnet model file, expected "${MODEL_FORMAT}", got ${describeValue(format)}`);
  }
  for (const key of ['version', 'architecture']) {
    if (own(metadata, key) === undefined) throw fail(`__metadata__.${key}: missing, expected a string, got nothing`);
  }

  const entries: TensorEntry[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name !== '__metadata__') entries.push(tensorEntry(name, entry, dataLength, fail));
  }
  checkLayout(entries, dataStart, dataLength, fail);

  const arch = parseJson(metadata.architecture, '__metadata__.architecture', '{"inputUnits", "layers"}', fail);
  const model = sequentialFromArchitecture(arch, `${fileName}: __metadata__.architecture`, {
    error: (message) => new ModelFileError(message),
    // A tiny header must not make us allocate gigabytes: the params must fit in
    // the data section, give or take some slack so that a missing tensor is
    // reported by name below rather than as "too many values".
    maxParamValues: Math.floor(dataLength / 4) + MISSING_VALUES_SLACK,
  });
  const trainingJson = own(metadata, 'training') as string | undefined;
  const training = trainingJson === undefined ? undefined : parseJson(trainingJson, '__metadata__.training', 'JSON', fail);

  // The tensors must be exactly the params and buffers the architecture needs,
  // plus any training tensors that fit its params.
  const expected = new Map<string, ExpectedParam>();
  model.layers.forEach((layer, i) => {
    for (const param of savedTensors(layer)) expected.set(`layers.${i}.${param.name}`, { param, layer: i, kind: layer.config().kind });
  });
  const params = paramShapes(model);
  const byName = new Map(entries.map((t) => [t.name, t]));
  for (const [name, { param, layer, kind }] of expected) {
    if (!byName.has(name)) {
      throw fail(`missing tensor "${name}" (the ${param.name} of layer ${layer}, ${kind}), expected shape [${param.shape.join(', ')}], got nothing`);
    }
  }
  const extra: TensorEntry[] = [];
  for (const t of entries) {
    if (expected.has(t.name)) continue;
    const rule = trainingTensorShape(t.name, params);
    if (rule === undefined) {
      const names = [...expected.keys()];
      const list = names.length > 8 ? `${names.slice(0, 8).join(', ')}, …` : names.join(', ');
      const training = t.name.startsWith('layers.') ? '' : ' or a checkpoint\'s optimizer.<slot>.<param> and history.<name>';
      throw fail(`unexpected tensor ${describeValue(t.name)}, expected only the architecture's params and buffers (${list || 'none'})${training}, got ${describeValue(t.name)}`);
    }
    if (rule.shape === 'vector' ? t.shape.length !== 1 : !sameShape(t.shape, rule.shape)) {
      const want = rule.shape === 'vector' ? '[length]' : `[${rule.shape.join(', ')}] (the param's)`;
      throw fail(`tensor ${describeValue(t.name)}: wrong shape, expected ${want}, got [${t.shape.join(', ')}]`);
    }
    extra.push(t);
  }
  for (const [name, { param }] of expected) {
    const t = byName.get(name) as TensorEntry;
    if (!sameShape(t.shape, param.shape)) {
      throw fail(`tensor "${name}": wrong shape, expected [${param.shape.join(', ')}], got [${t.shape.join(', ')}]`);
    }
  }

  for (const [name, { param }] of expected) readValues(view, dataStart, byName.get(name) as TensorEntry, param.value, param.min, fail);
  const trainingTensors = new Map<string, Float32Array | Float64Array>();
  for (const t of extra) {
    const count = (t.end - t.begin) / (t.dtype === 'F64' ? 8 : 4);
    const values = t.dtype === 'F64' ? new Float64Array(count) : new Float32Array(count);
    readValues(view, dataStart, t, values, undefined, fail);
    trainingTensors.set(t.name, values);
  }
  return { model, metadata, training, trainingTensors };
}

/**
 * Copies tensor `t`'s values into `out`, checking each is finite (and ≥ `min`
 * if given). DataView reads are little-endian whatever the platform and need
 * no alignment of the file's bytes.
 */
function readValues(view: DataView, dataStart: number, t: TensorEntry, out: Float32Array | Float64Array, min: number | undefined, fail: Fail): void {
  const f64 = t.dtype === 'F64';
  const size = f64 ? 8 : 4;
  const kind = f64 ? 'float64' : 'float32';
  let at = dataStart + t.begin;
  for (let k = 0; k < out.length; k++, at += size) {
    const v = f64 ? view.getFloat64(at, true) : view.getFloat32(at, true);
    if (!Number.isFinite(v)) {
      throw fail(`tensor "${t.name}" value ${k} is not finite (a corrupt or diverged model), expected a finite ${kind}, got ${v}`, at);
    }
    if (min !== undefined && !(v >= min)) {
      throw fail(`tensor "${t.name}" value ${k} is out of range (a corrupt model), expected a ${kind} ≥ ${min}, got ${v}`, at);
    }
    out[k] = v;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, k) => d === b[k]);
}

type Fail = (message: string, byte?: number) => ModelFileError;

/** The header bytes as a JSON object (UTF-8 checked first, to name the bad byte). */
function parseHeader(headerBytes: Uint8Array, fail: Fail): Record<string, unknown> {
  const bad = invalidUtf8At(headerBytes);
  if (bad >= 0) {
    const got = `0x${headerBytes[bad].toString(16).padStart(2, '0')}`;
    throw fail(`header is not valid UTF-8, expected UTF-8 JSON text, got byte ${got}`, 8 + bad);
  }
  // ignoreBOM keeps a byte-order mark in the text, so JSON.parse rejects it as other readers do.
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    // V8 says "… at position 17" (in UTF-16 units) for most errors.
    const position = /at position (\d+)/.exec(err.message);
    const byte = position === null ? 0 : new TextEncoder().encode(text.slice(0, Number(position[1]))).length;
    throw fail(`header is not valid JSON, expected a JSON object, got ${cleanMessage(err.message)}`, 8 + byte);
  }
  if (!isRecord(header)) {
    throw fail(`header is not a JSON object, expected {"__metadata__": {…}, "<tensor>": {…}, …}, got ${describeValue(header)}`, 8);
  }
  return header;
}

/** One header entry checked as `{dtype: "F32", shape: int[], data_offsets: [begin, end]}` (F64 for `history.*`) within the data section. */
function tensorEntry(name: string, entry: unknown, dataLength: number, fail: Fail): TensorEntry {
  const at = `header: tensor ${describeValue(name)}`;
  if (!isRecord(entry)) throw fail(`${at}: expected an object {"dtype", "shape", "data_offsets"}, got ${describeValue(entry)}`);
  for (const key of Object.keys(entry)) {
    if (key !== 'dtype' && key !== 'shape' && key !== 'data_offsets') {
      throw fail(`${at}: unexpected key, expected only "dtype", "shape", "data_offsets", got ${describeValue(key)}`);
    }
  }
  const dtype = own(entry, 'dtype');
  const want = dtypeFor(name);
  if (dtype !== want) throw fail(`${at}: unsupported dtype, expected "${want}", got ${describeValue(dtype)}`);
  const shape = own(entry, 'shape');
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw fail(`${at}: shape, expected an array of non-negative integers, got ${describeValue(shape)}`);
  }
  const offsets = own(entry, 'data_offsets');
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
    throw fail(`${at}: data_offsets, expected [begin, end] with integers 0 ≤ begin ≤ end, got ${describeValue(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataLength) {
    throw fail(`${at}: data_offsets end past the end of the data section (a truncated file?), expected at most ${dataLength}, got ${end}`);
  }
  // A float product, exact for any size that could fit in the file.
  const count = (shape as number[]).reduce((n, d) => n * d, 1);
  const size = want === 'F64' ? 8 : 4;
  if (end - begin !== size * count) {
    throw fail(`${at}: data_offsets [${begin}, ${end}] length, expected ${size * count} bytes (${size} × ${count} values of shape [${shape.join(', ')}]), got ${end - begin}`);
  }
  return { name, dtype: want, shape: shape as number[], begin, end };
}

/** The tensors must tile the data section exactly: no overlap, no gap, no trailing bytes. */
function checkLayout(entries: readonly TensorEntry[], dataStart: number, dataLength: number, fail: Fail): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  let previous = '';
  for (const t of sorted) {
    if (t.begin < pos) {
      throw fail(`tensor ${describeValue(t.name)} overlaps tensor ${describeValue(previous)}, expected its data to begin at offset ${pos}, got ${t.begin}`, dataStart + t.begin);
    }
    if (t.begin > pos) {
      throw fail(`${t.begin - pos} bytes belong to no tensor (a gap before tensor ${describeValue(t.name)}), expected its data to begin at offset ${pos}, got ${t.begin}`, dataStart + pos);
    }
    pos = t.end;
    previous = t.name;
  }
  if (pos !== dataLength) {
    throw fail(`${dataLength - pos} trailing bytes belong to no tensor, expected the file to end at byte ${dataStart + pos}, got ${dataStart + dataLength} bytes`, dataStart + pos);
  }
}

/** JSON.parse of a metadata string, as a ModelFileError naming the key on failure. */
function parseJson(text: string, key: string, expected: string, fail: Fail): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    throw fail(`${key}: not valid JSON, expected ${expected}, got ${cleanMessage(err.message)}`);
  }
}

/** A record's own property (never one inherited from Object.prototype). */
function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A parser's message made safe to print: no control characters, at most 120 characters. */
function cleanMessage(message: string): string {
  const oneLine = message.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return oneLine.length > 120 ? `${oneLine.slice(0, 120)}…` : oneLine;
}

/**
 * The index of the first byte that is not part of valid UTF-8 (no overlongs,
 * no surrogates, nothing above U+10FFFF), or −1 if all of `bytes` is valid.
 */
function invalidUtf8At(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const c = bytes[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    // The lead byte fixes the length and the range of the second byte (Unicode table 3-7).
    let extra: number, lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) extra = 1;
    else if (c === 0xe0) (extra = 2), (lo = 0xa0);
    else if (c === 0xed) (extra = 2), (hi = 0x9f);
    else if (c >= 0xe1 && c <= 0xef) extra = 2;
    else if (c === 0xf0) (extra = 3), (lo = 0x90);
    else if (c === 0xf4) (extra = 3), (hi = 0x8f);
    else if (c >= 0xf1 && c <= 0xf3) extra = 3;
    else return i;
    for (let k = 1; k <= extra; k++) {
      if (i + k >= n) return i; // cut short by the end of the header
      const b = bytes[i + k];
      if (k === 1 ? b < lo || b > hi : b < 0x80 || b > 0xbf) return i + k;
    }
    i += extra + 1;
  }
  return -1;
}
