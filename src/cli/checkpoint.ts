import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import { loadModel, saveModel } from '../io/model-files.js';
import type { Sequential } from '../model/sequential.js';
import type { RngState } from '../rng.js';
import type { History, ResumePoint } from '../train/fit.js';
import type { DataSource } from './data.js';

/** A run's settings, as history.json and every checkpoint record them. */
export interface TrainSettings {
  hidden: number[];
  activation: 'relu' | 'sigmoid' | 'tanh' | 'leaky-relu';
  init: 'he' | 'glorot';
  epochs: number;
  batchSize: number;
  optimizer: { name: string; lr: number };
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
    Array.isArray(state.resume.rng?.s);
  if (!ok) throw new DataError(`${path}: not a training checkpoint (no settings, history and resume point in its metadata)`);
  return { model, state: state as CheckpointState };
}
