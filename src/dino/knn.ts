// Weighted k-NN classification on frozen features (official eval_knn.py knn_classifier;
// paper §3.2): features are L2-normalised; for each test feature the k most similar training
// features (cosine similarity s) vote for their class with weight exp(s / T), T = 0.07; the
// prediction is the class with the largest total. Top-1 and top-5 (top-5 uses min(5, k)
// classes) for several k at once: the neighbours are sorted once for the largest k and each k
// uses a prefix, which gives the same result as separate top-k calls.
//
// Similarities are computed on the backend in chunks (test chunk · trainᵀ, with the transposed
// operand read in place by `linear`), then ranked on the host. backboneKnn is the whole
// evaluation of a backbone (features of both splits, then the classifier): the per-epoch monitor.

import { linear } from '../autograd/index.js';
import { noGrad } from '../autograd/grad-mode.js';
import type { Backend } from '../tensor/backend.js';
import { tensor } from '../tensor/creation.js';
import { fmtShape, ShapeError } from '../tensor/shape.js';
import { tidy } from '../tensor/tensor.js';
import type { ImageDataset } from '../data/image-dataset.js';
import type { VisionTransformer } from '../nn/vit.js';
import type { DinoRun } from './build.js';
import type { DinoConfig } from './config.js';
import { extractFeatures } from './features.js';

export interface FeatureSet {
  /** Row-major [n, dim], L2-normalised rows. */
  features: Float32Array;
  labels: Int32Array;
  n: number;
  dim: number;
}

export interface KnnResult {
  /** Fraction of test images whose top-1 prediction is right, per k. */
  top1: Record<string, number>;
  top5: Record<string, number>;
  /** Test images whose similarities were not finite (NaN features): counted as wrong. */
  nonFinite: number;
}

export interface KnnOptions {
  ks?: number[];
  temperature?: number;
  numClasses?: number;
  backend?: Backend;
  /** Test rows per similarity chunk. */
  chunk?: number;
}

export function knnClassify(train: FeatureSet, test: FeatureSet, opts: KnnOptions = {}): KnnResult {
  const ks = opts.ks ?? [10, 20, 100, 200];
  const T = opts.temperature ?? 0.07;
  if (train.dim !== test.dim)
    throw new ShapeError(
      `knn: train features have ${train.dim} dims but test features ${test.dim}`,
    );
  if (train.n === 0) throw new ShapeError('knn: the training (memory bank) set is empty');
  if (ks.some((k) => !Number.isInteger(k) || k < 1))
    throw new Error(`knn: every k must be a positive integer, got ${ks.join(', ')}`);
  // Every label must index the vote array: a label beyond it (a val class unknown to train) or
  // below 0 (an unlabelled image) would be dropped from the vote without a word.
  const C = opts.numClasses ?? Math.max(maxLabel(train.labels), maxLabel(test.labels)) + 1;
  for (const [what, labels] of [
    ['memory bank', train.labels],
    ['test set', test.labels],
  ] as const) {
    const bad = labels.find((l) => !(l >= 0 && l < C));
    if (bad !== undefined)
      throw new RangeError(
        `knn: the ${what} has label ${bad}, outside the ${C} classes [0, ${C})` +
          (bad < 0 ? ' (unlabelled images cannot be evaluated)' : ''),
      );
  }
  const kmax = Math.min(Math.max(...ks), train.n);
  const chunk = opts.chunk ?? 256;
  const bank = tensor(train.features, { shape: [train.n, train.dim], backend: opts.backend });
  const correct1 = new Map<number, number>(ks.map((k) => [k, 0]));
  const correct5 = new Map<number, number>(ks.map((k) => [k, 0]));
  const idx = new Int32Array(kmax);
  const sims = new Float64Array(kmax);
  const votes = new Float64Array(C);
  let nonFinite = 0;

  for (let start = 0; start < test.n; start += chunk) {
    const rows = Math.min(chunk, test.n - start);
    const q = test.features.subarray(start * test.dim, (start + rows) * test.dim);
    const s = noGrad(() =>
      tidy(() =>
        linear(tensor(q, { shape: [rows, test.dim], backend: opts.backend }), bank).dataSync(),
      ),
    ); // sync point: [rows, n]
    for (let r = 0; r < rows; r++) {
      const count = topK(s, r * train.n, train.n, kmax, idx, sims);
      const label = test.labels[start + r];
      // A NaN similarity never wins a comparison, so it could hide in the heap and make every
      // vote NaN, which the ranking would then order arbitrarily: such a query counts as wrong.
      if (!allFinite(s, r * train.n, train.n)) {
        nonFinite++;
        continue;
      }
      for (const k of ks) {
        votes.fill(0);
        const kk = Math.min(k, count);
        for (let j = 0; j < kk; j++) votes[train.labels[idx[j]]] += Math.exp(sims[j] / T);
        const ranked = rankClasses(votes, Math.min(5, k));
        if (ranked[0] === label) correct1.set(k, correct1.get(k)! + 1);
        if (ranked.includes(label)) correct5.set(k, correct5.get(k)! + 1);
      }
    }
  }
  const top1: Record<string, number> = {};
  const top5: Record<string, number> = {};
  for (const k of ks) {
    top1[k] = correct1.get(k)! / test.n;
    top5[k] = correct5.get(k)! / test.n;
  }
  return { top1, top5, nonFinite };
}

function allFinite(s: ArrayLike<number>, off: number, n: number): boolean {
  for (let j = off; j < off + n; j++) if (!Number.isFinite(s[j])) return false;
  return true;
}

/**
 * The k largest of s[off .. off+n) in descending order into idx/val (indices relative to off);
 * returns how many were found (min(k, n)). A min-heap of size k keeps the candidates.
 */
export function topK(
  s: ArrayLike<number>,
  off: number,
  n: number,
  k: number,
  idx: Int32Array,
  val: Float64Array,
): number {
  let size = 0;
  const swap = (a: number, b: number) => {
    const ti = idx[a];
    idx[a] = idx[b];
    idx[b] = ti;
    const tv = val[a];
    val[a] = val[b];
    val[b] = tv;
  };
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && val[l] < val[m]) m = l;
      if (r < size && val[r] < val[m]) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (let j = 0; j < n; j++) {
    const v = s[off + j];
    if (size < k) {
      idx[size] = j;
      val[size] = v;
      let i = size++;
      while (i > 0 && val[(i - 1) >> 1] > val[i]) {
        swap(i, (i - 1) >> 1);
        i = (i - 1) >> 1;
      }
    } else if (v > val[0]) {
      idx[0] = j;
      val[0] = v;
      siftDown(0);
    }
  }
  // heap-sort into descending order
  const found = size;
  while (size > 1) {
    swap(0, size - 1);
    size--;
    siftDown(0);
  }
  return found;
}

/** Indices of the `m` largest scores, best first (lower class index wins ties). */
function rankClasses(scores: Float64Array, m: number): number[] {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
  return order.slice(0, m);
}

function maxLabel(labels: Int32Array): number {
  let m = -1;
  for (const l of labels) m = Math.max(m, l);
  return m;
}

/** L2-normalises the rows of a [n, dim] array in place (F.normalize, dim 1, eps 1e-12). */
export function normalizeRows(x: Float32Array, n: number, dim: number): Float32Array {
  if (x.length !== n * dim)
    throw new ShapeError(`normalizeRows: ${x.length} values do not form ${fmtShape([n, dim])}`);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += x[i * dim + j] ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let j = 0; j < dim; j++) x[i * dim + j] *= inv;
  }
  return x;
}

/** Teacher-backbone k-NN: `limit` images of each split (the bank never exceeds `bankLimit`). */
export function evaluateKnn(
  run: DinoRun,
  train: ImageDataset,
  test: ImageDataset,
  config: DinoConfig,
  norm: { mean: number[]; std: number[] },
  backend: Backend,
  limit: number,
  bankLimit = Infinity,
): KnnResult {
  return backboneKnn(run.teacher.backbone, train, test, config, norm, backend, limit, bankLimit);
}

/** The same k-NN for any backbone (images resized to config.globalCropSize). */
export function backboneKnn(
  backbone: VisionTransformer,
  train: ImageDataset,
  test: ImageDataset,
  config: DinoConfig,
  norm: { mean: number[]; std: number[] },
  backend: Backend,
  limit: number,
  bankLimit = Infinity,
): KnnResult {
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const nTrain = Math.min(train.length, limit, bankLimit);
  const nTest = Math.min(test.length, limit);
  const fopts = { size: config.globalCropSize, mean: norm.mean, std: norm.std, backend };
  const bank = extractFeatures(backbone, train, { ...fopts, indices: range(nTrain) });
  const queries = extractFeatures(backbone, test, { ...fopts, indices: range(nTest) });
  return knnClassify(bank, queries, {
    ks: config.knnK,
    temperature: config.knnTemperature,
    backend,
    numClasses: test.classes?.length,
  });
}
