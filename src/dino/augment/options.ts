// Every knob of DINO's multi-crop augmentation, the official values (OFFICIAL_AUGMENT) and their
// validation. Official counterpart: main_dino.py DataAugmentationDINO.__init__ and the arguments
// --global_crops_scale, --local_crops_number, --local_crops_scale of main_dino.py get_args_parser.
// AugmentOptions has no defaults of its own: the single source of this project's defaults is
// src/dino/config.ts, which may reference OFFICIAL_AUGMENT; augmentOptionsFor maps a config to
// these options.

import type { DinoConfig } from '../config.js';

/** A closed interval [lo, hi] of a random draw (crop scale, aspect ratio, blur sigma). */
export type Interval = readonly [number, number];

/** Options of DataAugmentationDINO; all fields required (defaults live in src/dino/config.ts). */
export interface AugmentOptions {
  /** Side of the 2 global crops in pixels (official 224). */
  globalCropSize: number;
  /** Side of the local crops in pixels (official 96). */
  localCropSize: number;
  /** RandomResizedCrop area fraction of the global crops (official --global_crops_scale (0.4, 1)).
   * */
  globalCropsScale: Interval;
  /** RandomResizedCrop area fraction of the local crops (official --local_crops_scale (0.05, 0.4)).
   * */
  localCropsScale: Interval;
  /** Number of local crops (official --local_crops_number 8; 0 disables multi-crop). */
  localCropsNumber: number;
  /** RandomResizedCrop aspect-ratio range w/h, sampled log-uniformly (torchvision default (3/4,
   * 4/3)). */
  cropRatio: Interval;
  /** Horizontal flip probability (official 0.5). */
  flipProb: number;
  /** Probability of applying colour jitter to a crop (official 0.8). */
  colorJitterProb: number;
  /** Brightness factor drawn from [max(0, 1 − b), 1 + b] (official 0.4; 0 disables). */
  brightness: number;
  /** Contrast factor drawn from [max(0, 1 − c), 1 + c] (official 0.4; 0 disables). */
  contrast: number;
  /** Saturation factor drawn from [max(0, 1 − s), 1 + s] (official 0.2; RGB only). */
  saturation: number;
  /** Hue shift drawn from [−h, h] of the hue circle, h ≤ 0.5 (official 0.1; RGB only). */
  hue: number;
  /** Random grayscale probability (official 0.2; RGB only, a no-op on 1 channel). */
  grayscaleProb: number;
  /** Gaussian blur probability of global crop 1 (official 1.0). */
  blurProbGlobal1: number;
  /** Gaussian blur probability of global crop 2 (official 0.1). */
  blurProbGlobal2: number;
  /** Gaussian blur probability of each local crop (official 0.5). */
  blurProbLocal: number;
  /** Blur radius range in pixels; PIL's GaussianBlur radius is its sigma (official [0.1, 2.0]). */
  blurSigma: Interval;
  /** Solarization probability of global crop 2 (official 0.2; the other crops never solarize). */
  solarizeProb: number;
  /** Per-channel mean of the [0, 1] pixels, one value per channel (official ImageNet). */
  mean: readonly number[];
  /** Per-channel std of the [0, 1] pixels, one value per channel (official ImageNet). */
  std: readonly number[];
}

/**
 * The official DINO augmentation (main_dino.py DataAugmentationDINO with the main_dino.py
 * defaults, ImageNet RGB statistics). For reference, the default recipe of this project (the
 * README's, defined in src/dino/config.ts) differs for 28 px Fashion-MNIST: global crops of 28 px
 * (scale 0.4–1), 4 local crops of 14 px (scale 0.05–0.4), brightness/contrast jitter 0.4/0.4
 * with p 0.8 (no saturation/hue: 1 channel), blur sigma 0.1–1.0 px with the official probabilities
 * (1.0 / 0.1 / 0.5), solarization 0.2 on crop 2, and the Fashion-MNIST statistics of the embedded
 * train set, mean 0.2860 and std 0.3530 (FASHION_MNIST_STATS in src/data/embedded.ts; channelStats
 * gives 0.28604 / 0.35298, and 0.28604 / 0.35302 on the full 60 000-image train set).
 */
export const OFFICIAL_AUGMENT: Readonly<AugmentOptions> = Object.freeze({
  globalCropSize: 224,
  localCropSize: 96,
  globalCropsScale: [0.4, 1.0] as Interval,
  localCropsScale: [0.05, 0.4] as Interval,
  localCropsNumber: 8,
  cropRatio: [3 / 4, 4 / 3] as Interval,
  flipProb: 0.5,
  colorJitterProb: 0.8,
  brightness: 0.4,
  contrast: 0.4,
  saturation: 0.2,
  hue: 0.1,
  grayscaleProb: 0.2,
  blurProbGlobal1: 1.0,
  blurProbGlobal2: 0.1,
  blurProbLocal: 0.5,
  blurSigma: [0.1, 2.0] as Interval,
  solarizeProb: 0.2,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
});

const PROBS = [
  'flipProb',
  'colorJitterProb',
  'grayscaleProb',
  'blurProbGlobal1',
  'blurProbGlobal2',
  'blurProbLocal',
  'solarizeProb',
] as const;

/** Throws an error naming the option when `opts` is not usable for `channels`-channel images. */
export function validateAugmentOptions(opts: AugmentOptions, channels: number): void {
  const fail = (field: string, why: string): never => {
    throw new Error(`AugmentOptions.${field}: ${why}`);
  };
  if (channels !== 1 && channels !== 3)
    throw new Error(`DataAugmentationDINO: images must have 1 or 3 channels, got ${channels}`);
  for (const f of ['globalCropSize', 'localCropSize'] as const) {
    const v = opts[f];
    if (!Number.isInteger(v) || v < 1 || v > 4096)
      fail(f, `expected an integer number of pixels in [1, 4096], got ${v}`);
  }
  if (!Number.isInteger(opts.localCropsNumber) || opts.localCropsNumber < 0) {
    fail('localCropsNumber', `expected an integer ≥ 0, got ${opts.localCropsNumber}`);
  }
  for (const f of ['globalCropsScale', 'localCropsScale'] as const) {
    const r = opts[f];
    if (!Array.isArray(r) || r.length !== 2 || !(r[0] > 0 && r[0] <= r[1] && r[1] <= 1)) {
      fail(f, `expected [min, max] with 0 < min ≤ max ≤ 1, got ${JSON.stringify(r)}`);
    }
  }
  const ratio = opts.cropRatio;
  if (
    !Array.isArray(ratio) ||
    ratio.length !== 2 ||
    !(ratio[0] > 0 && ratio[0] <= ratio[1] && Number.isFinite(ratio[1]))
  ) {
    fail('cropRatio', `expected [min, max] with 0 < min ≤ max, got ${JSON.stringify(ratio)}`);
  }
  for (const f of PROBS) {
    const p = opts[f];
    if (!(p >= 0 && p <= 1)) fail(f, `expected a probability in [0, 1], got ${p}`);
  }
  for (const f of ['brightness', 'contrast', 'saturation'] as const) {
    const v = opts[f];
    if (!(v >= 0 && Number.isFinite(v))) fail(f, `expected a jitter strength ≥ 0, got ${v}`);
  }
  if (!(opts.hue >= 0 && opts.hue <= 0.5))
    fail('hue', `expected a hue jitter in [0, 0.5], got ${opts.hue}`);
  const s = opts.blurSigma;
  if (!Array.isArray(s) || s.length !== 2 || !(s[0] > 0 && s[0] <= s[1] && s[1] <= 100)) {
    fail(
      'blurSigma',
      `expected [min, max] with 0 < min ≤ max ≤ 100 pixels, got ${JSON.stringify(s)}`,
    );
  }
  for (const f of ['mean', 'std'] as const) {
    const v = opts[f];
    if (!Array.isArray(v) || v.length !== channels) {
      fail(
        f,
        `expected ${channels} value(s), one per channel of the ${channels}-channel ` +
          `images, got ${JSON.stringify(v)} (channelStats() in src/data computes ` +
          `them for a dataset)`,
      );
    }
    for (const x of v)
      if (!Number.isFinite(x) || (f === 'std' && !(x > 0)))
        fail(f, `invalid value ${x} in ${JSON.stringify(v)}`);
  }
}

/** The augmentation of a training configuration, normalised with the dataset's statistics. */
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
