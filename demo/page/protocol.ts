// The messages between the page (ui/main.ts) and its training Worker (worker/worker.ts). Plain
// types that take nothing from the engine but two types of small modules without Node: the
// configuration and the epoch's log line (src/dino/epoch.ts EpochRecord, a line of the CLI's
// log.jsonl), so the page's DOM build (ui/tsconfig.json) and its bundle stay apart from the
// engine; worker/session.ts checks that StepMetrics still matches the engine's.

import type { DinoConfig } from '../../src/dino/config.js';
import type { EpochRecord } from '../../src/dino/epoch.js';

export type { DinoConfig, EpochRecord };

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

/** Which backend the page asks for: `auto` (the rule in backend.ts), or one by name. */
export type BackendRequest = 'auto' | 'webgpu' | 'wasm' | 'cpu';

export interface BackendReport {
  kind: 'webgpu' | 'wasm' | 'cpu';
  /** The backend's own description (describe()). */
  description: string;
  /** Why this one: the adapter that answered, or why WebGPU is not used. */
  reason: string;
  /** Threads its kernels run on (the wasm backend's Web Workers and this one). */
  threads: number;
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
  /** `threads`: the wasm backend's threads (?threads=), null for its default. */
  | { type: 'init'; dataUrl: string; backend: BackendRequest; threads: number | null }
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
