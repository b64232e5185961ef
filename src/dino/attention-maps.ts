// Self-attention maps of the last block (paper Fig. 1 and §4.2.2; official visualize_attention.py
// and video_generation.py): the [CLS] query's attention to the patch tokens, per head, as
// (H/p)×(W/p) maps, their mean over heads, and the threshold masks of the paper's figures (per
// head, the smallest set of highest patches that holds a fraction t = 0.6 of the mass).
// Also the helper that prepares any decoded image for the model (channels, PIL-bicubic resize,
// normalisation) and the viridis colour map. No file system: browsers use this module as it is;
// the PNG files (pngjs) are attention-png.ts.
//
// Shapes: C channels, S image side, p patch, h heads, T = 1 + N tokens, N = (H/p)(W/p) patches.

import { noGrad, select, slice } from '../autograd/index.js';
import type { Image } from '../data/image.js';
import type { VisionTransformer } from '../nn/vit.js';
import type { TensorOptions } from '../tensor/creation.js';
import { fmtShape, ShapeError } from '../tensor/shape.js';
import { type Tensor, tidy } from '../tensor/tensor.js';
import { BicubicResizer, EvalTransform, luma } from './augment/index.js';

export interface AttentionMaps {
  numHeads: number;
  /** Patch grid: gridH = H/p rows, gridW = W/p columns. */
  gridH: number;
  gridW: number;
  patchSize: number;
  /** Per head, the [CLS] row of the attention restricted to the patches, row-major [gridH·gridW].
   * */
  heads: Float32Array[];
  /** The mean of `heads` over heads. */
  mean: Float32Array;
  /** The mass fraction t of the masks. */
  threshold: number;
  /** Per head, 1 where the patch belongs to the t-mass set (thresholdMask). */
  masks: Uint8Array[];
}

/**
 * Attention maps of `model`'s last block for one image `x` [1, C, H, W] (H and W multiples of the
 * patch size; the caller resizes). `threshold` is t (default 0.6, as video_generation.py and the
 * paper).
 */
export async function attentionMaps(
  model: VisionTransformer,
  x: Tensor,
  opts: { threshold?: number } = {},
): Promise<AttentionMaps> {
  const threshold = opts.threshold ?? 0.6;
  checkThreshold(threshold);
  const p = model.config.patchSize;
  if (x.ndim !== 4 || x.shape[0] !== 1 || x.shape[1] !== model.config.inChans) {
    throw new ShapeError(
      `attentionMaps: x must be one image [1, ${model.config.inChans}, ` +
        `H, W], got ${fmtShape(x.shape)}`,
    );
  }
  const [, , H, W] = x.shape;
  if (H % p !== 0 || W % p !== 0) {
    throw new ShapeError(
      `attentionMaps: x is ${H}×${W}, not a multiple of the patch size ` +
        `${p} (resize or crop it first)`,
    );
  }
  const gridH = H / p;
  const gridW = W / p;
  const N = gridH * gridW;
  const h = model.config.numHeads;
  const wasTraining = model.training;
  model.eval();
  let rows: Tensor;
  try {
    rows = noGrad(() =>
      tidy(() => {
        const attn = model.getLastSelfAttention(x); // [1, h, T, T]
        // [h, T, T] -> [h, T] (query CLS) -> [h, N]
        return slice(select(select(attn, 0, 0), 1, 0), [null, [1, N + 1]]);
      }),
    );
  } finally {
    model.train(wasTraining);
  }
  const data = await rows.data(); // sync point: [h, N]
  const heads = Array.from({ length: h }, (_, i) =>
    Float32Array.from(data.subarray(i * N, (i + 1) * N)),
  );
  rows.dispose(); // after copying: its buffer may go back to the pool
  const mean = new Float32Array(N);
  for (let j = 0; j < N; j++) {
    let s = 0;
    for (const m of heads) s += m[j];
    mean[j] = s / h;
  }
  const masks = heads.map((m) => thresholdMask(m, threshold));
  return { numHeads: h, gridH, gridW, patchSize: p, heads, mean, threshold, masks };
}

/**
 * The official threshold mask of one map: sort ascending, normalise to sum 1, cumulative sum,
 * keep the entries whose cumulative value exceeds 1 − t, in the original order. Computed in
 * float64 in the equivalent form "mass ranked strictly above the entry < t" (cum_i = 1 − above_i),
 * which keeps the largest entry for any t > 0 and nothing for t = 0 without rounding surprises.
 * Ties: a stable ascending sort (torch.sort(stable=True)), so among equal values the later ones
 * rank higher and are kept first. A map without mass gives an empty mask.
 */
export function thresholdMask(values: ArrayLike<number>, threshold: number): Uint8Array {
  checkThreshold(threshold);
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => values[a] - values[b] || a - b,
  ); // ascending, stable
  let total = 0;
  for (let i = 0; i < n; i++) total += values[i];
  const mask = new Uint8Array(n);
  if (!(total > 0)) return mask;
  let above = 0;
  for (let r = n - 1; r >= 0; r--) {
    const i = order[r];
    if (above < threshold) mask[i] = 1;
    above += values[i] / total;
  }
  return mask;
}

function checkThreshold(t: number): void {
  if (!(t >= 0 && t <= 1))
    throw new RangeError(`threshold: expected a mass fraction in [0, 1], got ${t}`);
}

// ---------------------------------------------------------------------------------------------
// Preparing an image for the model

export interface PrepareImageOptions {
  /** Side the image is resized to (square, as visualize_attention.py); a multiple of the patch
   * size. */
  size: number;
  /** The model's input channels: grey is replicated to RGB, RGB becomes grey by ITU-R 601 luma. */
  channels: 1 | 3;
  mean: readonly number[];
  std: readonly number[];
}

/** `img` with `channels` channels (grey → RGB by replication; RGB → grey as PIL convert('L')). */
export function convertChannels(img: Image, channels: 1 | 3): Image {
  if (img.channels === channels) return img;
  const n = img.width * img.height;
  if (channels === 3) {
    const rgb = new Uint8Array(n * 3);
    for (let i = 0, q = 0; i < n; i++, q += 3) rgb[q] = rgb[q + 1] = rgb[q + 2] = img.data[i];
    return { data: rgb, height: img.height, width: img.width, channels: 3 };
  }
  const data = new Uint8Array(n);
  for (let i = 0, q = 0; i < n; i++, q += 3)
    data[i] = luma(img.data[q], img.data[q + 1], img.data[q + 2]);
  return { data, height: img.height, width: img.width, channels: 1 };
}

/**
 * A decoded image as the model sees it: converted to the model's channels, resized (PIL bicubic)
 * to size×size and normalised. Returns the input [1, C, S, S] and the resized uint8 image.
 */
export function prepareImage(
  img: Image,
  opts: PrepareImageOptions,
  tensorOpts?: TensorOptions,
): { input: Tensor; image: Image } {
  const S = opts.size;
  if (!Number.isInteger(S) || S < 1 || S > 4096)
    throw new RangeError(`prepareImage: size must be an integer in [1, 4096], got ${S}`);
  const src = convertChannels(img, opts.channels);
  const C = opts.channels;
  const data = new Uint8Array(S * S * C);
  new BicubicResizer().resize(src.data, src.width, C, 0, 0, src.height, src.width, data, S, S);
  const image: Image = { data, height: S, width: S, channels: C };
  const input = new EvalTransform({ size: S, mean: opts.mean, std: opts.std }, C).applyTensor(
    [image],
    tensorOpts,
  ); // [1, C, S, S]
  return { input, image };
}

// ---------------------------------------------------------------------------------------------
// The viridis colour map (the PNG files of attention-png.ts and the browser demo)

/** viridis (matplotlib, CC0) sampled at entries 0, 16, …, 240, 255 of its 256-entry table; linear
 * in between. */
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [72, 24, 106],
  [71, 45, 123],
  [66, 64, 134],
  [59, 82, 139],
  [51, 99, 141],
  [44, 114, 142],
  [38, 130, 142],
  [33, 145, 140],
  [31, 160, 136],
  [40, 174, 128],
  [63, 188, 115],
  [94, 201, 98],
  [132, 212, 75],
  [173, 220, 48],
  [216, 226, 25],
  [253, 231, 37],
];
const VIRIDIS_AT = VIRIDIS.map((_, k) => Math.min(16 * k, 255) / 255);

/** The viridis colour of v ∈ [0, 1] (clamped). */
export function viridis(v: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0));
  let k = 0;
  while (k < VIRIDIS.length - 2 && x > VIRIDIS_AT[k + 1]) k++;
  const f = (x - VIRIDIS_AT[k]) / (VIRIDIS_AT[k + 1] - VIRIDIS_AT[k]);
  const a = VIRIDIS[k];
  const b = VIRIDIS[k + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + f * (b[c] - a[c]))) as [number, number, number];
}
