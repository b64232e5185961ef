// The parts of a DINO epoch that every training loop shares (the CLI's trainer.ts and the
// browser demo's worker): the order of the images in each epoch, the augmentation options and
// normalisation of a config and dataset, and the k-NN monitor on the teacher's backbone.
// Official counterparts: main_dino.py train_dino (DistributedSampler shuffling with drop_last,
// DataAugmentationDINO's arguments) and eval_knn.py (the monitor's protocol). No file system.

import type { ImageDataset } from '../data/image-dataset.js';
import type { VisionTransformer } from '../nn/vit.js';
import type { Backend } from '../tensor/backend.js';
import { Generator } from '../tensor/random.js';
import type { AugmentOptions } from './augment/index.js';
import type { DinoRun } from './build.js';
import type { DinoConfig } from './config.js';
import { extractFeatures } from './features.js';
import { knnClassify, type KnnResult } from './knn.js';

export function augmentOptionsFor(
  c: DinoConfig,
  norm: { mean: number[]; std: number[] },
): AugmentOptions {
  return {
    globalCropSize: c.globalCropSize,
    localCropSize: c.localCropSize,
    globalCropsScale: c.globalCropsScale,
    localCropsScale: c.localCropsScale,
    localCropsNumber: c.localCropsNumber,
    cropRatio: [3 / 4, 4 / 3],
    flipProb: 0.5,
    colorJitterProb: c.colorJitterProb,
    brightness: c.brightness,
    contrast: c.contrast,
    saturation: c.saturation,
    hue: c.hue,
    grayscaleProb: c.grayscaleProb,
    blurProbGlobal1: c.blurProb[0],
    blurProbGlobal2: c.blurProb[1],
    blurProbLocal: c.blurProb[2],
    blurSigma: c.blurSigma,
    solarizeProb: c.solarizationProb,
    mean: norm.mean,
    std: norm.std,
  };
}

export { normalizationOf } from '../data/stats.js';

/** The images of epoch `epoch` in order: a permutation that depends only on (seed, epoch). */
export function epochOrder(seed: number, epoch: number, n: number): Int32Array {
  return new Generator((seed * 1000003 + epoch * 7919 + 17) >>> 0).permutation(n);
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
