// CPU reference: elementwise kernels (unary, with a scalar parameter, and binary with
// broadcasting).
//
// One loop per kernel, switched once per row rather than per element (a per-element function
// call would be ~7x slower in V8). Binary kernels receive the output shape and per-operand
// strides already collapsed by the op (shape.collapseDims), so the common cases — same shape,
// bias over the last axis, scalar — are one or two loops. GELU is the exact erf form, with the
// same formula as PyTorch (x · ½ · (1 + erf(x/√2))). Twin: src/tensor/gpu/elementwise.ts.

import type { BinaryKernel, UnaryKernel } from '../backend.js';
import type { TypedArray } from '../dtype.js';
import { erf32, erf64 } from './erf.js';

/** 1/√(2π): the standard normal density at 0. */
const INV_SQRT_2PI = 0.3989422804014327;

export function unary(op: UnaryKernel, out: TypedArray, x: TypedArray): void {
  const n = out.length;
  const erf = out instanceof Float64Array ? erf64 : erf32;
  switch (op) {
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -x[i];
      break;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      break;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
      break;
    case 'sqrt':
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
      break;
    case 'abs':
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]);
      break;
    case 'sign':
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? 1 : x[i] < 0 ? -1 : 0;
      break;
    case 'erf':
      for (let i = 0; i < n; i++) out[i] = erf(x[i]);
      break;
    case 'gelu':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v * 0.5 * (1 + erf(v * Math.SQRT1_2));
      }
      break;
  }
}

/** x·scale + shift. */
export function affine(out: TypedArray, x: TypedArray, scale: number, shift: number): void {
  for (let i = 0; i < out.length; i++) out[i] = x[i] * scale + shift;
}

/** x^p. Integer powers 2 and −1 avoid Math.pow (exact and faster). */
export function powScalar(out: TypedArray, x: TypedArray, p: number): void {
  const n = out.length;
  if (p === 2) for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
  else if (p === 1) for (let i = 0; i < n; i++) out[i] = x[i];
  else if (p === -1) for (let i = 0; i < n; i++) out[i] = 1 / x[i];
  else if (p === 0.5) for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
  else for (let i = 0; i < n; i++) out[i] = Math.pow(x[i], p);
}

/** dy · GELU′(x) with GELU′(x) = Φ(x) + x·φ(x) (PyTorch's GeluBackward). */
export function geluBackward(out: TypedArray, x: TypedArray, dy: TypedArray): void {
  const erf = out instanceof Float64Array ? erf64 : erf32;
  for (let i = 0; i < out.length; i++) {
    const v = x[i];
    const cdf = 0.5 * (1 + erf(v * Math.SQRT1_2));
    const pdf = Math.exp(-0.5 * v * v) * INV_SQRT_2PI;
    out[i] = dy[i] * (cdf + v * pdf);
  }
}

/**
 * Binary op with broadcasting. The innermost dimension is one tight loop; outer dimensions are
 * walked with an odometer (idx), moving each operand's offset by its stride.
 */
export function binary(
  op: BinaryKernel,
  out: TypedArray,
  a: TypedArray,
  b: TypedArray,
  shape: number[],
  aStrides: number[],
  bStrides: number[],
): void {
  const r = shape.length;
  if (out.length === 0) return;
  if (r === 0) {
    binaryRow(op, out, 0, a, 0, 0, b, 0, 0, 1);
    return;
  }
  const n = shape[r - 1];
  const sa = aStrides[r - 1];
  const sb = bStrides[r - 1];
  const rows = out.length / n;
  const idx = new Array<number>(r - 1).fill(0); // the position in the outer dimensions
  let ia = 0;
  let ib = 0;
  for (let row = 0; row < rows; row++) {
    binaryRow(op, out, row * n, a, ia, sa, b, ib, sb, n);
    for (let d = r - 2; d >= 0; d--) {
      idx[d]++;
      ia += aStrides[d];
      ib += bStrides[d];
      if (idx[d] < shape[d]) break;
      ia -= aStrides[d] * shape[d];
      ib -= bStrides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

function binaryRow(
  op: BinaryKernel,
  out: TypedArray,
  o: number,
  a: TypedArray,
  ia: number,
  sa: number,
  b: TypedArray,
  ib: number,
  sb: number,
  n: number,
): void {
  const end = o + n;
  switch (op) {
    case 'add':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] + b[ib];
      break;
    case 'sub':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] - b[ib];
      break;
    case 'mul':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] * b[ib];
      break;
    case 'div':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] / b[ib];
      break;
    case 'maximum':
      for (; o < end; o++, ia += sa, ib += sb)
        out[o] = a[ia] >= b[ib] || a[ia] !== a[ia] ? a[ia] : b[ib];
      break;
    case 'minimum':
      for (; o < end; o++, ia += sa, ib += sb)
        out[o] = a[ia] <= b[ib] || a[ia] !== a[ia] ? a[ia] : b[ib];
      break;
    case 'greater':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] > b[ib] ? 1 : 0;
      break;
    case 'equal':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] === b[ib] ? 1 : 0;
      break;
  }
}
