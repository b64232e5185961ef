// The fast path's TypeScript matrix kernel: one M×N block of alpha·A·B (+ bias) with A and B read
// through arbitrary strides, out[oOff + i·ldo + j] = alpha·Σ_k A(i, k)·B(k, j) (+ bias[j]) with
// A(i, k) = a[aOff + i·ars + k·acs] and B(k, j) = b[bOff + k·brs + j·bcs]. It computes a 4×4
// block of the output at a time, keeping 16 accumulators in registers: every loaded element is
// used four times, which is what makes plain JavaScript reach ~4 GFLOP/s here instead of ~1
// (bench/kernels.ts). Edges that do not fill a block fall back to plain dot products. The sum
// over k runs in order in float64, so for float64 it equals the reference (matmul.ts) bit for
// bit. threads.ts uses it for products too small for the WebAssembly SIMD kernel's copies, and
// where SIMD is unavailable or off.

import type { TypedArray } from '../dtype.js';

export function gemmBlocked(
  out: TypedArray,
  oOff: number,
  ldo: number,
  a: TypedArray,
  aOff: number,
  ars: number,
  acs: number,
  b: TypedArray,
  bOff: number,
  brs: number,
  bcs: number,
  M: number,
  K: number,
  N: number,
  alpha: number,
  bias: TypedArray | null,
): void {
  const M4 = M - (M % 4);
  const N4 = N - (N % 4);
  for (let i = 0; i < M4; i += 4) {
    const pa0 = aOff + i * ars;
    const pa1 = pa0 + ars;
    const pa2 = pa1 + ars;
    const pa3 = pa2 + ars;
    for (let j = 0; j < N4; j += 4) {
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0;
      let c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0;
      let c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      let pb = bOff + j * bcs;
      let ka = 0;
      for (let k = 0; k < K; k++, pb += brs, ka += acs) {
        const b0 = b[pb];
        const b1 = b[pb + bcs];
        const b2 = b[pb + 2 * bcs];
        const b3 = b[pb + 3 * bcs];
        const x0 = a[pa0 + ka];
        const x1 = a[pa1 + ka];
        const x2 = a[pa2 + ka];
        const x3 = a[pa3 + ka];
        c00 += x0 * b0;
        c01 += x0 * b1;
        c02 += x0 * b2;
        c03 += x0 * b3;
        c10 += x1 * b0;
        c11 += x1 * b1;
        c12 += x1 * b2;
        c13 += x1 * b3;
        c20 += x2 * b0;
        c21 += x2 * b1;
        c22 += x2 * b2;
        c23 += x2 * b3;
        c30 += x3 * b0;
        c31 += x3 * b1;
        c32 += x3 * b2;
        c33 += x3 * b3;
      }
      let o = oOff + i * ldo + j;
      out[o] = c00;
      out[o + 1] = c01;
      out[o + 2] = c02;
      out[o + 3] = c03;
      o += ldo;
      out[o] = c10;
      out[o + 1] = c11;
      out[o + 2] = c12;
      out[o + 3] = c13;
      o += ldo;
      out[o] = c20;
      out[o + 1] = c21;
      out[o + 2] = c22;
      out[o + 3] = c23;
      o += ldo;
      out[o] = c30;
      out[o + 1] = c31;
      out[o + 2] = c32;
      out[o + 3] = c33;
    }
    for (let j = N4; j < N; j++) {
      for (let r = 0; r < 4; r++)
        out[oOff + (i + r) * ldo + j] = dot(
          a,
          aOff + (i + r) * ars,
          acs,
          b,
          bOff + j * bcs,
          brs,
          K,
        );
    }
  }
  for (let i = M4; i < M; i++) {
    for (let j = 0; j < N; j++)
      out[oOff + i * ldo + j] = dot(a, aOff + i * ars, acs, b, bOff + j * bcs, brs, K);
  }
  // alpha·Σ + bias[j] from the stored sums (a second pass keeps the loop above as fast as a plain
  // product; for float64 the stored sum is exact, so this is the reference's expression)
  if (alpha === 1 && !bias) return;
  for (let i = 0; i < M; i++) {
    const o = oOff + i * ldo;
    if (bias) for (let j = 0; j < N; j++) out[o + j] = alpha * out[o + j] + bias[j];
    else for (let j = 0; j < N; j++) out[o + j] = alpha * out[o + j];
  }
}

function dot(
  a: TypedArray,
  pa: number,
  sa: number,
  b: TypedArray,
  pb: number,
  sb: number,
  K: number,
): number {
  let s = 0;
  for (let k = 0; k < K; k++, pa += sa, pb += sb) s += a[pa] * b[pb];
  return s;
}
