// k-NN baselines that put a DINO number in context: the same weighted k-NN on raw pixels (the
// evaluation-transformed image as one vector) and on a randomly initialised ViT of the same
// configuration. A self-supervised backbone is only useful if it beats the random one.

import type { ImageDataset } from '../data/image-dataset.js';
import type { Backend } from '../tensor/backend.js';
import { Generator } from '../tensor/random.js';
import { EvalTransform } from './augment/index.js';
import { VisionTransformer, type ViTConfig } from '../nn/vit.js';
import { extractFeatures } from './features.js';
import { type FeatureSet, knnClassify, type KnnResult, normalizeRows } from './knn.js';

export interface Baselines {
  rawPixels: KnnResult;
  randomInit: KnnResult;
}

export function pixelFeatures(
  ds: ImageDataset,
  n: number,
  size: number,
  norm: { mean: number[]; std: number[] },
): FeatureSet {
  const t = new EvalTransform({ size, mean: norm.mean, std: norm.std }, ds.channels);
  const dim = ds.channels * size * size;
  const features = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  const batch = 512;
  for (let s = 0; s < n; s += batch) {
    const count = Math.min(batch, n - s);
    const imgs = Array.from({ length: count }, (_, j) => ds.image(s + j));
    features.set(t.apply(imgs), s * dim);
    for (let j = 0; j < count; j++) labels[s + j] = ds.labels ? ds.labels[s + j] : -1;
  }
  return { features: normalizeRows(features, n, dim), labels, n, dim };
}

export interface BaselineOptions {
  /** The ViT whose random initialisation is measured (drop path is irrelevant in eval). */
  vit: ViTConfig;
  /** Evaluation image side. */
  size: number;
  ks: number[];
  temperature: number;
  /** Seed of the random initialisation (the training seed gives the student's starting point). */
  seed: number;
  norm: { mean: number[]; std: number[] };
  backend: Backend;
  /** Memory-bank images (default: all of train). */
  nTrain?: number;
}

export function knnBaselines(
  train: ImageDataset,
  test: ImageDataset,
  o: BaselineOptions,
): Baselines {
  const knnOpts = {
    ks: o.ks,
    temperature: o.temperature,
    backend: o.backend,
    numClasses: test.classes?.length,
  };
  const { size, norm, backend } = o;
  const nTrain = Math.min(o.nTrain ?? train.length, train.length);
  const rawPixels = knnClassify(
    pixelFeatures(train, nTrain, size, norm),
    pixelFeatures(test, test.length, size, norm),
    knnOpts,
  );
  const random = new VisionTransformer(
    { ...o.vit, dropPathRate: 0 },
    { backend, generator: new Generator(o.seed) },
  );
  const fopts = { size, mean: norm.mean, std: norm.std, backend };
  const range = (k: number) => Array.from({ length: k }, (_, i) => i);
  const randomInit = knnClassify(
    extractFeatures(random, train, { ...fopts, indices: range(nTrain) }),
    extractFeatures(random, test, fopts),
    knnOpts,
  );
  return { rawPixels, randomInit };
}
