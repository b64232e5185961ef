// The default dataset shipped inside the package: a class-balanced Fashion-MNIST subset
// (Xiao, Rasul & Vollgraf 2017, Zalando Research, MIT licence) of 10 000 train images (1 000 per
// class, chosen with a fixed seed) and the full 10 000-image test set, as gzipped idx files in
// data/fashion-mnist/ (made by tools/make-embedded-data.ts; see data/fashion-mnist/README.md).
// Official counterpart: none (DINO trains on ImageNet); torchvision.datasets.FashionMNIST reads
// the same files. The folder is found relative to this module, so it works from src/ (tsx), from
// dist/ after a build and from node_modules/mini-dino after `npm install`.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatasetSplits } from './image-dataset.js';
import { loadIdxDirectory } from './idx.js';

/** Images per class in the embedded train split. */
export const EMBEDDED_TRAIN_PER_CLASS = 1000;

/**
 * Pixel mean and std of the embedded train set on the [0, 1] scale (channelStats: 0.28604 and
 * 0.35298; the full 60 000-image train set gives 0.28604 and 0.35302), for Normalize.
 */
export const FASHION_MNIST_STATS: {
  readonly mean: readonly number[];
  readonly std: readonly number[];
} = Object.freeze({
  mean: Object.freeze([0.286]),
  std: Object.freeze([0.353]),
});

/** The folder holding the embedded idx files (src/data/ and dist/data/ are both two levels below
 * the package root). */
export function embeddedDataDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, '..', '..', 'data', 'fashion-mnist');
}

/**
 * The embedded Fashion-MNIST: `train` 10 000 images (1 000 per class), `test` the official 10 000
 * test images; 1 channel, 28x28, labels with the Fashion-MNIST class names.
 */
export function loadEmbeddedFashionMnist(): Required<DatasetSplits> {
  const dir = embeddedDataDir();
  if (!existsSync(dir)) {
    throw new Error(
      `the embedded Fashion-MNIST is missing: ${dir} does not exist (a ` +
        `broken install? regenerate it with \`npx tsx tools/make-embedded-data.ts\`)`,
    );
  }
  return loadIdxDirectory(dir, { name: 'fashion-mnist (embedded)' });
}
