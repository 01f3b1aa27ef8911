/**
 * scratchnet for browsers (and any JavaScript runtime): everything but the
 * Node file helpers — layers, losses, optimizers, fit, metrics, the data
 * parsers (on bytes), the model file (on bytes) and the SIMD kernels. Bundlers
 * pick it through the package's `browser` export condition; dist/browser/
 * also holds ready-made ESM and <script> (global `scratchnet`) bundles.
 */
export { VERSION } from './version.js';
export { ScratchnetError, DataError, ShapeError, ConfigError, ModelFileError } from './errors.js';
export { Rng, type RngState } from './rng.js';

export { tensor, zeros, toArray2, type Tensor } from './kernels/tensor.js';
/** The numeric kernels (matmuls, SIMD dispatch, kernel memory) and their plain references. */
export * as kernels from './kernels/index.js';
/** Kernel threads: Node with SCRATCHNET_THREADS above 1, or a worker of a cross-origin-isolated page (kernels/threads.ts). */
export { setThreads, threadCount } from './kernels/threads.js';

export type { Layer, LayerBuffer, LayerConfig, Param } from './layers/layer.js';
export { Dense, defaultRng, type DenseOptions } from './layers/dense.js';
export { Dropout, type DropoutOptions } from './layers/dropout.js';
export { BatchNorm, type BatchNormOptions } from './layers/batchnorm.js';
export { Conv2D, type Conv2DOptions } from './layers/conv2d.js';
export { MaxPool2D, AvgPool2D, type Pool2DOptions } from './layers/pool2d.js';
export { Flatten } from './layers/flatten.js';
export { Standardize } from './layers/standardize.js';
export { Softmax } from './layers/softmax.js';
export {
  Activation,
  ReLU,
  Sigmoid,
  Tanh,
  LeakyReLU,
  Identity,
  linear,
  activations,
  activationByName,
  activationLayer,
  relu,
  sigmoid,
  tanh,
  leakyRelu,
  LEAKY_SLOPE,
  type ActivationFn,
  type ActivationName,
} from './layers/activations.js';
export { initWeights, initNames, parseInit, type InitName } from './layers/init.js';

export { softmax, softmaxCrossEntropy, softmaxCrossEntropyWithLogits } from './losses/softmax-cross-entropy.js';
export { mse, meanSquaredError } from './losses/mse.js';
export { binaryCrossEntropy, binaryCrossEntropyWithLogits } from './losses/binary-cross-entropy.js';
export { lossFor, LOSS_NAMES, type Loss, type LossName } from './losses/index.js';
export type { Optimizer, OptimizerConfig, OptimizerState } from './optim/optimizer.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export { Adagrad, type AdagradOptions } from './optim/adagrad.js';
export { RMSprop, type RMSpropOptions } from './optim/rmsprop.js';
export { Adam, type AdamOptions } from './optim/adam.js';
export { AdamW, type AdamWOptions } from './optim/adamw.js';
export { optimizerFromConfig, optimizerNames, type OptimizerName } from './optim/from-config.js';
export { cliOptimizerNames, defaultLr, optimizerConfigFromFlags, type CliOptimizerName, type OptimizerFlags } from './optim/presets.js';

export { Sequential, forward, predict, train, type Network } from './model/sequential.js';
export { mlp, type MlpOptions } from './model/mlp.js';
export { sequentialFromSpec, ARCHITECTURES } from './model/spec.js';
export { architectureOf, layerFromConfig, layerKinds, sequentialFromArchitecture, type ArchitectureOptions } from './model/from-config.js';
export { registerLayerKind, findLayerKind } from './layers/registry.js';
export { layerKind, type LayerKind, type LayerPlan, type OnnxGraph, type OnnxAttributes } from './layers/layer.js';

export { fit, TrainingError, type FitData, type FitOptions, type History, type Callbacks, type BatchLogs, type EpochLogs, type ResumePoint } from './train/fit.js';
export { evaluate, type Evaluation } from './train/evaluate.js';
export { gradCheck, relativeError, worseVerdict, GRADCHECK_PASS, GRADCHECK_FAIL, type GradCheckOptions, type GradCheckResult, type GradCheckVerdict, type TensorCheck } from './train/gradcheck.js';
export { lrSchedule, scheduleNames, type LrSchedule, type ScheduleName, type ScheduleOptions } from './train/schedules.js';
export { earlyStopping, type EarlyStoppingOptions } from './train/early-stopping.js';
export { lrFind, type LrFindOptions, type LrFindResult, type LrFindStep } from './train/lr-find.js';
export { histogram, deadFraction, saturatedFraction, StatsRecorder, type TrainingStats, type ActivationStats, type ParamStats, type Histogram } from './train/stats.js';
export { clipGradNorm } from './optim/clip.js';
export { accuracy } from './metrics/accuracy.js';
export { confusionMatrix, classificationReport, type ConfusionMatrix, type ClassMetrics, type ClassificationReport } from './metrics/confusion.js';
export { decisionGrid, extentOf, gridCentres, type DecisionGrid, type Extent } from './metrics/decision-grid.js';

export * from './data/index.js';
export { toyDataset, TOY_NAMES, TOY_SETS, type ToyName, type ToyOptions } from './data/toy.js';
/** The colours of the boundary pictures (classes; signed values), shared by the report and the playground. */
export { boundaryTile, CLASS_COLOURS } from './plot/boundary.js';
export { colourOf, type Tile, type TileScale } from './plot/tiles.js';
export { decodeModel, encodeModel, MAX_HEADER_BYTES, MODEL_FORMAT, type DecodedModel, type TrainingTensor } from './io/model-file.js';
export { encodeOnnx, onnxSignature, ONNX_IR_VERSION, ONNX_OPSET, type OnnxOptions, type OnnxSignature, type OnnxValue } from './io/onnx.js';
