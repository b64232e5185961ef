// What every training loop shares about an epoch (the CLI's trainer.ts and the browser demo's
// worker): the running sums of its metrics, and the order of its images, a permutation that depends
// only on the seed and the epoch, so a resumed run sees the same images in the same order. Official
// counterpart: main_dino.py train_dino's DistributedSampler (shuffle, drop_last; set_epoch reseeds
// it every epoch).

import { Generator } from '../tensor/random.js';

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
