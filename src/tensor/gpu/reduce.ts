// gpu.js twin of src/tensor/cpu/reduce.ts: sum and max over the middle axis of x viewed as
// [outer, n, inner], one thread per output element.
//
// As in the cpu twin, inner = 1 (each output reduces one contiguous row) has its own kernel.
// Sums are Kahan-compensated in float32, which keeps them within a few ulp of the cpu twin's
// float64 accumulation. When few outputs reduce a long axis (a full sum, a bias gradient over
// thousands of rows) one thread per output would leave a GPU idle, so the axis is first cut into
// chunks of CHUNK, reduced per chunk in parallel, and the chunk results reduced again.

import { at, isNan } from './helpers.js';
import type { GpuStorage, KernelSpec, KernelThis, Runtime } from './runtime.js';

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

export function sum(
  rt: Runtime,
  x: GpuStorage,
  outer: number,
  n: number,
  inner: number,
): GpuStorage {
  if (n > SPLIT_N && outer * inner < SPLIT_OUT) {
    const chunks = Math.ceil(n / CHUNK);
    const partial = rt.run(SUM_CHUNKS, [inner, chunks, outer], [x, n, inner, CHUNK], CHUNK);
    const out = sum(rt, partial, outer, chunks, inner);
    rt.release(partial);
    return out;
  }
  if (inner === 1) return rt.run(SUM_ROWS, [outer], [x, n], n);
  return rt.run(SUM_COLS, [inner, outer], [x, n, inner], n);
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
    const chunks = Math.ceil(n / CHUNK);
    const partial = rt.run(MAX_CHUNKS, [inner, chunks, outer], [x, n, inner, CHUNK], CHUNK);
    const out = max(rt, partial, outer, chunks, inner);
    rt.release(partial);
    return out;
  }
  if (inner === 1) return rt.run(MAX_ROWS, [outer], [x, n], n);
  return rt.run(MAX_COLS, [inner, outer], [x, n, inner], n);
}
