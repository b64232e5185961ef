// gpu.js twin of src/tensor/cpu/layernorm.ts: LayerNorm over the last axis of x viewed as
// [rows, n] (biased variance, eps inside the square root, elementwise affine), and its backward.
//   x̂ = (x − μ) · rstd,  rstd = 1/√(σ² + eps),  y = x̂ ⊙ w + b
//   dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)),  ĝ = dy ⊙ w
//   dw = Σ_rows dy ⊙ x̂,  db = Σ_rows dy
// gpu.js kernels have one output (kernel maps fall back to cpu on webasm), so the cpu twin's
// row loop becomes per-row kernels (μ, then rstd from the two-pass variance, Kahan sums) and a
// per-element kernel ([n, rows]: thread.y the row, thread.x the column). The parameter gradients
// reduce over rows with ./reduce.ts, which splits long reductions for the GPU.

import { at } from './helpers.js';
import { sum } from './reduce.js';
import type { GpuStorage, KernelSpec, KernelThis, Runtime } from './runtime.js';

const ROW_MEAN: KernelSpec = {
  name: 'layerNormMean',
  fn: function (this: KernelThis, x: number[], n: number) {
    let s = 0.0;
    let c = 0.0;
    for (let j = 0; j < n; j++) {
      const y = x[at(this.thread.x * n, j, 1)] - c;
      const t = s + y;
      c = t - s - y;
      s = t;
    }
    return s / n;
  },
  args: { x: 'Array', n: 'Integer' },
};

const ROW_RSTD: KernelSpec = {
  name: 'layerNormRstd',
  fn: function (this: KernelThis, x: number[], mean: number[], n: number, eps: number) {
    let v = 0.0;
    let c = 0.0;
    for (let j = 0; j < n; j++) {
      const d = x[at(this.thread.x * n, j, 1)] - mean[this.thread.x];
      const y = d * d - c;
      const t = v + y;
      c = t - v - y;
      v = t;
    }
    return 1.0 / Math.sqrt(v / n + eps);
  },
  args: { x: 'Array', mean: 'Array', n: 'Integer', eps: 'Float' },
};

const Y: KernelSpec = {
  name: 'layerNormY',
  fn: function (
    this: KernelThis,
    x: number[],
    mean: number[],
    rstd: number[],
    w: number[],
    b: number[],
    n: number,
  ) {
    const v = x[this.thread.y * n + this.thread.x];
    return (v - mean[this.thread.y]) * rstd[this.thread.y] * w[this.thread.x] + b[this.thread.x];
  },
  args: { x: 'Array', mean: 'Array', rstd: 'Array', w: 'Array', b: 'Array', n: 'Integer' },
};

export function layerNorm(
  rt: Runtime,
  x: GpuStorage,
  w: GpuStorage,
  b: GpuStorage,
  rows: number,
  n: number,
  eps: number,
): { y: GpuStorage; mean: GpuStorage; rstd: GpuStorage } {
  const mean = rt.run(ROW_MEAN, [rows], [x, n], n);
  const rstd = rt.run(ROW_RSTD, [rows], [x, mean, n, eps], n);
  const y = rt.run(Y, [n, rows], [x, mean, rstd, w, b, n]);
  return { y, mean, rstd };
}

/** mean(ĝ) (withX = 0) or mean(ĝ ⊙ x̂) (withX = 1) per row. */
const ROW_MEAN_G: KernelSpec = {
  name: 'layerNormMeanG',
  fn: function (
    this: KernelThis,
    dy: number[],
    x: number[],
    w: number[],
    mean: number[],
    rstd: number[],
    n: number,
    withX: number,
  ) {
    let s = 0.0;
    let c = 0.0;
    for (let j = 0; j < n; j++) {
      let g = dy[at(this.thread.x * n, j, 1)] * w[j];
      if (withX > 0) {
        g = g * (x[at(this.thread.x * n, j, 1)] - mean[this.thread.x]) * rstd[this.thread.x];
      }
      const y = g - c;
      const t = s + y;
      c = t - s - y;
      s = t;
    }
    return s / n;
  },
  args: {
    dy: 'Array',
    x: 'Array',
    w: 'Array',
    mean: 'Array',
    rstd: 'Array',
    n: 'Integer',
    withX: 'Integer',
  },
};

const DX: KernelSpec = {
  name: 'layerNormDx',
  fn: function (
    this: KernelThis,
    dy: number[],
    x: number[],
    w: number[],
    mean: number[],
    rstd: number[],
    mg: number[],
    mgx: number[],
    n: number,
  ) {
    const rs = rstd[this.thread.y];
    const xh = (x[this.thread.y * n + this.thread.x] - mean[this.thread.y]) * rs;
    return (
      rs *
      (dy[this.thread.y * n + this.thread.x] * w[this.thread.x] -
        mg[this.thread.y] -
        xh * mgx[this.thread.y])
    );
  },
  args: {
    dy: 'Array',
    x: 'Array',
    w: 'Array',
    mean: 'Array',
    rstd: 'Array',
    mg: 'Array',
    mgx: 'Array',
    n: 'Integer',
  },
};

export function layerNormBackward(
  rt: Runtime,
  dy: GpuStorage,
  x: GpuStorage,
  w: GpuStorage,
  mean: GpuStorage,
  rstd: GpuStorage,
  rows: number,
  n: number,
): GpuStorage {
  const mg = rt.run(ROW_MEAN_G, [rows], [dy, x, w, mean, rstd, n, 0], n);
  const mgx = rt.run(ROW_MEAN_G, [rows], [dy, x, w, mean, rstd, n, 1], n);
  const dx = rt.run(DX, [n, rows], [dy, x, w, mean, rstd, mg, mgx, n]);
  rt.release(mg);
  rt.release(mgx);
  return dx;
}

/** dy ⊙ x̂ per element, output [n, rows]. */
const DY_XHAT: KernelSpec = {
  name: 'layerNormDyXhat',
  fn: function (
    this: KernelThis,
    dy: number[],
    x: number[],
    mean: number[],
    rstd: number[],
    n: number,
  ) {
    return (
      dy[this.thread.y * n + this.thread.x] *
      (x[this.thread.y * n + this.thread.x] - mean[this.thread.y]) *
      rstd[this.thread.y]
    );
  },
  args: { dy: 'Array', x: 'Array', mean: 'Array', rstd: 'Array', n: 'Integer' },
};

/** dw = Σ_rows dy ⊙ x̂, db = Σ_rows dy: column sums of [rows, n]. */
export function layerNormParamGrads(
  rt: Runtime,
  dy: GpuStorage,
  x: GpuStorage,
  mean: GpuStorage,
  rstd: GpuStorage,
  rows: number,
  n: number,
): { dweight: GpuStorage; dbias: GpuStorage } {
  const g = rt.run(DY_XHAT, [n, rows], [dy, x, mean, rstd, n]);
  const dweight = sum(rt, g, 1, rows, n);
  rt.release(g);
  const dbias = sum(rt, dy, 1, rows, n);
  return { dweight, dbias };
}
