// CPU reference: reductions over the middle axis of x viewed as [outer, n, inner].
//
// The op (src/autograd/ops/reduce.ts) merges adjacent reduced axes into one `n`, so a reduction
// over the last axis is inner = 1 (one contiguous row per output) and a reduction over a leading
// axis walks rows of length `inner`. Sums accumulate in float64 whatever the dtype.
// Twin: src/tensor/gpu/reduce.ts.

import type { TypedArray } from '../dtype.js';

export function sum(
  out: TypedArray,
  x: TypedArray,
  outer: number,
  n: number,
  inner: number,
  acc: Float64Array,
): void {
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      let s = 0;
      const base = o * n;
      for (let j = 0; j < n; j++) s += x[base + j];
      out[o] = s;
    }
    return;
  }
  // acc: a float64 scratch row of length `inner`
  for (let o = 0; o < outer; o++) {
    acc.fill(0, 0, inner);
    for (let j = 0; j < n; j++) {
      const base = (o * n + j) * inner;
      for (let i = 0; i < inner; i++) acc[i] += x[base + i];
    }
    const ob = o * inner;
    for (let i = 0; i < inner; i++) out[ob + i] = acc[i];
  }
}

/** Σ x² over all of x, accumulated in float64 like sum. */
export function sumSquares(x: TypedArray): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}

/** Maximum; NaN propagates (as torch.amax). n must be ≥ 1. */
export function max(out: TypedArray, x: TypedArray, outer: number, n: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    const ob = o * inner;
    const base = o * n * inner;
    for (let i = 0; i < inner; i++) out[ob + i] = x[base + i];
    for (let j = 1; j < n; j++) {
      const rb = base + j * inner;
      for (let i = 0; i < inner; i++) {
        const v = x[rb + i];
        if (v > out[ob + i] || v !== v) out[ob + i] = v;
      }
    }
  }
}
