// Frozen features for evaluation (official eval_knn.py extract_features): the backbone's
// final-norm [CLS] token of every image through the evaluation transform (no augmentation),
// computed without gradients in batches, L2-normalised (F.normalize, dim 1).

import { noGrad } from '../autograd/grad-mode.js';
import type { ImageDataset } from '../data/image-dataset.js';
import type { VisionTransformer } from '../nn/vit.js';
import type { Backend } from '../tensor/backend.js';
import { tidy } from '../tensor/tensor.js';
import { EvalTransform } from './augment/index.js';
import { type FeatureSet, normalizeRows } from './knn.js';

export interface FeatureOptions {
  /** Side the images are resized to (the training global crop size). */
  size: number;
  mean: readonly number[];
  std: readonly number[];
  batch?: number;
  backend?: Backend;
  /** Use only these images (default: all). */
  indices?: ArrayLike<number>;
  /** Called after each batch with the number of images done. */
  onProgress?: (done: number, total: number) => void;
}

export function extractFeatures(
  backbone: VisionTransformer,
  ds: ImageDataset,
  opts: FeatureOptions,
): FeatureSet {
  const idx = opts.indices ?? Array.from({ length: ds.length }, (_, i) => i);
  const n = idx.length;
  const batch = opts.batch ?? 256;
  const transform = new EvalTransform(
    { size: opts.size, mean: opts.mean, std: opts.std },
    ds.channels,
  );
  const dim = backbone.config.embedDim;
  const features = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  const wasTraining = backbone.training;
  backbone.eval();
  for (let start = 0; start < n; start += batch) {
    const count = Math.min(batch, n - start);
    const images = Array.from({ length: count }, (_, j) => ds.image(idx[start + j]));
    for (let j = 0; j < count; j++) labels[start + j] = ds.labels ? ds.labels[idx[start + j]] : -1;
    const f = noGrad(() =>
      tidy(() =>
        backbone.forward(transform.applyTensor(images, { backend: opts.backend })).dataSync(),
      ),
    ); // sync point: [count, dim]
    features.set(f, start * dim);
    opts.onProgress?.(start + count, n);
  }
  backbone.train(wasTraining);
  return { features: normalizeRows(features, n, dim), labels, n, dim };
}
