// What every training loop shares about an epoch (the CLI's trainer.ts and the browser demo's
// worker): the running sums of its metrics, the line it logs (EpochRecord, one line of log.jsonl),
// and the order of its images, a permutation that depends only on the seed and the epoch, so a
// resumed run sees the same images in the same order. Official counterpart: main_dino.py
// train_dino's DistributedSampler (shuffle, drop_last; set_epoch reseeds it every epoch) and its
// log_stats line.

import { Generator } from '../tensor/random.js';
import type { CollapseKind } from './collapse-monitor.js';

/** The images of epoch `epoch` in order: a permutation that depends only on (seed, epoch). */
export function epochOrder(seed: number, epoch: number, n: number): Int32Array {
  return new Generator((seed * 1000003 + epoch * 7919 + 17) >>> 0).permutation(n);
}

/** Running sums of the step metrics over the steps of an epoch so far (the epoch's log line is
 * their means; a checkpoint saved mid-epoch keeps them, so a resumed epoch logs the same line). */
export interface EpochSums {
  n: number;
  loss: number;
  entropy: number;
  kl: number;
  lr: number;
  wd: number;
  momentum: number;
  temp: number;
  seconds: number;
}

export const emptySums = (): EpochSums => ({
  n: 0,
  loss: 0,
  entropy: 0,
  kl: 0,
  lr: 0,
  wd: 0,
  momentum: 0,
  temp: 0,
  seconds: 0,
});

/** One line of log.jsonl: the official keys (train_loss, train_lr, train_wd, epoch) and ours. */
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
  /** k-NN top-1 (fractions) per k, when evaluated this epoch. */
  knn_top1?: Record<string, number>;
  /** Which images the k-NN used: 'subset' (per-epoch monitor) or 'full'. */
  knn_protocol?: string;
  /** Set when the epoch's teacher entropy says training stalled (collapse-monitor.ts). */
  stall?: CollapseKind;
  /** What the stall looks like and its likely causes (also printed). */
  stall_message?: string;
}
