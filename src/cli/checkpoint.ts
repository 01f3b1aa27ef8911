import { join } from 'node:path';
import { DataError, ModelFileError } from '../errors.js';
import { type DecodedModel, paramTensorNames, type TrainingTensor } from '../io/model-file.js';
import { loadModel, saveModel } from '../io/model-files.js';
import { makeFolder } from '../io/write.js';
import { describeValue, isRecord } from '../layers/config-check.js';
import type { Sequential } from '../model/sequential.js';
import { Dropout } from '../layers/dropout.js';
import type { Optimizer, OptimizerConfig, OptimizerState } from '../optim/optimizer.js';
import type { RngState } from '../rng.js';
import type { History, ResumePoint } from '../train/fit.js';
import { describeOptimizer, type TrainSettings } from './settings.js';

/**
 * What a checkpoint holds besides the weights. The file keeps the large
 * arrays as tensors in its data section, `optimizer.<slot>.layers.<i>.<param>`
 * (one per slot and param) and `history.batchLoss` (float64), and the rest
 * in its `training` metadata (JSON): the header stays a few KB whatever the
 * model's size.
 */
export interface CheckpointState {
  settings: TrainSettings;
  history: Pick<History, 'epochs' | 'batchLoss' | 'trainLoss' | 'valAccuracy' | 'valLoss'>;
  /** Where training continues, with the shuffling generator's state at the start of that epoch. */
  resume: ResumePoint;
  /** The optimizer's step count and buffers (momenta, moments…). */
  optimizerState: OptimizerState;
  /** Each Dropout layer's generator, in layer order, as it was at the resume point. */
  dropoutRngs: RngState[];
}

/**
 * A checkpoint's `training` metadata: the state without its large arrays
 * (which 0.1.0 kept here too: `history.batchLoss`, `optimizerState.slots`).
 */
type SavedState = Omit<CheckpointState, 'history' | 'optimizerState'> & {
  history: Omit<CheckpointState['history'], 'batchLoss'> & { batchLoss?: unknown };
  optimizerState: { step: number; slots?: unknown };
};

/** A checkpoint read back: its path (for messages), the model with its weights, and the rest. */
export interface Checkpoint {
  path: string;
  model: Sequential;
  state: CheckpointState;
}

/** The Dropout layers of a model, in order. */
function dropouts(model: Sequential): Dropout[] {
  return model.layers.filter((l): l is Dropout => l instanceof Dropout);
}

/** Everything a checkpoint records besides the weights and BatchNorm's statistics (which the model file holds). */
export function checkpointState(
  settings: TrainSettings,
  history: CheckpointState['history'],
  at: ResumePoint,
  model: Sequential,
  optimizer: Optimizer,
): CheckpointState {
  const opt = optimizer.getState();
  return {
    settings,
    history: { epochs: history.epochs, batchLoss: history.batchLoss, trainLoss: history.trainLoss, valAccuracy: history.valAccuracy, valLoss: history.valLoss },
    resume: at,
    optimizerState: opt,
    dropoutRngs: dropouts(model).map((d) => d.rng.getState()),
  };
}

/**
 * Puts a checkpoint's weights, running statistics, optimizer state and
 * Dropout generators into a freshly built run (fit restores the shuffling
 * generator from the resume point).
 */
export function restoreCheckpoint(resumed: Checkpoint, model: Sequential, optimizer: Optimizer): void {
  const saved = resumed.model;
  model.params().forEach((p, i) => p.value.set(saved.params()[i].value));
  model.buffers().forEach((b, i) => b.value.set(saved.buffers()[i].value));
  const { step, slots } = resumed.state.optimizerState;
  const want = Object.keys(optimizer.getState().slots);
  const got = Object.keys(slots);
  // Before the first step an optimizer has no buffers, so the file holds none.
  if (step > 0 && (got.length !== want.length || want.some((name) => !got.includes(name)))) {
    const list = (names: string[]) => (names.length === 0 ? 'none' : names.map((n) => `optimizer.${n}.*`).join(', '));
    throw new DataError(`${resumed.path}: optimizer state, expected the tensors of ${describeOptimizer(resumed.state.settings.optimizer)} (${list(want)}), got ${list(got)}`);
  }
  optimizer.setState({ step, slots: Object.fromEntries(want.map((name) => [name, slots[name] ?? []])) });
  dropouts(model).forEach((d, i) => d.rng.setState(resumed.state.dropoutRngs[i]));
}

/** The checkpoint files of a run folder: the latest state, and the best validation accuracy so far. */
export function checkpointPaths(runDir: string): { dir: string; last: string; best: string } {
  const dir = join(runDir, 'checkpoints');
  return { dir, last: join(dir, 'last.safetensors'), best: join(dir, 'best.safetensors') };
}

/** Writes a checkpoint (atomically: a crash leaves the previous one whole). */
export function saveCheckpoint(path: string, model: Sequential, state: CheckpointState): void {
  makeFolder(join(path, '..'));
  const { batchLoss, ...history } = state.history;
  const names = paramTensorNames(model);
  const params = model.params();
  const tensors: TrainingTensor[] = [];
  for (const [slot, buffers] of Object.entries(state.optimizerState.slots)) {
    buffers.forEach((values, k) => tensors.push({ name: `optimizer.${slot}.${names[k]}`, shape: params[k].shape, values }));
  }
  tensors.push({ name: 'history.batchLoss', shape: [batchLoss.length], values: Float64Array.from(batchLoss) });
  const saved: SavedState = { ...state, history, optimizerState: { step: state.optimizerState.step } };
  saveModel(model, path, saved, tensors);
}

/**
 * Reads a checkpoint written by {@link saveCheckpoint}, checking the parts
 * resuming needs. Checkpoints of scratchnet 0.1.0, which kept the optimizer
 * state and batchLoss as JSON arrays in the metadata, are read too.
 */
export function loadCheckpoint(path: string): Checkpoint {
  let decoded: DecodedModel;
  try {
    decoded = loadModel(path);
  } catch (err) {
    // The one way scratchnet itself made such a file: 0.1.0's JSON optimizer state.
    if (err instanceof ModelFileError && err.message.startsWith(`${path}: byte 0: header length too large`)) {
      throw new ModelFileError(`${err.message} (a checkpoint of scratchnet 0.1.0, which kept the optimizer state in its header: start the run again)`);
    }
    throw err;
  }
  const { model, training, trainingTensors } = decoded;
  const state = training as Partial<SavedState> | undefined;
  const ok =
    state !== undefined &&
    typeof state.settings === 'object' &&
    state.settings !== null &&
    typeof state.history === 'object' &&
    state.history !== null &&
    typeof state.resume === 'object' &&
    state.resume !== null &&
    Number.isInteger(state.resume.epoch) &&
    Number.isInteger(state.resume.batch) &&
    Array.isArray(state.resume.rng?.s) &&
    typeof state.optimizerState === 'object' &&
    state.optimizerState !== null &&
    Number.isInteger(state.optimizerState.step) &&
    Array.isArray(state.dropoutRngs);
  if (!ok) throw new DataError(`${path}: not a training checkpoint (no settings, history and resume point in its metadata)`);
  const saved = state as SavedState;
  const { batchLoss: oldBatchLoss, ...history } = saved.history;
  const batchLossTensor = trainingTensors.get('history.batchLoss');
  let batchLoss: number[];
  if (batchLossTensor !== undefined) batchLoss = Array.from(batchLossTensor);
  else if (Array.isArray(oldBatchLoss) && oldBatchLoss.every((x) => typeof x === 'number')) batchLoss = oldBatchLoss;
  else throw new DataError(`${path}: missing tensor "history.batchLoss", expected the loss of every batch so far, got nothing`);
  const { step, slots: oldSlots } = saved.optimizerState;
  const slots = oldSlots === undefined ? slotsFromTensors(path, trainingTensors, paramTensorNames(model)) : slotsFromJson(path, oldSlots, model);
  return { path, model, state: { ...saved, history: { ...history, batchLoss }, optimizerState: { step, slots } } };
}

/** The optimizer's buffers from the tensors `optimizer.<slot>.<param>`: every param must have one in each slot present. */
function slotsFromTensors(path: string, tensors: ReadonlyMap<string, Float32Array | Float64Array>, params: readonly string[]): Record<string, Float32Array[]> {
  const names = new Set([...tensors.keys()].filter((n) => n.startsWith('optimizer.')).map((n) => n.split('.')[1]));
  const slots: Record<string, Float32Array[]> = {};
  for (const slot of names) {
    slots[slot] = params.map((param) => {
      const values = tensors.get(`optimizer.${slot}.${param}`);
      // The model file checked the dtype (F32) and the shape of every one present.
      if (values === undefined) throw new DataError(`${path}: missing tensor "optimizer.${slot}.${param}", expected the optimizer's ${slot} buffer of every param, got nothing`);
      return values as Float32Array;
    });
  }
  return slots;
}

/** The optimizer's buffers from a 0.1.0 checkpoint's `optimizerState.slots` (JSON arrays, one per param). */
function slotsFromJson(path: string, slots: unknown, model: Sequential): Record<string, Float32Array[]> {
  const at = `${path}: __metadata__.training.optimizerState.slots`;
  if (!isRecord(slots)) throw new DataError(`${at}: expected an object of arrays (a 0.1.0 checkpoint), got ${describeValue(slots)}`);
  const params = paramTensorNames(model);
  const sizes = model.params().map((p) => p.value.length);
  const out: Record<string, Float32Array[]> = {};
  for (const [slot, list] of Object.entries(slots)) {
    // Empty before the first step, as the optimizer's own state is.
    if (!Array.isArray(list) || (list.length !== 0 && list.length !== sizes.length)) {
      throw new DataError(`${at}.${slot}: expected one array per param (${sizes.length}), got ${Array.isArray(list) ? `${list.length} arrays` : describeValue(list)}`);
    }
    list.forEach((a: unknown, k) => {
      if (!Array.isArray(a) || a.length !== sizes[k] || !a.every((x) => typeof x === 'number')) {
        const got = Array.isArray(a) ? `${a.length} values` : describeValue(a);
        throw new DataError(`${at}.${slot}[${k}]: expected ${sizes[k]} numbers (one per value of ${params[k]}), got ${got}`);
      }
    });
    out[slot] = (list as number[][]).map((a) => Float32Array.from(a));
  }
  return out;
}
