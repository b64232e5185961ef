// CPU reference: softmax and log-softmax over the last axis of x viewed as [rows, n], and their
// backward rules. The row maximum is subtracted first so exp never overflows.
//   softmax:     y = exp(x − m) / Σ exp(x − m)         dx = y ⊙ (dy − Σ dy ⊙ y)
//   logSoftmax:  y = x − m − log Σ exp(x − m)          dx = dy − exp(y) · Σ dy
// Twin: src/tensor/gpu/softmax.ts.

import type { TypedArray } from '../dtype.js';

export function softmax(out: TypedArray, x: TypedArray, rows: number, n: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    let m = -Infinity;
    for (let j = 0; j < n; j++) if (x[base + j] > m) m = x[base + j];
    let s = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp(x[base + j] - m);
      out[base + j] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let j = 0; j < n; j++) out[base + j] *= inv;
  }
}

export function logSoftmax(out: TypedArray, x: TypedArray, rows: number, n: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    let m = -Infinity;
    for (let j = 0; j < n; j++) if (x[base + j] > m) m = x[base + j];
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(x[base + j] - m);
    const lse = m + Math.log(s);
    for (let j = 0; j < n; j++) out[base + j] = x[base + j] - lse;
  }
}

export function softmaxBackward(
  out: TypedArray,
  y: TypedArray,
  dy: TypedArray,
  rows: number,
  n: number,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    let dot = 0;
    for (let j = 0; j < n; j++) dot += dy[base + j] * y[base + j];
    for (let j = 0; j < n; j++) out[base + j] = y[base + j] * (dy[base + j] - dot);
  }
}

export function logSoftmaxBackward(
  out: TypedArray,
  y: TypedArray,
  dy: TypedArray,
  rows: number,
  n: number,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += dy[base + j];
    for (let j = 0; j < n; j++) out[base + j] = dy[base + j] - Math.exp(y[base + j]) * s;
  }
}
