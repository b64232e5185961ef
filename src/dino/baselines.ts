// Baselines that put a DINO number in context: the same weighted k-NN (knnBaselines) or linear
// probe (linearBaselines) on raw pixels (the evaluation-transformed image as one vector) and on a
// randomly initialised ViT of the same configuration. A self-supervised backbone is only useful
// if it beats the random one.

import type { ImageDataset } from '../data/image-dataset.js';
import type { Backend } from '../tensor/backend.js';
import { Generator } from '../tensor/random.js';
import { EvalTransform } from './augment/index.js';
import { VisionTransformer, type ViTConfig } from '../nn/vit.js';
import { extractFeatures } from './features.js';
import { type FeatureSet, knnClassify, type KnnResult, normalizeRows } from './knn.js';
import {
  type LabelledFeatures,
  linearProbe,
  type LinearProbeOptions,
  type LinearProbeResult,
  type LinearProbeRun,
  trainLinearProbe,
} from './linear-probe.js';

export interface Baselines {
  rawPixels: KnnResult;
  randomInit: KnnResult;
}

/** The first n images of ds, evaluation-transformed, one row each: [n, C·size²], not L2-normed. */
export function pixelVectors(
  ds: ImageDataset,
  n: number,
  size: number,
  norm: { mean: readonly number[]; std: readonly number[] },
): LabelledFeatures {
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
  return { features, labels, n, dim };
}

/** pixelVectors with L2-normalised rows: the k-NN features of raw pixels. */
export function pixelFeatures(
  ds: ImageDataset,
  n: number,
  size: number,
  norm: { mean: readonly number[]; std: readonly number[] },
): FeatureSet {
  const v = pixelVectors(ds, n, size, norm);
  return { ...v, features: normalizeRows(v.features, n, v.dim) };
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

export interface LinearBaselines {
  rawPixels: LinearProbeResult;
  randomInit: LinearProbeRun;
}

export interface LinearBaselineOptions {
  /** The ViT whose random initialisation is probed. */
  vit: ViTConfig;
  /** Evaluation image side. */
  size: number;
  /** Seed of the ViT's random initialisation (the training seed: the student's starting point). */
  initSeed: number;
  norm: { mean: readonly number[]; std: readonly number[] };
  backend: Backend;
  /** [CLS] tokens of this many last blocks for the random ViT (default min(4, depth)). */
  nLastBlocks?: number;
}

/** The same linear probe (`probe`: epochs, lr, ...) on raw pixels and on a random-init ViT. */
export async function linearBaselines(
  train: ImageDataset,
  test: ImageDataset,
  o: LinearBaselineOptions,
  probe: LinearProbeOptions = {},
): Promise<LinearBaselines> {
  const { size, norm, backend } = o;
  const rawPixels = await trainLinearProbe(
    pixelVectors(train, train.length, size, norm),
    pixelVectors(test, test.length, size, norm),
    { ...probe, backend },
  );
  const random = new VisionTransformer(
    { ...o.vit, dropPathRate: 0 },
    { backend, generator: new Generator(o.initSeed) },
  );
  const randomInit = await linearProbe(
    random,
    { train, test },
    { ...probe, size, mean: norm.mean, std: norm.std, backend, nLastBlocks: o.nLastBlocks },
  );
  return { rawPixels, randomInit };
}
