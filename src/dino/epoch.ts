// The order of the images in each epoch, shared by every training loop (the CLI's trainer.ts
// and the browser demo's worker): a permutation that depends only on the seed and the epoch, so
// a resumed run sees the same images in the same order. Official counterpart: main_dino.py
// train_dino's DistributedSampler (shuffle, drop_last; set_epoch reseeds it every epoch).

import { Generator } from '../tensor/random.js';

/** The images of epoch `epoch` in order: a permutation that depends only on (seed, epoch). */
export function epochOrder(seed: number, epoch: number, n: number): Int32Array {
  return new Generator((seed * 1000003 + epoch * 7919 + 17) >>> 0).permutation(n);
}
