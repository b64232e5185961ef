// Self-attention maps of the last block (paper Fig. 1 and §4.2.2; official visualize_attention.py
// and video_generation.py): the [CLS] query's attention to the patch tokens, per head, as
// (H/p)×(W/p) maps, their mean over heads, and the threshold masks of the paper's figures (per
// head, the smallest set of highest patches that holds a fraction t = 0.6 of the mass).
// Also PNG files of them (pngjs, nearest-neighbour upsampling, viridis heat maps) and the helper
// that prepares any decoded image for the model (channels, PIL-bicubic resize, normalisation).
//
// Shapes: C channels, S image side, p patch, h heads, T = 1 + N tokens, N = (H/p)(W/p) patches.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { noGrad, select, slice } from '../autograd/index.js';
import { greyToRgb, type Image } from '../data/image.js';
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
  if (channels === 3) return greyToRgb(img);
  const n = img.width * img.height;
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
// PNG files

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

/** Distinct head colours for the mask overlay (Tableau 10), cycled past 10 heads. */
const HEAD_COLORS: readonly (readonly [number, number, number])[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

export interface AttentionPngOptions {
  /** The input as the model saw it (gridH·p × gridW·p): written as image.png and under the masks.
   * */
  image?: Image;
  /** Pixels per grid cell before `scale` (default: the maps' patch size). */
  patch?: number;
  /** Extra integer upsampling (default: the smallest that makes the files at least 224 px wide). */
  scale?: number;
}

/**
 * Writes attn-head{i}.png (i from 0, as the official script), attn-mean.png (viridis, each map
 * min–max scaled like plt.imsave), attn-mask.png (the heads' t-mass patches in the heads' colours
 * over the image, the rest dimmed; see maskPng) and image.png into `dir` (created). Returns the
 * paths written.
 */
export function writeAttentionPngs(
  dir: string,
  maps: AttentionMaps,
  opts: AttentionPngOptions = {},
): string[] {
  const patch = opts.patch ?? maps.patchSize;
  if (!Number.isInteger(patch) || patch < 1)
    throw new RangeError(`writeAttentionPngs: patch must be a positive integer, got ${patch}`);
  const W0 = maps.gridW * patch;
  const H0 = maps.gridH * patch;
  const scale = opts.scale ?? Math.max(1, Math.ceil(224 / W0));
  if (!Number.isInteger(scale) || scale < 1)
    throw new RangeError(`writeAttentionPngs: scale must be a positive integer, got ${scale}`);
  const img = opts.image;
  if (img && (img.height !== H0 || img.width !== W0)) {
    throw new ShapeError(
      `writeAttentionPngs: image is ${img.height}×${img.width} but the ` +
        `maps cover ${H0}×${W0} (grid ${maps.gridH}×${maps.gridW}, patch ` +
        `${patch})`,
    );
  }
  mkdirSync(dir, { recursive: true });
  const cell = patch * scale;
  const written: string[] = [];
  const save = (name: string, png: PNG) => {
    const path = join(dir, name);
    writeFileSync(path, PNG.sync.write(png));
    written.push(path);
  };
  const heat = (map: Float32Array) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of map) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const range = hi - lo;
    return gridPng(maps.gridH, maps.gridW, cell, (j) =>
      viridis(range > 0 ? (map[j] - lo) / range : 0),
    );
  };
  maps.heads.forEach((m, i) => save(`attn-head${i}.png`, heat(m)));
  save('attn-mean.png', heat(maps.mean));
  save('attn-mask.png', maskPng(maps, patch, scale, img));
  if (img)
    save(
      'image.png',
      imagePng(img, scale, () => null),
    );
  return written;
}

/** A PNG of gridH×gridW cells of cell×cell pixels, cell j coloured by color(j). */
function gridPng(
  gridH: number,
  gridW: number,
  cell: number,
  color: (j: number) => readonly number[],
): PNG {
  const png = new PNG({ width: gridW * cell, height: gridH * cell });
  const colors = Array.from({ length: gridH * gridW }, (_, j) => color(j));
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const c = colors[Math.floor(y / cell) * gridW + Math.floor(x / cell)];
      const o = (y * png.width + x) * 4;
      png.data[o] = c[0];
      png.data[o + 1] = c[1];
      png.data[o + 2] = c[2];
      png.data[o + 3] = 255;
    }
  }
  return png;
}

/** The image upsampled ×scale; tint(y, x, rgb) may return a replacement colour per source pixel. */
function imagePng(
  img: Image,
  scale: number,
  tint: (y: number, x: number, rgb: number[]) => readonly number[] | null,
): PNG {
  const png = new PNG({ width: img.width * scale, height: img.height * scale });
  const C = img.channels;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const o = (y * img.width + x) * C;
      const rgb =
        C === 3
          ? [img.data[o], img.data[o + 1], img.data[o + 2]]
          : [img.data[o], img.data[o], img.data[o]];
      const c = tint(y, x, rgb) ?? rgb;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const q = ((y * scale + dy) * png.width + x * scale + dx) * 4;
          png.data[q] = c[0];
          png.data[q + 1] = c[1];
          png.data[q + 2] = c[2];
          png.data[q + 3] = 255;
        }
      }
    }
  }
  return png;
}

/**
 * The t-mass masks over the image: a kept patch takes the colour of the head that attends to it
 * most (relative to that head's maximum) among the heads that keep it, blended with the image;
 * patches no head keeps are dimmed. (Averaging the colours of overlapping heads turns to mud.)
 */
function maskPng(maps: AttentionMaps, patch: number, scale: number, img: Image | undefined): PNG {
  const base: Image = img ?? {
    data: new Uint8Array(maps.gridH * patch * maps.gridW * patch).fill(128),
    height: maps.gridH * patch,
    width: maps.gridW * patch,
    channels: 1,
  };
  const peak = maps.heads.map((m) => m.reduce((a, v) => Math.max(a, v), 0) || 1);
  const owner = Int32Array.from({ length: maps.gridH * maps.gridW }, (_, j) => {
    let best = -1;
    maps.masks.forEach((m, i) => {
      if (m[j] && (best < 0 || maps.heads[i][j] / peak[i] > maps.heads[best][j] / peak[best]))
        best = i;
    });
    return best;
  });
  return imagePng(base, scale, (y, x, rgb) => {
    const i = owner[Math.floor(y / patch) * maps.gridW + Math.floor(x / patch)];
    if (i < 0) return rgb.map((v) => Math.round(v * 0.3));
    const c = HEAD_COLORS[i % HEAD_COLORS.length];
    return rgb.map((v, ch) => Math.round(0.5 * v + 0.5 * c[ch]));
  });
}
