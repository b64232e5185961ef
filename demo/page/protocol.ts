// The messages between the page (ui/main.ts) and its training Worker (worker/worker.ts). Plain
// types that import nothing from the engine but the configuration, so the page's DOM build
// (ui/tsconfig.json) and its bundle stay apart from the engine; worker/session.ts checks that
// StepMetrics and EpochRecord still match the engine's.

import type { DinoConfig } from '../../src/dino/config.js';

export type { DinoConfig };

/** dino.StepMetrics: the scheduled values and what one step measured. */
export interface StepMetrics {
  lr: number;
  wd: number;
  momentum: number;
  teacherTemp: number;
  loss: number;
  /** h(P_t), the paper's collapse monitor (→ 0: one dimension dominates; → ln K: uniform). */
  teacherEntropy: number;
  /** KL(P_t‖P_s) (→ 0: collapse). */
  kl: number;
}

/** What one step reports (the CLI's progress bar shows the same). */
export interface StepReport {
  /** Epoch of the step, from 0. */
  epoch: number;
  epochs: number;
  /** Step within the epoch, from 1. */
  step: number;
  stepsPerEpoch: number;
  /** Global iterations done, from 1. */
  iteration: number;
  totalIterations: number;
  metrics: StepMetrics;
  seconds: number;
  imgPerSec: number;
  etaSeconds: number;
}

/** One line of the CLI's log.jsonl (dino/trainer.ts EpochRecord). */
export interface EpochRecord {
  epoch: number;
  train_loss: number;
  train_lr: number;
  train_wd: number;
  train_momentum: number;
  train_teacher_temp: number;
  train_teacher_entropy: number;
  train_kl: number;
  seconds: number;
  img_per_s: number;
  knn_top1?: Record<string, number>;
  knn_protocol?: string;
}

/** Which backend the page asks for: `auto` (the rule in backend.ts), or one by name. */
export type BackendRequest = 'auto' | 'webgpu' | 'cpu';

export interface BackendReport {
  /** 'webgpu' or the CPU backend's name. */
  kind: string;
  /** The backend's own description (describe()). */
  description: string;
  /** Why this one: the adapter that answered, or why WebGPU is not used. */
  reason: string;
}

/** One picture of the last layer's [CLS] attention: a column per image, a row per head. */
export interface AttentionGrid {
  /** What the maps come from, e.g. "epoch 2" or "random init". */
  title: string;
  /** RGBA pixels, `width`×`height`: row 0 the images, row 1 + h head h over the image. */
  rgba: ArrayBuffer;
  width: number;
  height: number;
  /** Side of one tile in pixels. */
  tile: number;
  heads: number;
  /** The class of each column's image. */
  labels: string[];
}

export interface KnnReport {
  /** What was evaluated, e.g. "epoch 2" or the loaded file's name. */
  source: string;
  /** Weighted k-NN top-1 (fractions) per k. */
  top1: Record<string, number>;
  protocol: string;
}

/** `stopped`: the run hit an error (a non-finite loss); `failed`: the page could not start. */
export type RunState = 'loading' | 'ready' | 'running' | 'paused' | 'done' | 'stopped' | 'failed';

export type ToWorker =
  | { type: 'init'; dataUrl: string; backend: BackendRequest }
  /** A new run; `pauseAfter` pauses after that many steps (0: never). */
  | { type: 'start'; config: DinoConfig; pauseAfter: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'save' }
  /** A checkpoint file; `config` gives the k-NN settings for a file that has none. */
  | { type: 'load'; name: string; bytes: ArrayBuffer; config: DinoConfig };

export type FromWorker =
  | {
      type: 'ready';
      backend: BackendReport;
      dataset: { name: string; train: number; test: number };
    }
  | { type: 'state'; state: RunState; message: string }
  | { type: 'started'; config: DinoConfig; itersPerEpoch: number; iteration: number }
  | { type: 'step'; report: StepReport }
  | { type: 'epoch'; record: EpochRecord }
  | { type: 'attention'; grid: AttentionGrid }
  | { type: 'knn'; report: KnnReport }
  | { type: 'checkpoint'; name: string; bytes: ArrayBuffer }
  | { type: 'error'; message: string };
