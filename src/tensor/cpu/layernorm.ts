// CPU reference: LayerNorm over the last axis of x viewed as [rows, n] (biased variance, eps
// inside the square root, elementwise affine), as torch.nn.LayerNorm; and its backward.
//   x̂ = (x − μ) · rstd,  rstd = 1/√(σ² + eps),  y = x̂ ⊙ w + b
//   dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)),  ĝ = dy ⊙ w
//   dw = Σ_rows dy ⊙ x̂,  db = Σ_rows dy
// The variance is computed in two passes (mean first) for accuracy. Twin:
// src/tensor/gpu/layernorm.ts.

import type { TypedArray } from '../dtype.js';

export function layerNorm(
  y: TypedArray,
  mean: TypedArray,
  rstd: TypedArray,
  x: TypedArray,
  w: TypedArray,
  b: TypedArray,
  rows: number,
  n: number,
  eps: number,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += x[base + j];
    const mu = s / n;
    let v = 0;
    for (let j = 0; j < n; j++) {
      const d = x[base + j] - mu;
      v += d * d;
    }
    const rs = 1 / Math.sqrt(v / n + eps);
    mean[r] = mu;
    rstd[r] = rs;
    for (let j = 0; j < n; j++) y[base + j] = (x[base + j] - mu) * rs * w[j] + b[j];
  }
}

export function layerNormBackward(
  dx: TypedArray,
  dy: TypedArray,
  x: TypedArray,
  w: TypedArray,
  mean: TypedArray,
  rstd: TypedArray,
  rows: number,
  n: number,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    const mu = mean[r];
    const rs = rstd[r];
    let sg = 0; // Σ ĝ
    let sgx = 0; // Σ ĝ ⊙ x̂
    for (let j = 0; j < n; j++) {
      const g = dy[base + j] * w[j];
      sg += g;
      sgx += g * (x[base + j] - mu) * rs;
    }
    const mg = sg / n;
    const mgx = sgx / n;
    for (let j = 0; j < n; j++) {
      const xh = (x[base + j] - mu) * rs;
      dx[base + j] = rs * (dy[base + j] * w[j] - mg - xh * mgx);
    }
  }
}

/** dw and db accumulate in float64 scratch rows (accW, accB of length n). */
export function layerNormParamGrads(
  dw: TypedArray,
  db: TypedArray,
  dy: TypedArray,
  x: TypedArray,
  mean: TypedArray,
  rstd: TypedArray,
  rows: number,
  n: number,
  accW: Float64Array,
  accB: Float64Array,
): void {
  accW.fill(0, 0, n);
  accB.fill(0, 0, n);
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    const mu = mean[r];
    const rs = rstd[r];
    for (let j = 0; j < n; j++) {
      const g = dy[base + j];
      accW[j] += g * (x[base + j] - mu) * rs;
      accB[j] += g;
    }
  }
  for (let j = 0; j < n; j++) {
    dw[j] = accW[j];
    db[j] = accB[j];
  }
}
