import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import { loadModel, saveModel } from '../io/model-files.js';
import type { Sequential } from '../model/sequential.js';
import { Dropout } from '../layers/dropout.js';
import type { Optimizer, OptimizerConfig } from '../optim/optimizer.js';
import type { Rng, RngState } from '../rng.js';
import type { ScheduleName } from '../train/schedules.js';
import type { History, ResumePoint } from '../train/fit.js';
import type { DataSource } from './data-source.js';

/** A run's settings, as history.json and every checkpoint record them. */
export interface TrainSettings {
  hidden: number[];
  activation: 'relu' | 'sigmoid' | 'tanh' | 'leaky-relu';
  init: 'he' | 'glorot';
  epochs: number;
  batchSize: number;
  /** The optimizer's full config() (optimizerFromConfig rebuilds it). */
  optimizer: OptimizerConfig;
  dropout: number;
  batchNorm: boolean;
  clipNorm: number | null;
  schedule: { kind: ScheduleName; warmupEpochs: number };
  earlyStop: number | null;
  seed: number;
  valSplit: number;
  subset: number | null;
  data: DataSource;
  tutorialCompat: boolean;
}

/** What a checkpoint holds besides the weights (in the model file's `training` metadata). */
export interface CheckpointState {
  settings: TrainSettings;
  history: Pick<History, 'epochs' | 'batchLoss' | 'trainLoss' | 'valAccuracy' | 'valLoss'>;
  /** Where training continues, and the generator's state at the start of that epoch. */
  resume: ResumePoint & { rng: RngState };
  /** The optimizer's state (momenta, moments…), slots as plain arrays (float32 values survive JSON exactly). */
  optimizerState: { step: number; slots: Record<string, number[][]> };
  /** Each Dropout layer's generator, in layer order, as it was at the resume point. */
  dropoutRngs: RngState[];
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
  rng: RngState,
  model: Sequential,
  optimizer: Optimizer,
): CheckpointState {
  const opt = optimizer.getState();
  return {
    settings,
    history: { epochs: history.epochs, batchLoss: history.batchLoss, trainLoss: history.trainLoss, valAccuracy: history.valAccuracy, valLoss: history.valLoss },
    resume: { ...at, rng },
    optimizerState: { step: opt.step, slots: Object.fromEntries(Object.entries(opt.slots).map(([k, arrays]) => [k, arrays.map((a) => Array.from(a))])) },
    dropoutRngs: dropouts(model).map((d) => d.rng.getState()),
  };
}

/** Puts a checkpoint's weights, running statistics, optimizer state and generators into a freshly built run. */
export function restoreCheckpoint(resumed: { model: Sequential; state: CheckpointState }, model: Sequential, optimizer: Optimizer, rng: Rng): void {
  const saved = resumed.model;
  model.params().forEach((p, i) => p.value.set(saved.params()[i].value));
  model.buffers().forEach((b, i) => b.value.set(saved.buffers()[i].value));
  const { step, slots } = resumed.state.optimizerState;
  optimizer.setState({ step, slots: Object.fromEntries(Object.entries(slots).map(([k, arrays]) => [k, arrays.map((a) => Float32Array.from(a))])) });
  dropouts(model).forEach((d, i) => d.rng.setState(resumed.state.dropoutRngs[i]));
  rng.setState(resumed.state.resume.rng);
}

/** The optimizer for a human: `sgd (lr 0.1)`, `adam (lr 0.001, beta1 0.9, …)`. */
export function describeOptimizer(config: OptimizerConfig): string {
  const { name, ...options } = config;
  const shown = Object.entries(options).filter(([k, v]) => k === 'lr' || (v !== 0 && v !== false));
  return `${name} (${shown.map(([k, v]) => `${k} ${String(v)}`).join(', ')})`;
}

/** The checkpoint files of a run folder: the latest state, and the best validation accuracy so far. */
export function checkpointPaths(runDir: string): { dir: string; last: string; best: string } {
  const dir = join(runDir, 'checkpoints');
  return { dir, last: join(dir, 'last.safetensors'), best: join(dir, 'best.safetensors') };
}

/** Writes a checkpoint (atomically: a crash leaves the previous one whole). */
export function saveCheckpoint(path: string, model: Sequential, state: CheckpointState): void {
  mkdirSync(join(path, '..'), { recursive: true });
  saveModel(model, path, state);
}

/** Reads a checkpoint written by {@link saveCheckpoint}, checking the parts resuming needs. */
export function loadCheckpoint(path: string): { model: Sequential; state: CheckpointState } {
  const { model, training } = loadModel(path);
  const state = training as Partial<CheckpointState> | undefined;
  const ok =
    state !== undefined &&
    typeof state.settings === 'object' &&
    state.settings !== null &&
    typeof state.history === 'object' &&
    state.history !== null &&
    Array.isArray(state.history.batchLoss) &&
    typeof state.resume === 'object' &&
    state.resume !== null &&
    Number.isInteger(state.resume.epoch) &&
    Number.isInteger(state.resume.batch) &&
    Array.isArray(state.resume.rng?.s) &&
    typeof state.optimizerState === 'object' &&
    Array.isArray(state.dropoutRngs);
  if (!ok) throw new DataError(`${path}: not a training checkpoint (no settings, history and resume point in its metadata)`);
  return { model, state: state as CheckpointState };
}
