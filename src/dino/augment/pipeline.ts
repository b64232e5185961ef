// DINO's multi-crop augmentation on uint8 images, batched into float32 NCHW crops, and the
// evaluation transform. Official counterpart: main_dino.py DataAugmentationDINO (paper §3.1): per
// crop RandomResizedCrop (bicubic) → flip p 0.5 → ColorJitter with p → RandomGrayscale → Gaussian
// blur (p 1.0 / 0.1 / 0.5 for global 1 / global 2 / local) → solarization (global 2 only) →
// ToTensor + Normalize. Crops are returned in the official order [global1, global2, local1..N].
// All randomness comes from the Generator argument (draw order per image: crops in order, and per
// crop box, flip, jitter, grayscale, blur, solarize). Probabilities apply when U[0,1) < p, so
// p = 0 never and p = 1 always fires. Scratch buffers and resize tables are reused across calls.

import type { Image } from '../../data/image.js';
import { tensor, type TensorOptions } from '../../tensor/creation.js';
import type { Generator } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { GaussianBlurPIL } from './blur.js';
import { ColorOps, flipHorizontal, grayscale, solarize } from './color.js';
import { randomResizedCropBox, type CropBox } from './crop.js';
import { validateAugmentOptions, type AugmentOptions } from './options.js';
import { BicubicResizer } from './resize.js';

export type JitterOp = 'brightness' | 'contrast' | 'saturation' | 'hue';
const JITTER_OPS: readonly JitterOp[] = ['brightness', 'contrast', 'saturation', 'hue'];

/** What happened to one crop (for tests, debugging and visualisation). */
export interface CropRecord {
  /** Crop index in the official order: 0, 1 global; 2.. local. */
  crop: number;
  box: CropBox;
  flipped: boolean;
  /** null when colour jitter was not applied; otherwise the factors in application order. */
  jitter: { op: JitterOp; factor: number }[] | null;
  grayscale: boolean;
  /** The blur radius (PIL GaussianBlur radius = sigma in pixels), or null when not blurred. */
  blurSigma: number | null;
  solarized: boolean;
}

/** Per-channel lookup table of (v/255 − mean)/std in float32, as ToTensor + Normalize compute it.
 * */
function normalisationLut(mean: readonly number[], std: readonly number[]): Float32Array {
  const f32 = Math.fround;
  const lut = new Float32Array(256 * mean.length);
  for (let c = 0; c < mean.length; c++) {
    for (let v = 0; v < 256; v++)
      lut[c * 256 + v] = f32(f32(f32(v / 255) - f32(mean[c])) / f32(std[c]));
  }
  return lut;
}

/** Writes the S x S x C uint8 image `src` as C x S x S normalised floats at out[offset]. */
function normaliseInto(
  src: Uint8Array,
  S: number,
  C: number,
  lut: Float32Array,
  out: Float32Array,
  offset: number,
): void {
  const plane = S * S;
  for (let c = 0; c < C; c++) {
    const base = offset + c * plane;
    const l = c * 256;
    for (let p = 0, q = c; p < plane; p++, q += C) out[base + p] = lut[l + src[q]];
  }
}

/** Shared input handling: a 1-channel image given to a 3-channel transform is replicated. */
class InputAdapter {
  private rgb = new Uint8Array(0);

  constructor(
    private readonly channels: 1 | 3,
    private readonly who: string,
  ) {}

  pixels(img: Image): Uint8Array {
    if (img.channels === this.channels) return img.data;
    if (img.channels === 1 && this.channels === 3) {
      const n = img.height * img.width;
      if (this.rgb.length < n * 3) this.rgb = new Uint8Array(n * 3);
      const d = img.data;
      for (let p = 0, q = 0; p < n; p++, q += 3)
        this.rgb[q] = this.rgb[q + 1] = this.rgb[q + 2] = d[p];
      return this.rgb;
    }
    throw new Error(
      `${this.who}: got a ${img.channels}-channel image for a ${this.channels}-channel transform`,
    );
  }
}

/** DINO's multi-crop augmentation; see the file header. */
export class DataAugmentationDINO {
  readonly options: Readonly<AugmentOptions>;
  /** 2 + localCropsNumber. */
  readonly numCrops: number;
  /** Side of each crop in the official order. */
  readonly cropSizes: readonly number[];
  private readonly lut: Float32Array;
  private readonly resizer = new BicubicResizer();
  private readonly blur = new GaussianBlurPIL();
  private readonly color = new ColorOps();
  private readonly input: InputAdapter;
  private readonly box: CropBox = { top: 0, left: 0, height: 0, width: 0 };
  private readonly order = new Int32Array(4);
  private readonly factors = new Float64Array(4);
  /** brightness, contrast, saturation, hue; saturation and hue are no-ops on 1 channel (PIL 'L').
   * */
  private readonly strengths: readonly number[];
  private work: Uint8Array;

  constructor(
    options: AugmentOptions,
    readonly channels: 1 | 3,
  ) {
    validateAugmentOptions(options, channels);
    this.options = Object.freeze({ ...options });
    this.numCrops = 2 + options.localCropsNumber;
    this.cropSizes = Array.from({ length: this.numCrops }, (_, v) =>
      v < 2 ? options.globalCropSize : options.localCropSize,
    );
    this.lut = normalisationLut(options.mean, options.std);
    this.strengths = [
      options.brightness,
      options.contrast,
      channels === 3 ? options.saturation : 0,
      channels === 3 ? options.hue : 0,
    ];
    this.input = new InputAdapter(channels, 'DataAugmentationDINO');
    this.work = new Uint8Array(
      Math.max(options.globalCropSize, options.localCropSize) ** 2 * channels,
    );
  }

  /**
   * Crop `v` (0, 1 global; ≥ 2 local) of one image, before normalisation: S x S x C uint8 HWC,
   * written into `dst` (allocated when absent). Fills `record` when given.
   */
  cropUint8(
    img: Image,
    v: number,
    gen: Generator,
    dst?: Uint8Array,
    record?: CropRecord,
  ): Uint8Array {
    const o = this.options;
    const C = this.channels;
    if (!Number.isInteger(v) || v < 0 || v >= this.numCrops)
      throw new Error(`DataAugmentationDINO: crop index ${v} out of range [0, ${this.numCrops})`);
    const S = this.cropSizes[v];
    const n = S * S * C;
    const out = dst ?? new Uint8Array(n);
    if (out.length < n)
      throw new Error(`DataAugmentationDINO: dst holds ${out.length} values, crop ${v} needs ${n}`);
    const src = this.input.pixels(img);

    // 1. RandomResizedCrop, bicubic.
    const box = randomResizedCropBox(
      img.height,
      img.width,
      v < 2 ? o.globalCropsScale : o.localCropsScale,
      o.cropRatio,
      gen,
      this.box,
    );
    this.resizer.resize(src, img.width, C, box.top, box.left, box.height, box.width, out, S, S);
    // 2. Horizontal flip.
    const flipped = gen.uniform() < o.flipProb;
    if (flipped) flipHorizontal(out, S, S, C);
    // 3. Colour jitter with probability p, adjustments in random order.
    let jitter: CropRecord['jitter'] = null;
    if (gen.uniform() < o.colorJitterProb) {
      const order = this.order;
      for (let i = 0; i < 4; i++) order[i] = i;
      for (let i = 3; i > 0; i--) {
        // Fisher–Yates, like Generator.permutation (torch.randperm(4))
        const j = gen.int(i + 1);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (let k = 0; k < 4; k++) {
        const s = this.strengths[k];
        this.factors[k] =
          s === 0
            ? NaN
            : k === 3
              ? gen.uniformRange(-s, s)
              : gen.uniformRange(Math.max(0, 1 - s), 1 + s);
      }
      if (record) jitter = [];
      for (let i = 0; i < 4; i++) {
        const k = order[i];
        const f = this.factors[k];
        if (Number.isNaN(f)) continue;
        if (k === 0) this.color.brightness(out, n, f);
        else if (k === 1) this.color.contrast(out, n, C, f);
        else if (k === 2) this.color.saturation(out, n, f);
        else this.color.hue(out, n, f);
        jitter?.push({ op: JITTER_OPS[k], factor: f });
      }
    }
    // 4. Random grayscale (RGB only; on 1 channel PIL's convert('L') is the identity).
    let grey = false;
    if (C === 3) {
      grey = gen.uniform() < o.grayscaleProb;
      if (grey) grayscale(out, n);
    }
    // 5. Gaussian blur with the crop's probability.
    const pBlur = v === 0 ? o.blurProbGlobal1 : v === 1 ? o.blurProbGlobal2 : o.blurProbLocal;
    let sigma: number | null = null;
    if (gen.uniform() < pBlur) {
      sigma = gen.uniformRange(o.blurSigma[0], o.blurSigma[1]);
      this.blur.apply(out, S, S, C, sigma);
    }
    // 6. Solarization, global crop 2 only.
    let solarized = false;
    if (v === 1) {
      solarized = gen.uniform() < o.solarizeProb;
      if (solarized) solarize(out, n);
    }
    if (record) {
      record.crop = v;
      record.box = { ...box };
      record.flipped = flipped;
      record.jitter = jitter;
      record.grayscale = grey;
      record.blurSigma = sigma;
      record.solarized = solarized;
    }
    return out;
  }

  /**
   * Augments a batch of B images: the crops in official order [global1, global2, local1..N], each
   * a Float32Array laid out [B, C, S, S] (reusing `opts.out` when its arrays have the right
   * sizes). With `opts.records`, one CropRecord per (image, crop) is pushed, image-major.
   */
  apply(
    images: readonly Image[],
    gen: Generator,
    opts: { out?: Float32Array[]; records?: CropRecord[] } = {},
  ): Float32Array[] {
    const B = images.length;
    const C = this.channels;
    if (B === 0) throw new Error('DataAugmentationDINO.apply: empty batch');
    const out = this.cropSizes.map((S, v) => {
      const have = opts.out?.[v];
      return have && have.length === B * C * S * S ? have : new Float32Array(B * C * S * S);
    });
    for (let b = 0; b < B; b++) {
      for (let v = 0; v < this.numCrops; v++) {
        const S = this.cropSizes[v];
        const record = opts.records ? ({} as CropRecord) : undefined;
        this.cropUint8(images[b], v, gen, this.work, record);
        normaliseInto(this.work, S, C, this.lut, out[v], b * C * S * S);
        if (record) opts.records!.push(record);
      }
    }
    return out;
  }

  /** `apply` as Tensors of shape [B, C, S, S] (float32 unless `tensorOpts.dtype` says otherwise).
   * */
  applyTensors(images: readonly Image[], gen: Generator, tensorOpts?: TensorOptions): Tensor[] {
    return this.apply(images, gen).map((data, v) =>
      tensor(data, {
        ...tensorOpts,
        shape: [images.length, this.channels, this.cropSizes[v], this.cropSizes[v]],
      }),
    );
  }
}

/** Options of the evaluation transform (k-NN features, attention maps). */
export interface EvalTransformOptions {
  /** Output side in pixels (the global crop size). */
  size: number;
  mean: readonly number[];
  std: readonly number[];
}

/**
 * The evaluation transform: the whole image resized (PIL bicubic) to size x size and normalised,
 * batched as [B, C, S, S]. (eval_knn.py uses Resize(256) + CenterCrop(224) on ImageNet; for small
 * images the whole image is kept, as visualize_attention.py does.)
 */
export class EvalTransform {
  private readonly lut: Float32Array;
  private readonly resizer = new BicubicResizer();
  private readonly input: InputAdapter;
  private readonly work: Uint8Array;

  constructor(
    readonly options: EvalTransformOptions,
    readonly channels: 1 | 3,
  ) {
    const { size, mean, std } = options;
    if (!Number.isInteger(size) || size < 1 || size > 4096)
      throw new Error(`EvalTransformOptions.size: expected an integer in [1, 4096], got ${size}`);
    for (const [f, v] of [
      ['mean', mean],
      ['std', std],
    ] as const) {
      if (
        !Array.isArray(v) ||
        v.length !== channels ||
        !v.every((x) => Number.isFinite(x) && (f === 'mean' || x > 0))
      ) {
        throw new Error(
          `EvalTransformOptions.${f}: expected ${channels} finite value(s)` +
            `${f === 'std' ? ' > 0' : ''}, ` +
            `got ${JSON.stringify(v)}`,
        );
      }
    }
    this.lut = normalisationLut(mean, std);
    this.input = new InputAdapter(channels, 'EvalTransform');
    this.work = new Uint8Array(size * size * channels);
  }

  /** [B, C, S, S] normalised floats (reusing `out` when it has the right length). */
  apply(images: readonly Image[], out?: Float32Array): Float32Array {
    const S = this.options.size;
    const C = this.channels;
    const n = images.length * C * S * S;
    const dst = out && out.length === n ? out : new Float32Array(n);
    images.forEach((img, b) => {
      this.resizer.resize(
        this.input.pixels(img),
        img.width,
        C,
        0,
        0,
        img.height,
        img.width,
        this.work,
        S,
        S,
      );
      normaliseInto(this.work, S, C, this.lut, dst, b * C * S * S);
    });
    return dst;
  }

  applyTensor(images: readonly Image[], tensorOpts?: TensorOptions): Tensor {
    const S = this.options.size;
    return tensor(this.apply(images), {
      ...tensorOpts,
      shape: [images.length, this.channels, S, S],
    });
  }
}
