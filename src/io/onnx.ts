/**
 * ONNX export: a Sequential as a standard ONNX ModelProto that onnxruntime,
 * Netron or any ONNX tool can open.
 *
 *   pixels [batch, 784] float32 in [0, 1]
 *     → Gemm(layers.0.weight, layers.0.bias) → Relu → … → Gemm → logits [batch, 10]
 *     → Softmax(axis 1) → probabilities [batch, 10]
 *
 * Each layer's nodes are declared with its kind (its `onnx`, see
 * layers/registry.ts): a Dense is one Gemm with transB = 0, because our
 * weight is stored [inputUnits, outputUnits] like the tutorial's W (Z = X ·
 * W + b); each activation is the ONNX operator of the same name (LeakyRelu
 * with alpha = LEAKY_SLOPE); BatchNorm is a BatchNormalization node in its
 * inference form (scale = gamma, B = beta, mean = runningMean, var =
 * runningVar, epsilon = eps); Dropout, the identity at inference, gets no
 * node; a Softmax layer is a Softmax node, except a final one, which is the
 * graph's own Softmax (its input is then the `logits` output); Conv2D is a
 * Conv, the pooling layers MaxPool and AveragePool, Flatten a Flatten
 * (axis 1). A model whose input has several dimensions (images [1, 28, 28])
 * still takes rows of pixels: a Reshape node comes first. Initializers keep the model file's
 * tensor names (`layers.<i>.weight`, `layers.<i>.runningVar`, …) and hold
 * the float32 values as raw little-endian bytes, exactly the bytes of the
 * safetensors file.
 *
 * Versions: opset 17 (ONNX 1.12; Gemm-13, Relu-14, Sigmoid-13, Tanh-13,
 * LeakyRelu-16, Softmax-13, BatchNormalization-15, Identity-16, Conv-11,
 * MaxPool-12, AveragePool-11, Flatten-13, Reshape-14) and the IR
 * version that goes with it, 8. Every ONNX runtime of the last few years
 * (onnxruntime ≥ 1.12, onnxruntime-web, PyTorch's and TF's converters) reads it.
 *
 * Why protobufjs: it is the most used protobuf library for JavaScript, kept
 * up by its maintainers, runs in Node and in browsers with no native code,
 * and its reflection API lets us declare the few ONNX messages we write right
 * here, field for field from the official onnx.proto — short enough to
 * check by eye against it. The packages that ship the whole ONNX schema
 * (`onnx-proto`, …) are single-maintainer builds pinned to old protobufjs
 * and ONNX releases. NOTE: protobufjs generates its encoders with
 * `new Function`, so a page with a Content-Security-Policy that forbids
 * 'unsafe-eval' cannot export.
 *
 * Browser-safe: no Node imports (src/cli/export.ts writes the file).
 */
import protobuf from 'protobufjs/light.js';
import { ConfigError } from '../errors.js';
import type { Layer, LayerBuffer, OnnxAttributes, OnnxGraph } from '../layers/layer.js';
import { kindOf } from '../layers/registry.js';
import { architectureOf } from '../model/from-config.js';
import type { Sequential } from '../model/sequential.js';
import { VERSION } from '../version.js';

/** The ONNX operator set the exported graph uses (the default domain, ai.onnx). */
export const ONNX_OPSET = 17;
/** The ONNX IR version that goes with {@link ONNX_OPSET} (ONNX 1.12). */
export const ONNX_IR_VERSION = 8;
/** The graph's input: pixels in [0, 1], one row per image. */
export const ONNX_INPUT = 'pixels';
/** The graph's main output: softmax of the logits, one row per image. */
export const ONNX_PROBABILITIES = 'probabilities';
/** The graph's second output (unless `logits: false`): the logits, the output of every layer but a final Softmax. */
export const ONNX_LOGITS = 'logits';
/** The symbolic name of the batch dimension. */
export const ONNX_BATCH_DIM = 'batch';

/** Options of {@link encodeOnnx}. */
export interface OnnxOptions {
  /** Also expose the logits as a graph output (default true; it costs nothing, they are computed anyway). */
  logits?: boolean;
}

/** A graph input or output: its name and shape, `'batch'` for the symbolic batch size. */
export interface OnnxValue {
  readonly name: string;
  readonly shape: readonly [string, number];
}

/** What an exported graph takes and gives (all float32). */
export interface OnnxSignature {
  readonly opset: number;
  readonly irVersion: number;
  readonly inputs: readonly OnnxValue[];
  readonly outputs: readonly OnnxValue[];
}

/** The inputs and outputs {@link encodeOnnx} gives `model`'s graph. */
export function onnxSignature(model: Sequential, options: OnnxOptions = {}): OnnxSignature {
  const out = (name: string): OnnxValue => ({ name, shape: [ONNX_BATCH_DIM, model.outputUnits] });
  return {
    opset: ONNX_OPSET,
    irVersion: ONNX_IR_VERSION,
    inputs: [{ name: ONNX_INPUT, shape: [ONNX_BATCH_DIM, model.inputUnits] }],
    outputs: options.logits === false ? [out(ONNX_PROBABILITIES)] : [out(ONNX_PROBABILITIES), out(ONNX_LOGITS)],
  };
}

/**
 * The ONNX bytes of `model` (a serialised ModelProto, see the top of this
 * file). ConfigError if a layer has a kind ONNX export does not know.
 */
export function encodeOnnx(model: Sequential, options: OnnxOptions = {}): Uint8Array {
  const signature = onnxSignature(model, options);
  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  const layers = model.layers;
  // A final Softmax layer becomes the graph's own Softmax (not a second one),
  // and the logits are its input.
  const logitLayers = model.logitLayerCount;
  const endsInSoftmax = logitLayers < layers.length;
  let value = ONNX_INPUT;
  if (model.inputShape.length > 1) {
    // The graph keeps taking rows of pixels [batch, 784]; the layers see them as [batch, 1, 28, 28].
    initializers.push(int64Tensor('input.shape', [-1, ...model.inputShape]));
    nodes.push({ name: 'input', op_type: 'Reshape', input: [ONNX_INPUT, 'input.shape'], output: ['input.reshaped'], attribute: [] });
    value = 'input.reshaped';
  }
  for (let i = 0; i < logitLayers; i++) {
    const layer = layers[i];
    let count = 0;
    const graph: OnnxGraph = {
      input: value,
      node(op_type, input, attributes = {}) {
        // The layer's first node is `layers.<i>`, writing `layers.<i>.output`; any more are numbered.
        const suffix = count === 0 ? '' : `.${count}`;
        count++;
        const output = `layers.${i}.output${suffix}`;
        nodes.push({ name: `layers.${i}${suffix}`, op_type, input: [...input], output: [output], attribute: onnxAttributes(attributes) });
        return (value = output);
      },
      tensor(name) {
        const full = `layers.${i}.${name}`;
        if (!initializers.some((t) => t.name === full)) initializers.push(floatTensor(full, savedTensor(layer, name, i)));
        return full;
      },
    };
    kindOf(layer, `encodeOnnx: layer ${i}`).onnx(layer, graph);
  }
  // The last value before the Softmax is the logits output; with no node at
  // all (nothing but Dropout before it) the logits are the input.
  if (nodes.length > 0) nodes[nodes.length - 1].output = [ONNX_LOGITS];
  else nodes.push({ name: 'logits', op_type: 'Identity', input: [ONNX_INPUT], output: [ONNX_LOGITS], attribute: [] });
  nodes.push({
    name: endsInSoftmax ? `layers.${layers.length - 1}` : 'softmax',
    op_type: 'Softmax',
    input: [ONNX_LOGITS],
    output: [ONNX_PROBABILITIES],
    attribute: [intAttribute('axis', 1)],
  });

  const message: ModelProto = {
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'scratchnet',
    producer_version: VERSION,
    doc_string: `${model.summary().join('; ')}${endsInSoftmax ? '' : '; then Softmax'}. Input "${ONNX_INPUT}": [batch, ${model.inputUnits}] float32 in [0, 1] (MNIST: byte / 255, 28×28 row-major).`,
    graph: {
      name: 'scratchnet',
      node: nodes,
      initializer: initializers,
      input: signature.inputs.map(valueInfo),
      output: signature.outputs.map(valueInfo),
    },
    metadata_props: [
      { key: 'producer', value: 'scratchnet' },
      { key: 'version', value: VERSION },
      { key: 'architecture', value: JSON.stringify(architectureOf(model)) },
    ],
  };
  const problem = onnxTypes.ModelProto.verify(message);
  if (problem !== null) throw new Error(`encodeOnnx: invalid ModelProto (a bug in scratchnet): ${problem}`);
  return onnxTypes.ModelProto.encode(message).finish();
}

/** The param or buffer `name` of `layer` (ConfigError if it has none). */
function savedTensor(layer: Layer, name: string, index: number): LayerBuffer {
  const found = [...layer.params(), ...(layer.buffers?.() ?? [])].find((p) => p.name === name);
  if (found === undefined) throw new ConfigError(`encodeOnnx: layer ${index} (${layer.config().kind}) has no "${name}" param or buffer`);
  return found;
}

/** An int64 initializer of `values` (a Reshape's target shape), raw little-endian bytes. */
function int64Tensor(name: string, values: readonly number[]): TensorProto {
  const raw_data = new Uint8Array(8 * values.length);
  const view = new DataView(raw_data.buffer);
  values.forEach((v, k) => view.setBigInt64(8 * k, BigInt(v), true));
  return { name, dims: [values.length], data_type: DataType.INT64, raw_data };
}

/** A float32 initializer: dims and raw little-endian bytes (the byte order ONNX requires, whatever the platform). */
function floatTensor(name: string, param: LayerBuffer): TensorProto {
  const values = param.value;
  const raw_data = new Uint8Array(4 * values.length);
  const view = new DataView(raw_data.buffer);
  for (let k = 0; k < values.length; k++) view.setFloat32(4 * k, values[k], true);
  return { name, dims: [...param.shape], data_type: DataType.FLOAT, raw_data };
}

function intAttribute(name: string, i: number): AttributeProto {
  return { name, type: AttributeType.INT, i };
}

/** A layer's attributes as AttributeProtos: ints (one or a list), then floats. */
function onnxAttributes({ ints = {}, floats = {} }: OnnxAttributes): AttributeProto[] {
  return [
    ...Object.entries(ints).map(([name, v]): AttributeProto => (typeof v === 'number' ? intAttribute(name, v) : { name, type: AttributeType.INTS, ints: [...v] })),
    ...Object.entries(floats).map(([name, f]): AttributeProto => ({ name, type: AttributeType.FLOAT, f })),
  ];
}

/** A float32 graph input/output of shape [batch, n]. */
function valueInfo({ name, shape: [batch, units] }: OnnxValue): ValueInfoProto {
  return {
    name,
    type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: [{ dim_param: batch }, { dim_value: units }] } } },
  };
}

// ---------------------------------------------------------------------------
// The part of onnx.proto (package onnx, proto2) that the export writes, with
// the official field numbers. Fields we never set are left out; protobuf
// readers skip nothing they expect, since every field here is optional or
// repeated in onnx.proto.

/** TensorProto.DataType (the subset we use). */
const DataType = { FLOAT: 1, INT64: 7 } as const;
/** AttributeProto.AttributeType (the subset we use). */
const AttributeType = { FLOAT: 1, INT: 2, INTS: 7 } as const;

interface ModelProto {
  ir_version: number;
  opset_import: OperatorSetIdProto[];
  producer_name: string;
  producer_version: string;
  doc_string: string;
  graph: GraphProto;
  metadata_props: StringStringEntryProto[];
}
interface OperatorSetIdProto {
  domain: string;
  version: number;
}
interface StringStringEntryProto {
  key: string;
  value: string;
}
interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
}
interface NodeProto {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
}
interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  ints?: number[];
}
interface TensorProto {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}
interface ValueInfoProto {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: Array<{ dim_value: number } | { dim_param: string }> } } };
}

const optional = (type: string, id: number) => ({ type, id });
const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });

/** protobufjs's JSON form of the messages above (names and numbers as in onnx.proto). */
const onnxMessages = {
  ModelProto: {
    fields: {
      ir_version: optional('int64', 1),
      opset_import: repeated('OperatorSetIdProto', 8),
      producer_name: optional('string', 2),
      producer_version: optional('string', 3),
      doc_string: optional('string', 6),
      graph: optional('GraphProto', 7),
      metadata_props: repeated('StringStringEntryProto', 14),
    },
  },
  OperatorSetIdProto: {
    fields: { domain: optional('string', 1), version: optional('int64', 2) },
  },
  StringStringEntryProto: {
    fields: { key: optional('string', 1), value: optional('string', 2) },
  },
  GraphProto: {
    fields: {
      node: repeated('NodeProto', 1),
      name: optional('string', 2),
      initializer: repeated('TensorProto', 5),
      input: repeated('ValueInfoProto', 11),
      output: repeated('ValueInfoProto', 12),
    },
  },
  NodeProto: {
    fields: {
      input: repeated('string', 1),
      output: repeated('string', 2),
      name: optional('string', 3),
      op_type: optional('string', 4),
      attribute: repeated('AttributeProto', 5),
    },
  },
  AttributeProto: {
    fields: {
      name: optional('string', 1),
      type: optional('AttributeType', 20),
      f: optional('float', 2),
      i: optional('int64', 3),
      ints: repeated('int64', 8),
    },
    nested: {
      AttributeType: { values: { UNDEFINED: 0, FLOAT: AttributeType.FLOAT, INT: AttributeType.INT, INTS: AttributeType.INTS } },
    },
  },
  TensorProto: {
    fields: {
      dims: repeated('int64', 1),
      data_type: optional('int32', 2),
      name: optional('string', 8),
      raw_data: optional('bytes', 9),
    },
  },
  ValueInfoProto: {
    fields: { name: optional('string', 1), type: optional('TypeProto', 2) },
  },
  TypeProto: {
    oneofs: { value: { oneof: ['tensor_type'] } },
    fields: { tensor_type: optional('Tensor', 1) },
    nested: {
      Tensor: {
        fields: { elem_type: optional('int32', 1), shape: optional('TensorShapeProto', 2) },
      },
    },
  },
  TensorShapeProto: {
    fields: { dim: repeated('Dimension', 1) },
    nested: {
      Dimension: {
        oneofs: { value: { oneof: ['dim_value', 'dim_param'] } },
        fields: { dim_value: optional('int64', 1), dim_param: optional('string', 2) },
      },
    },
  },
};

/**
 * NOTE: protobufjs reads a JSON type as proto3 unless told otherwise, and
 * proto3 would drop fields set to 0 (Gemm's transB = 0) and pack repeated
 * ints; onnx.proto is proto2, so every message says so.
 */
const onnxSchema = {
  nested: {
    onnx: {
      nested: Object.fromEntries(Object.entries(onnxMessages).map(([name, type]) => [name, { edition: 'proto2', ...type }])),
    },
  },
};

const onnxRoot = protobuf.Root.fromJSON(onnxSchema);
const onnxTypes = { ModelProto: onnxRoot.lookupType('onnx.ModelProto') };
