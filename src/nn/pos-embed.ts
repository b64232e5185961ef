// Position-embedding interpolation for other grid sizes (official vision_transformer.py
// VisionTransformer.interpolate_pos_encoding): bicubic, align_corners = False, A = −0.75, driven by
// the *scale factor* s = (g + 0.1)/g₀ (the +0.1 only makes floor(g₀·s) land on g despite rounding:
// official issues #8 and #36). Output index o samples the source at (o + 0.5)/s − 0.5, unclamped
// before taking the fractional part; the four taps are clamped into [0, g₀ − 1] (PyTorch's
// upsample_bicubic2d).
//
// Resampling is linear, so it is done as a product with a constant matrix
// M = R_rows ⊗ R_cols of shape [Hg·Wg, g₀²]: the backward is then the matmul's backward.

const A = -0.75;

/** cubic convolution kernel for |x| ≤ 1 and 1 < |x| < 2 (Keys 1981, as PyTorch). */
function cubic1(x: number): number {
  return ((A + 2) * x - (A + 3)) * x * x + 1;
}
function cubic2(x: number): number {
  return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
}

/** Row-major [out, in] matrix resampling a 1-D signal of length `inSize` by `scale`. */
export function bicubicMatrix(inSize: number, scale: number): { out: number; m: Float64Array } {
  const out = Math.floor(inSize * scale);
  const m = new Float64Array(out * inSize);
  const inv = 1 / scale; // PyTorch: area_pixel_compute_scale returns 1/scale_factor
  for (let o = 0; o < out; o++) {
    const src = inv * (o + 0.5) - 0.5;
    const i0 = Math.floor(src);
    const t = src - i0;
    const w = [cubic2(t + 1), cubic1(t), cubic1(1 - t), cubic2(2 - t)];
    for (let k = 0; k < 4; k++) {
      const idx = Math.min(inSize - 1, Math.max(0, i0 - 1 + k));
      m[o * inSize + idx] += w[k];
    }
  }
  return { out, m };
}

/**
 * The [Hg·Wg, g₀²] matrix mapping a g₀×g₀ grid (row-major) to Hg×Wg with the official scale
 * factors ((Hg + 0.1)/g₀, (Wg + 0.1)/g₀). Throws if floor(g₀·s) misses the target (it cannot
 * for g ≥ 1, which is what the +0.1 guarantees).
 */
export function posEmbedInterpolationMatrix(g0: number, Hg: number, Wg: number): Float64Array {
  const rows = bicubicMatrix(g0, (Hg + 0.1) / g0);
  const cols = bicubicMatrix(g0, (Wg + 0.1) / g0);
  if (rows.out !== Hg || cols.out !== Wg) {
    throw new Error(
      `interpolatePosEncoding: grid ${g0}×${g0} resampled to ${rows.out}×${cols.out}, ` +
        `expected ${Hg}×${Wg}`,
    );
  }
  const n0 = g0 * g0;
  const m = new Float64Array(Hg * Wg * n0);
  for (let oy = 0; oy < Hg; oy++) {
    for (let ox = 0; ox < Wg; ox++) {
      const r = (oy * Wg + ox) * n0;
      for (let iy = 0; iy < g0; iy++) {
        const wy = rows.m[oy * g0 + iy];
        if (wy === 0) continue;
        for (let ix = 0; ix < g0; ix++) m[r + iy * g0 + ix] += wy * cols.m[ox * g0 + ix];
      }
    }
  }
  return m;
}
