// gpu.js twin of src/tensor/cpu/layernorm.ts: LayerNorm over the last axis of x viewed as
// [rows, n] (biased variance, eps inside the square root, elementwise affine), and its backward.
//   x̂ = (x − μ) · rstd,  rstd = 1/√(σ² + eps),  y = x̂ ⊙ w + b
//   dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)),  ĝ = dy ⊙ w
//   dw = Σ_rows dy ⊙ x̂,  db = Σ_rows dy
// gpu.js kernels have one output (kernel maps fall back to cpu on webasm), so the cpu twin's
// row loop becomes per-row kernels (μ, then rstd from the two-pass variance, Kahan sums) and a
// per-element kernel ([n, rows]: thread.y the row, thread.x the column). The parameter gradients
// reduce over rows with ./reduce.ts, which splits long reductions for the GPU. In webgpu mode each
// of the three is one WGSL launch (below).

import { at } from './helpers.js';
import { sum } from './reduce.js';
import type { GpuStorage, KernelSpec, KernelThis, Runtime } from './runtime.js';
import { ROW_WGSL, rowGroups, runWgsl, type WgslKernel } from './wgsl.js';

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

// webgpu: each of the three is one WGSL launch with a workgroup per row (per column for the
// parameter gradients) reducing with ROW_WGSL, instead of three to six gpu.js launches.

/** Kahan-adds `term` into the thread's (s, c). */
const kahan = (s: string, c: string, term: string) =>
  `{ let y_ = ${term} - ${c}; let q_ = ${s} + y_; ${c} = (q_ - ${s}) - y_; ${s} = q_; }`;

const bind = (names: string[], from: number, access: 'read' | 'read_write') =>
  names
    .map((x, i) => `@group(0) @binding(${from + i}) var<storage, ${access}> ${x}: array<f32>;`)
    .join('\n');

/** Binding layout and entry of a row kernel: uniforms U, inputs, outputs, then `body`. */
function lnKernel(
  name: string,
  uniforms: string,
  inputs: string[],
  outputs: string[],
  body: string,
): WgslKernel {
  const fields = uniforms.split(',').map((f) => f.trim());
  return {
    name,
    uniforms: fields.map((f) => f.split(':')[1].trim() as 'u32' | 'f32'),
    code: `
struct U { ${uniforms} }
@group(0) @binding(0) var<uniform> u: U;
${bind(inputs, 1, 'read')}
${bind(outputs, inputs.length + 1, 'read_write')}
${ROW_WGSL}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let r = row(wid);
  if (r >= u.rows) { return; }
${body}
}`,
  };
}

const LN_WGSL = lnKernel(
  'layerNormRow',
  'rows: u32, width: u32, n: u32, eps: f32',
  ['x', 'w', 'b'],
  ['y', 'mean', 'rstd'],
  `  let n = u.n;
  let base = r * n;
  var s = 0.0;
  var c = 0.0;
  for (var j = t; j < n; j += 64u) ${kahan('s', 'c', 'x[base + j]')}
  let mu = rowSum(t, s) / f32(n);
  var v = 0.0;
  var cv = 0.0;
  for (var j = t; j < n; j += 64u) ${kahan('v', 'cv', '(x[base + j] - mu) * (x[base + j] - mu)')}
  let rs = 1.0 / sqrt(rowSum(t, v) / f32(n) + u.eps);
  if (t == 0u) {
    mean[r] = mu;
    rstd[r] = rs;
  }
  for (var j = t; j < n; j += 64u) { y[base + j] = (x[base + j] - mu) * rs * w[j] + b[j]; }`,
);

const LN_BACKWARD_WGSL = lnKernel(
  'layerNormBackwardRow',
  'rows: u32, width: u32, n: u32',
  ['dy', 'x', 'w', 'mean', 'rstd'],
  ['dx'],
  `  let n = u.n;
  let base = r * n;
  let mu = mean[r];
  let rs = rstd[r];
  var sg = 0.0;
  var cg = 0.0;
  var sgx = 0.0;
  var cgx = 0.0;
  for (var j = t; j < n; j += 64u) {
    let g = dy[base + j] * w[j];
    ${kahan('sg', 'cg', 'g')}
    ${kahan('sgx', 'cgx', 'g * (x[base + j] - mu) * rs')}
  }
  let mg = rowSum(t, sg) / f32(n);
  let mgx = rowSum(t, sgx) / f32(n);
  for (var j = t; j < n; j += 64u) {
    let xh = (x[base + j] - mu) * rs;
    dx[base + j] = rs * (dy[base + j] * w[j] - mg - xh * mgx);
  }`,
);

/** A workgroup per column j: Σ over the `count` rows of dy ⊙ x̂ and of dy. */
const LN_PARAM_GRADS_WGSL = lnKernel(
  'layerNormParamGradsCol',
  'rows: u32, width: u32, count: u32',
  ['dy', 'x', 'mean', 'rstd'],
  ['dw', 'db'],
  `  let n = u.rows;
  var sw = 0.0;
  var cw = 0.0;
  var sb = 0.0;
  var cb = 0.0;
  for (var i = t; i < u.count; i += 64u) {
    let g = dy[i * n + r];
    ${kahan('sw', 'cw', 'g * (x[i * n + r] - mean[i]) * rstd[i]')}
    ${kahan('sb', 'cb', 'g')}
  }
  let tw = rowSum(t, sw);
  let tb = rowSum(t, sb);
  if (t == 0u) {
    dw[r] = tw;
    db[r] = tb;
  }`,
);

export function layerNorm(
  rt: Runtime,
  x: GpuStorage,
  w: GpuStorage,
  b: GpuStorage,
  rows: number,
  n: number,
  eps: number,
): { y: GpuStorage; mean: GpuStorage; rstd: GpuStorage } {
  if (rt.mode === 'webgpu' && rows * n > 0) {
    const g = rowGroups(rows);
    const [y, mean, rstd] = runWgsl(
      rt,
      LN_WGSL,
      [x, w, b],
      [rows * n, rows, rows],
      [rows, g[0], n, eps],
      g,
    );
    return { y, mean, rstd };
  }
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
  if (rt.mode === 'webgpu' && rows * n > 0) {
    const g = rowGroups(rows);
    return runWgsl(rt, LN_BACKWARD_WGSL, [dy, x, w, mean, rstd], [rows * n], [rows, g[0], n], g)[0];
  }
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
  if (rt.mode === 'webgpu' && rows * n > 0) {
    const gr = rowGroups(n);
    const [dweight, dbias] = runWgsl(
      rt,
      LN_PARAM_GRADS_WGSL,
      [dy, x, mean, rstd],
      [n, n],
      [n, gr[0], rows],
      gr,
    );
    return { dweight, dbias };
  }
  const g = rt.run(DY_XHAT, [n, rows], [dy, x, mean, rstd, n]);
  const dweight = sum(rt, g, 1, rows, n);
  rt.release(g);
  const dbias = sum(rt, dy, 1, rows, n);
  return { dweight, dbias };
}
