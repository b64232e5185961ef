// CPU reference: kernels that move elements without arithmetic (plus the additions of
// scatterAdd). Permute, slice and expand are all one kernel, copyStrided: the op computes the
// strides of the view and this kernel gathers it into a fresh row-major buffer.
// Twin: src/tensor/gpu/movement.ts.

import type { TypedArray } from '../dtype.js';

/** out[i₀..iₖ] = x[offset + Σ i_d · strides_d], out row-major of `shape`. */
export function copyStrided(
  out: TypedArray,
  x: TypedArray,
  shape: number[],
  strides: number[],
  offset: number,
): void {
  const r = shape.length;
  if (out.length === 0) return;
  if (r === 0) {
    out[0] = x[offset];
    return;
  }
  const n = shape[r - 1];
  const s = strides[r - 1];
  const rows = out.length / n;
  const idx = new Array<number>(r - 1).fill(0);
  let ix = offset;
  for (let row = 0; row < rows; row++) {
    const ob = row * n;
    if (s === 1) for (let j = 0; j < n; j++) out[ob + j] = x[ix + j];
    else for (let j = 0, p = ix; j < n; j++, p += s) out[ob + j] = x[p];
    for (let d = r - 2; d >= 0; d--) {
      idx[d]++;
      ix += strides[d];
      if (idx[d] < shape[d]) break;
      ix -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/** Zeros of outShape with x (row-major, inShape) written at `starts`. */
export function pad(
  out: TypedArray,
  x: TypedArray,
  inShape: number[],
  outShape: number[],
  starts: number[],
): void {
  out.fill(0);
  const r = inShape.length;
  if (x.length === 0) return;
  if (r === 0) {
    out[0] = x[0];
    return;
  }
  // output strides and the offset of the first copied element
  const ostr = new Array<number>(r);
  let s = 1;
  for (let d = r - 1; d >= 0; d--) {
    ostr[d] = s;
    s *= outShape[d];
  }
  let io = 0;
  for (let d = 0; d < r; d++) io += starts[d] * ostr[d];
  const n = inShape[r - 1];
  const rows = x.length / n;
  const idx = new Array<number>(r - 1).fill(0);
  for (let row = 0; row < rows; row++) {
    const xb = row * n;
    for (let j = 0; j < n; j++) out[io + j] = x[xb + j];
    for (let d = r - 2; d >= 0; d--) {
      idx[d]++;
      io += ostr[d];
      if (idx[d] < inShape[d]) break;
      io -= ostr[d] * inShape[d];
      idx[d] = 0;
    }
  }
}

/** parts[p] viewed as [outer, sizes[p], inner], concatenated along the middle axis. */
export function concat(
  out: TypedArray,
  parts: TypedArray[],
  outer: number,
  sizes: number[],
  inner: number,
): void {
  const total = sizes.reduce((x, y) => x + y, 0);
  for (let o = 0; o < outer; o++) {
    let ob = o * total * inner;
    for (let p = 0; p < parts.length; p++) {
      const len = sizes[p] * inner;
      const src = parts[p];
      const sb = o * len;
      for (let i = 0; i < len; i++) out[ob + i] = src[sb + i];
      ob += len;
    }
  }
}

/** out[o, j, i] = x[o, index[j], i]; x viewed as [outer, n, inner], out as [outer, m, inner]. */
export function gather(
  out: TypedArray,
  x: TypedArray,
  index: Int32Array,
  outer: number,
  n: number,
  inner: number,
): void {
  const m = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const xb = (o * n + index[j]) * inner;
      const ob = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[ob + i] = x[xb + i];
    }
  }
}

/** out = zeros [outer, n, inner]; out[o, index[j], i] += g[o, j, i]. */
export function scatterAdd(
  out: TypedArray,
  g: TypedArray,
  index: Int32Array,
  outer: number,
  n: number,
  inner: number,
): void {
  out.fill(0);
  const m = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const ob = (o * n + index[j]) * inner;
      const gb = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[ob + i] += g[gb + i];
    }
  }
}
