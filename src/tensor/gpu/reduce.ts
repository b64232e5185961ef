// gpu.js twin of src/tensor/cpu/reduce.ts: sum and max over the middle axis of x viewed as
// [outer, n, inner], one thread per output element, and the sum of squares of a whole tensor.
//
// As in the cpu twin, inner = 1 (each output reduces one contiguous row) has its own kernel.
// Sums are Kahan-compensated in float32, which keeps them within a few ulp of the cpu twin's
// float64 accumulation. When few outputs reduce a long axis (a full sum, a bias gradient over
// thousands of rows) one thread per output would leave a GPU idle, so the axis is first cut into
// chunks of CHUNK, reduced per chunk in parallel, and the chunk results reduced again; in webgpu
// mode a workgroup per output reduces it in one launch instead (reduceWgsl).

import { at, isNan } from './helpers.js';
import type { GpuStorage, KernelSpec, KernelThis, Runtime } from './runtime.js';
import { ROW_WGSL, rowGroups, runWgsl, type WgslKernel } from './wgsl.js';

const CHUNK = 256;
/** Split the reduced axis when it is longer than this and there are fewer outputs than SPLIT_OUT.
 * */
const SPLIT_N = 2 * CHUNK;
const SPLIT_OUT = 4096;

const SUM_ROWS: KernelSpec = {
  name: 'sumRows',
  fn: function (this: KernelThis, x: number[], n: number) {
    let s = 0.0;
    let c = 0.0;
    for (let j = 0; j < n; j++) {
      const y = x[at(this.thread.x * n, j, 1)] - c;
      const t = s + y;
      c = t - s - y;
      s = t;
    }
    return s;
  },
  args: { x: 'Array', n: 'Integer' },
};

/** Output [inner, outer]: thread.y = o, thread.x = i. */
const SUM_COLS: KernelSpec = {
  name: 'sumCols',
  fn: function (this: KernelThis, x: number[], n: number, inner: number) {
    let s = 0.0;
    let c = 0.0;
    for (let j = 0; j < n; j++) {
      const y = x[at(this.thread.y * n * inner + this.thread.x, j, inner)] - c;
      const t = s + y;
      c = t - s - y;
      s = t;
    }
    return s;
  },
  args: { x: 'Array', n: 'Integer', inner: 'Integer' },
};

/** Output [inner, chunks, outer]: the sum of x[o, j, i] for j in chunk thread.y. */
const SUM_CHUNKS: KernelSpec = {
  name: 'sumChunks',
  fn: function (this: KernelThis, x: number[], n: number, inner: number, len: number) {
    let s = 0.0;
    let c = 0.0;
    for (let j = 0; j < len; j++) {
      if (j < n - this.thread.y * len) {
        const y =
          x[at((this.thread.z * n + this.thread.y * len) * inner + this.thread.x, j, inner)] - c;
        const t = s + y;
        c = t - s - y;
        s = t;
      }
    }
    return s;
  },
  args: { x: 'Array', n: 'Integer', inner: 'Integer', len: 'Integer' },
};

/**
 * webgpu, for the long reductions the gpu.js path splits in two launches: a workgroup per output
 * (o, i), its 64 threads striding over the n reduced elements. Sum: ROW_WGSL's Kahan rowSum. Max:
 * every thread starts from an element of its row and NaN wins (bit test: WGSL may fold v != v).
 */
function reduceWgsl(name: string, op: 'sum' | 'max'): WgslKernel {
  const body =
    op === 'sum'
      ? `  var s = 0.0;
  var c = 0.0;
  for (var j = t; j < u.n; j += 64u) {
    let y_ = x[at(j)] - c;
    let q_ = s + y_;
    c = (q_ - s) - y_;
    s = q_;
  }
  let total = rowSum(t, s);
  if (t == 0u) { out[r] = total; }`
      : `  var m = x[at(min(t, u.n - 1u))];
  for (var j = t; j < u.n; j += 64u) { m = pick(m, x[at(j)]); }
  red[t] = m;
  workgroupBarrier();
  if (t == 0u) {
    var best = red[0];
    for (var k = 1u; k < 64u; k++) { best = pick(best, red[k]); }
    out[r] = best;
  }`;
  return {
    name,
    uniforms: ['u32', 'u32', 'u32', 'u32'],
    code: `
struct U { rows: u32, width: u32, n: u32, inner: u32 }
@group(0) @binding(0) var<uniform> u: U;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${ROW_WGSL}
var<private> base: u32;
fn at(j: u32) -> u32 { return base + j * u.inner; }
fn isNan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn pick(m: f32, v: f32) -> f32 { if (v > m || isNan(v)) { return v; } return m; }
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let r = row(wid);
  if (r >= u.rows) { return; }
  base = (r / u.inner) * u.n * u.inner + r % u.inner;
${body}
}`,
  };
}

/** Up to this length a workgroup of 64 reduces an axis in one launch (≤ 1024 elements a thread);
 * longer axes with few outputs keep the two launches, which spread the work over the GPU. */
const LONG_N = 65536;
const SUM_WGSL = reduceWgsl('sumLong', 'sum');
const MAX_WGSL = reduceWgsl('maxLong', 'max');

function reduceLong(
  rt: Runtime,
  k: WgslKernel,
  x: GpuStorage,
  outer: number,
  n: number,
  inner: number,
): GpuStorage {
  const g = rowGroups(outer * inner);
  return runWgsl(rt, k, [x], [outer * inner], [outer * inner, g[0], n, inner], g)[0];
}

export function sum(
  rt: Runtime,
  x: GpuStorage,
  outer: number,
  n: number,
  inner: number,
): GpuStorage {
  if (n > SPLIT_N && outer * inner < SPLIT_OUT) {
    if (rt.mode === 'webgpu' && n <= LONG_N) return reduceLong(rt, SUM_WGSL, x, outer, n, inner);
    const chunks = Math.ceil(n / CHUNK);
    const partial = rt.run(SUM_CHUNKS, [inner, chunks, outer], [x, n, inner, CHUNK], CHUNK);
    const out = sum(rt, partial, outer, chunks, inner);
    rt.release(partial);
    return out;
  }
  if (inner === 1) return rt.run(SUM_ROWS, [outer], [x, n], n);
  return rt.run(SUM_COLS, [inner, outer], [x, n, inner], n);
}

// Σ x² over all of x: gpu.js squares chunks of CHUNK in parallel and sums the partial sums; in
// webgpu mode one workgroup of 256 threads strides over x and adds its partial sums in
// workgroup memory, one launch whatever the size (a gradient's squared norm, once per tensor).

/** Output [chunks]: Σ x[j]² over chunk thread.x (Kahan-compensated). */
const SUM_SQ_CHUNKS: KernelSpec = {
  name: 'sumSquaresChunks',
  fn: function (this: KernelThis, x: number[], n: number, len: number) {
    let s = 0.0;
    let c = 0.0;
    for (let j = 0; j < len; j++) {
      if (j < n - this.thread.x * len) {
        const v = x[at(this.thread.x * len, j, 1)];
        const y = v * v - c;
        const t = s + y;
        c = t - s - y;
        s = t;
      }
    }
    return s;
  },
  args: { x: 'Array', n: 'Integer', len: 'Integer' },
};

const SUM_SQ_WGSL: WgslKernel = {
  name: 'sumSquares',
  uniforms: ['u32'],
  code: `
struct U { n: u32 }
@group(0) @binding(0) var<uniform> u: U;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
var<workgroup> part: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) t: u32) {
  var s = 0.0;
  var c = 0.0;
  for (var i = t; i < u.n; i += 256u) {
    let y = x[i] * x[i] - c;
    let q = s + y;
    c = (q - s) - y;
    s = q;
  }
  part[t] = s;
  for (var w = 128u; w > 0u; w >>= 1u) {
    workgroupBarrier();
    if (t < w) { part[t] += part[t + w]; }
  }
  if (t == 0u) { out[0] = part[0]; }
}`,
};

export function sumSquares(rt: Runtime, x: GpuStorage): GpuStorage {
  if (x.size === 0) return rt.run(SUM_SQ_CHUNKS, [1], [x, 0, 1], 1); // 0
  if (rt.mode === 'webgpu') return runWgsl(rt, SUM_SQ_WGSL, [x], [1], [x.size], [1, 1, 1])[0];
  const chunks = Math.ceil(x.size / CHUNK);
  const partial = rt.run(SUM_SQ_CHUNKS, [chunks], [x, x.size, CHUNK], CHUNK);
  if (chunks === 1) return partial;
  const out = sum(rt, partial, 1, chunks, 1);
  rt.release(partial);
  return out;
}

// Maximum; NaN propagates (as torch.amax). n must be ≥ 1.

const MAX_ROWS: KernelSpec = {
  name: 'maxRows',
  fn: function (this: KernelThis, x: number[], n: number) {
    let m = x[this.thread.x * n];
    for (let j = 1; j < n; j++) {
      const v = x[at(this.thread.x * n, j, 1)];
      if (v > m || isNan(v) > 0.0) {
        m = v;
      }
    }
    return m;
  },
  args: { x: 'Array', n: 'Integer' },
};

const MAX_COLS: KernelSpec = {
  name: 'maxCols',
  fn: function (this: KernelThis, x: number[], n: number, inner: number) {
    let m = x[this.thread.y * n * inner + this.thread.x];
    for (let j = 1; j < n; j++) {
      const v = x[at(this.thread.y * n * inner + this.thread.x, j, inner)];
      if (v > m || isNan(v) > 0.0) {
        m = v;
      }
    }
    return m;
  },
  args: { x: 'Array', n: 'Integer', inner: 'Integer' },
};

const MAX_CHUNKS: KernelSpec = {
  name: 'maxChunks',
  fn: function (this: KernelThis, x: number[], n: number, inner: number, len: number) {
    let m = x[(this.thread.z * n + this.thread.y * len) * inner + this.thread.x];
    for (let j = 1; j < len; j++) {
      if (j < n - this.thread.y * len) {
        const v =
          x[at((this.thread.z * n + this.thread.y * len) * inner + this.thread.x, j, inner)];
        if (v > m || isNan(v) > 0.0) {
          m = v;
        }
      }
    }
    return m;
  },
  args: { x: 'Array', n: 'Integer', inner: 'Integer', len: 'Integer' },
};

export function max(
  rt: Runtime,
  x: GpuStorage,
  outer: number,
  n: number,
  inner: number,
): GpuStorage {
  if (n > SPLIT_N && outer * inner < SPLIT_OUT) {
    if (rt.mode === 'webgpu' && n <= LONG_N) return reduceLong(rt, MAX_WGSL, x, outer, n, inner);
    const chunks = Math.ceil(n / CHUNK);
    const partial = rt.run(MAX_CHUNKS, [inner, chunks, outer], [x, n, inner, CHUNK], CHUNK);
    const out = max(rt, partial, outer, chunks, inner);
    rt.release(partial);
    return out;
  }
  if (inner === 1) return rt.run(MAX_ROWS, [outer], [x, n], n);
  return rt.run(MAX_COLS, [inner, outer], [x, n, inner], n);
}
