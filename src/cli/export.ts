import { resolve } from 'node:path';
import { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { loadModel } from '../io/model-files.js';
import { encodeOnnx, onnxSignature, type OnnxValue } from '../io/onnx.js';
import { writeFileAtomic } from '../io/write.js';

/** The parsed flags of `scratchnet export`. */
export interface ExportFlags {
  model: string;
  onnx: string;
  /** False with --no-logits. */
  logits: boolean;
  json: boolean;
}

const examples = `
Examples:
  $ scratchnet export --model runs/20261124-233512/model.safetensors --onnx mnist.onnx
  $ scratchnet export --model model.safetensors --onnx mnist.onnx --no-logits --json

The graph takes "pixels" [batch, 784] float32 in [0, 1] (byte / 255, 28×28
row-major, white digit on black) and gives "probabilities" [batch, 10] (softmax)
and "logits" [batch, 10]. Run it with onnxruntime in Python:
  sess = onnxruntime.InferenceSession("mnist.onnx")
  probs = sess.run(["probabilities"], {"pixels": (images.reshape(-1, 784) / 255).astype("float32")})[0]
`;

/** The `export` command. */
export function exportCommand(): Command {
  return new Command('export')
    .description('write a model file as an ONNX graph (opset 17) for onnxruntime and other ONNX tools')
    .requiredOption('--model <file>', 'the model file to export (model.safetensors of a run folder)')
    .requiredOption('--onnx <file>', 'the ONNX file to write (replaced atomically if it exists)')
    .option('--no-logits', 'give only the "probabilities" output, not the "logits" as well')
    .option('--json', 'print a JSON summary as the last line of stdout', false)
    .addHelpText('after', examples)
    .action((flags: ExportFlags) => {
      runExport(flags, (line) => console.log(line));
    });
}

/** Loads `flags.model`, writes its ONNX graph to `flags.onnx` and prints what it wrote. */
export function runExport(flags: ExportFlags, log: (line: string) => void): void {
  if (resolve(flags.onnx) === resolve(flags.model)) {
    throw new ConfigError(`--onnx ${flags.onnx}: is the model file itself; expected another path, so the model is not overwritten`);
  }
  const { model } = loadModel(flags.model);
  const options = { logits: flags.logits };
  const bytes = encodeOnnx(model, options);
  writeFileAtomic(flags.onnx, bytes);
  const signature = onnxSignature(model, options);
  if (flags.json) {
    log(JSON.stringify({ onnx: flags.onnx, bytes: bytes.length, ...signature }));
    return;
  }
  const shape = (v: OnnxValue): string => `float32 [${v.shape.join(', ')}]`;
  log(`Wrote ${flags.onnx} (${bytes.length} bytes): ONNX opset ${signature.opset}, IR version ${signature.irVersion}`);
  for (const v of signature.inputs) log(`  input  ${v.name} ${shape(v)}, values in [0, 1]`);
  for (const v of signature.outputs) log(`  output ${v.name} ${shape(v)}`);
}
