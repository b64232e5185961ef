// gpu.js twin of src/tensor/cpu/softmax.ts: softmax and log-softmax over the last axis of x
// viewed as [rows, n], and their backward rules. The row maximum is subtracted first so exp never
// overflows.
//   softmax:     y = exp(x − m) / Σ exp(x − m)         dx = y ⊙ (dy − Σ dy ⊙ y)
//   logSoftmax:  y = x − m − log Σ exp(x − m)          dx = dy − exp(y) · Σ dy
// The cpu twin's passes over a row become gpu.js kernels: per-row statistics ([rows] outputs, the
// row maximum from ./reduce.ts, Kahan-compensated sums) and then one thread per element ([n, rows]
// outputs: thread.y is the row, thread.x the column). In webgpu mode each is one WGSL launch.

import { at } from './helpers.js';
import { max, sum } from './reduce.js';
import type { GpuStorage, KernelSpec, KernelThis, Runtime } from './runtime.js';
import { F32_LOWEST, ROW_WGSL, rowGroups, runWgsl, type WgslKernel } from './wgsl.js';

/** Σ_j exp(x[r, j] − m[r]), output [rows]. */
const ROW_SUM_EXP: KernelSpec = {
  name: 'rowSumExp',
  fn: function (this: KernelThis, x: number[], m: number[], n: number) {
    let s = 0.0;
    let c = 0.0;
    for (let j = 0; j < n; j++) {
      const y = Math.exp(x[at(this.thread.x * n, j, 1)] - m[this.thread.x]) - c;
      const t = s + y;
      c = t - s - y;
      s = t;
    }
    return s;
  },
  args: { x: 'Array', m: 'Array', n: 'Integer' },
};

/** Σ_j dy[r, j] · y[r, j], output [rows]. */
const ROW_DOT: KernelSpec = {
  name: 'rowDot',
  fn: function (this: KernelThis, dy: number[], y: number[], n: number) {
    let s = 0.0;
    let c = 0.0;
    for (let j = 0; j < n; j++) {
      const v = dy[at(this.thread.x * n, j, 1)] * y[at(this.thread.x * n, j, 1)] - c;
      const t = s + v;
      c = t - s - v;
      s = t;
    }
    return s;
  },
  args: { dy: 'Array', y: 'Array', n: 'Integer' },
};

const SOFTMAX_OUT: KernelSpec = {
  name: 'softmaxOut',
  fn: function (this: KernelThis, x: number[], m: number[], s: number[], n: number) {
    const inv = 1.0 / s[this.thread.y];
    return Math.exp(x[this.thread.y * n + this.thread.x] - m[this.thread.y]) * inv;
  },
  args: { x: 'Array', m: 'Array', s: 'Array', n: 'Integer' },
};

const LOG_SOFTMAX_OUT: KernelSpec = {
  name: 'logSoftmaxOut',
  fn: function (this: KernelThis, x: number[], m: number[], s: number[], n: number) {
    const lse = m[this.thread.y] + Math.log(s[this.thread.y]);
    return x[this.thread.y * n + this.thread.x] - lse;
  },
  args: { x: 'Array', m: 'Array', s: 'Array', n: 'Integer' },
};

const SOFTMAX_BACKWARD_OUT: KernelSpec = {
  name: 'softmaxBackwardOut',
  fn: function (this: KernelThis, y: number[], dy: number[], dot: number[], n: number) {
    return (
      y[this.thread.y * n + this.thread.x] *
      (dy[this.thread.y * n + this.thread.x] - dot[this.thread.y])
    );
  },
  args: { y: 'Array', dy: 'Array', dot: 'Array', n: 'Integer' },
};

const LOG_SOFTMAX_BACKWARD_OUT: KernelSpec = {
  name: 'logSoftmaxBackwardOut',
  fn: function (this: KernelThis, y: number[], dy: number[], s: number[], n: number) {
    return (
      dy[this.thread.y * n + this.thread.x] -
      Math.exp(y[this.thread.y * n + this.thread.x]) * s[this.thread.y]
    );
  },
  args: { y: 'Array', dy: 'Array', s: 'Array', n: 'Integer' },
};

// webgpu: each kernel is one launch, a workgroup per row reducing with ROW_WGSL (row maximum and
// Kahan sums), instead of two or three gpu.js launches. The same formulas, term by term.

const KAHAN = `
  let y_ = TERM - c;
  let q_ = s + y_;
  c = (q_ - s) - y_;
  s = q_;`;

/** One row kernel: `body` runs with t (thread), base (row offset), n; KAHAN sums TERM into s. */
function rowKernel(name: string, inputs: string[], body: string): WgslKernel {
  const bindings = inputs
    .map((x, i) => `@group(0) @binding(${i + 1}) var<storage, read> ${x}: array<f32>;`)
    .join('\n');
  return {
    name,
    uniforms: ['u32', 'u32', 'u32'],
    code: `
struct U { rows: u32, width: u32, n: u32 }
@group(0) @binding(0) var<uniform> u: U;
${bindings}
@group(0) @binding(${inputs.length + 1}) var<storage, read_write> out: array<f32>;
${ROW_WGSL}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let r = row(wid);
  if (r >= u.rows) { return; }
  let n = u.n;
  let base = r * n;
  var s = 0.0;
  var c = 0.0;
${body}
}`,
  };
}

const sumOf = (term: string) =>
  `  for (var j = t; j < n; j += 64u) {${KAHAN.replace('TERM', term)}\n  }`;
const maxOf = (x: string) => `
  var mt = ${F32_LOWEST};
  for (var j = t; j < n; j += 64u) { if (${x}[base + j] > mt) { mt = ${x}[base + j]; } }
  let m = rowMax(t, mt);`;

const SOFTMAX_WGSL = rowKernel(
  'softmaxRow',
  ['x'],
  `${maxOf('x')}
${sumOf('exp(x[base + j] - m)')}
  let inv = 1.0 / rowSum(t, s);
  for (var j = t; j < n; j += 64u) { out[base + j] = exp(x[base + j] - m) * inv; }`,
);

const LOG_SOFTMAX_WGSL = rowKernel(
  'logSoftmaxRow',
  ['x'],
  `${maxOf('x')}
${sumOf('exp(x[base + j] - m)')}
  let lse = m + log(rowSum(t, s));
  for (var j = t; j < n; j += 64u) { out[base + j] = x[base + j] - lse; }`,
);

const SOFTMAX_BACKWARD_WGSL = rowKernel(
  'softmaxBackwardRow',
  ['y', 'dy'],
  `${sumOf('dy[base + j] * y[base + j]')}
  let dot = rowSum(t, s);
  for (var j = t; j < n; j += 64u) { out[base + j] = y[base + j] * (dy[base + j] - dot); }`,
);

const LOG_SOFTMAX_BACKWARD_WGSL = rowKernel(
  'logSoftmaxBackwardRow',
  ['y', 'dy'],
  `${sumOf('dy[base + j]')}
  let sd = rowSum(t, s);
  for (var j = t; j < n; j += 64u) { out[base + j] = dy[base + j] - exp(y[base + j]) * sd; }`,
);

function rowLaunch(
  rt: Runtime,
  k: WgslKernel,
  inputs: GpuStorage[],
  rows: number,
  n: number,
): GpuStorage {
  const groups = rowGroups(rows);
  return runWgsl(rt, k, inputs, [rows * n], [rows, groups[0], n], groups)[0];
}

/** Runs the per-element kernel with row statistics, releasing the statistics after it. */
function rowwise(
  rt: Runtime,
  spec: KernelSpec,
  a: GpuStorage,
  b: GpuStorage,
  stats: GpuStorage[],
  rows: number,
  n: number,
): GpuStorage {
  const out = rt.run(spec, [n, rows], [a, b, ...stats, n]);
  for (const s of stats) rt.release(s);
  return out;
}

export function softmax(rt: Runtime, x: GpuStorage, rows: number, n: number): GpuStorage {
  if (rows * n === 0) return rt.empty();
  if (rt.mode === 'webgpu') return rowLaunch(rt, SOFTMAX_WGSL, [x], rows, n);
  const m = max(rt, x, rows, n, 1);
  const s = rt.run(ROW_SUM_EXP, [rows], [x, m, n], n);
  const out = rt.run(SOFTMAX_OUT, [n, rows], [x, m, s, n]);
  rt.release(m);
  rt.release(s);
  return out;
}

export function logSoftmax(rt: Runtime, x: GpuStorage, rows: number, n: number): GpuStorage {
  if (rows * n === 0) return rt.empty();
  if (rt.mode === 'webgpu') return rowLaunch(rt, LOG_SOFTMAX_WGSL, [x], rows, n);
  const m = max(rt, x, rows, n, 1);
  const s = rt.run(ROW_SUM_EXP, [rows], [x, m, n], n);
  const out = rt.run(LOG_SOFTMAX_OUT, [n, rows], [x, m, s, n]);
  rt.release(m);
  rt.release(s);
  return out;
}

export function softmaxBackward(
  rt: Runtime,
  y: GpuStorage,
  dy: GpuStorage,
  rows: number,
  n: number,
): GpuStorage {
  if (rows * n === 0) return rt.empty();
  if (rt.mode === 'webgpu') return rowLaunch(rt, SOFTMAX_BACKWARD_WGSL, [y, dy], rows, n);
  const dot = rt.run(ROW_DOT, [rows], [dy, y, n], n);
  return rowwise(rt, SOFTMAX_BACKWARD_OUT, y, dy, [dot], rows, n);
}

export function logSoftmaxBackward(
  rt: Runtime,
  y: GpuStorage,
  dy: GpuStorage,
  rows: number,
  n: number,
): GpuStorage {
  if (rows * n === 0) return rt.empty();
  if (rt.mode === 'webgpu') return rowLaunch(rt, LOG_SOFTMAX_BACKWARD_WGSL, [y, dy], rows, n);
  const s = sum(rt, dy, rows, n, 1);
  return rowwise(rt, LOG_SOFTMAX_BACKWARD_OUT, y, dy, [s], rows, n);
}
