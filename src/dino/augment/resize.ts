// PIL's bicubic resampling of uint8 images (Image.resize(size, BICUBIC)), bit for bit: separable
// convolution with the cubic kernel a = −0.5 and support 2, widened by the scale factor when
// down-scaling (antialiasing), coefficients normalised per output pixel and rounded to 22-bit
// fixed point, horizontal pass first into a uint8 intermediate, then the vertical pass.
// Official counterpart: torchvision RandomResizedCrop → F.resized_crop (crop, then PIL resize with
// BICUBIC); Pillow src/libImaging/Resample.c (precompute_coeffs, normalize_coeffs_8bpc,
// ImagingResampleHorizontal_8bpc / Vertical_8bpc). Coefficients are cached per (in, out) size.

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);
const MAX_FIXED = 1 << (PRECISION_BITS + 8); // clip8: values ≥ 255.5 in fixed point become 255

/** Pillow's bicubic_filter with a = −0.5. */
function bicubic(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/** Resampling coefficients of one axis: output pixel i reads `count[i]` inputs from `start[i]`. */
export interface AxisCoeffs {
  inSize: number;
  outSize: number;
  ksize: number;
  start: Int32Array;
  count: Int32Array;
  /** Fixed-point weights, ksize per output pixel. */
  weights: Int32Array;
}

/** Pillow precompute_coeffs + normalize_coeffs_8bpc for resampling [0, inSize) to outSize pixels.
 * */
export function bicubicCoeffs(inSize: number, outSize: number): AxisCoeffs {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 2 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    let xmin = Math.trunc(center - support + 0.5); // C (int) cast: truncation
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = bicubic((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? k[x] / ww : k[x];
      // (int)(±0.5 + w * 2^22): round half away from zero, then truncate.
      weights[xx * ksize + x] =
        w < 0
          ? Math.trunc(-0.5 + w * (1 << PRECISION_BITS))
          : Math.trunc(0.5 + w * (1 << PRECISION_BITS));
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { inSize, outSize, ksize, start, count, weights };
}

function clip8(v: number): number {
  if (v >= MAX_FIXED) return 255;
  if (v <= 0) return 0;
  return v >> PRECISION_BITS;
}

/**
 * Resizes boxes of uint8 HWC images with PIL bicubic, reusing its coefficient tables (keyed by
 * (input size, output size); a box's offset does not change them) and one intermediate buffer.
 */
export class BicubicResizer {
  private cache = new Map<number, AxisCoeffs>();
  private tmp = new Uint8Array(0);

  coeffs(inSize: number, outSize: number): AxisCoeffs {
    const key = inSize * 65536 + outSize;
    let c = this.cache.get(key);
    if (!c) {
      if (this.cache.size >= 4096) this.cache.clear(); // bounded: images of many sizes
      c = bicubicCoeffs(inSize, outSize);
      this.cache.set(key, c);
    }
    return c;
  }

  /**
   * Writes into `dst` (outH x outW x C) the box (top, left, h, w) of `src` (an image `srcW` pixels
   * wide with C channels), resized as PIL's `img.crop(box).resize((outW, outH), BICUBIC)`.
   */
  resize(
    src: Uint8Array,
    srcW: number,
    C: number,
    top: number,
    left: number,
    h: number,
    w: number,
    dst: Uint8Array,
    outH: number,
    outW: number,
  ): void {
    const needH = w !== outW;
    const needV = h !== outH;
    const srcStride = srcW * C;
    if (!needH && !needV) {
      for (let y = 0; y < h; y++) {
        const o = (top + y) * srcStride + left * C;
        dst.set(src.subarray(o, o + w * C), y * outW * C);
      }
      return;
    }
    // Horizontal pass: box rows → [h, outW, C] (into dst directly when no vertical pass follows).
    let vin = src;
    let vinStride = srcStride;
    let vinOffset = top * srcStride + left * C;
    if (needH) {
      const n = h * outW * C;
      if (!needV) {
        horizontal(src, srcStride, top * srcStride + left * C, C, h, this.coeffs(w, outW), dst);
        return;
      }
      if (this.tmp.length < n) this.tmp = new Uint8Array(n);
      horizontal(src, srcStride, top * srcStride + left * C, C, h, this.coeffs(w, outW), this.tmp);
      vin = this.tmp;
      vinStride = outW * C;
      vinOffset = 0;
    }
    vertical(vin, vinStride, vinOffset, outW * C, this.coeffs(h, outH), dst);
  }
}

function horizontal(
  src: Uint8Array,
  stride: number,
  offset: number,
  C: number,
  rows: number,
  k: AxisCoeffs,
  dst: Uint8Array,
): void {
  const { outSize, ksize, start, count, weights } = k;
  let o = 0;
  for (let y = 0; y < rows; y++) {
    const row = offset + y * stride;
    for (let xx = 0; xx < outSize; xx++) {
      const n = count[xx];
      const kOff = xx * ksize;
      const base = row + start[xx] * C;
      for (let c = 0; c < C; c++) {
        let ss = HALF;
        for (let x = 0, p = base + c; x < n; x++, p += C) ss += src[p] * weights[kOff + x];
        dst[o++] = clip8(ss);
      }
    }
  }
}

/** Vertical pass over `rowLen` = outW·C values per row. */
function vertical(
  src: Uint8Array,
  stride: number,
  offset: number,
  rowLen: number,
  k: AxisCoeffs,
  dst: Uint8Array,
): void {
  const { outSize, ksize, start, count, weights } = k;
  let o = 0;
  for (let yy = 0; yy < outSize; yy++) {
    const n = count[yy];
    const kOff = yy * ksize;
    const base = offset + start[yy] * stride;
    for (let i = 0; i < rowLen; i++) {
      let ss = HALF;
      for (let y = 0, p = base + i; y < n; y++, p += stride) ss += src[p] * weights[kOff + y];
      dst[o++] = clip8(ss);
    }
  }
}
