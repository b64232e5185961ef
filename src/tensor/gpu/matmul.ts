// gpu.js twin of src/tensor/cpu/matmul.ts: batched matrix multiply, out[t] = op(A[t]) · op(B[t]),
// op = optional transpose, read in place through the same strides as the cpu twin: element
// (i, k) of op(A) is a[i·ars + k·acs] and element (k, j) of op(B) is b[k·brs + j·bcs].
//
// Two kernels (the simple one in two index styles, see NARROW). The simple one runs one thread per
// output element (output [N, M, batch]: thread.x
// = j, thread.y = i, thread.z = t); on webasm it vectorizes over four adjacent j. The tiled one
// (default in webgpu mode, for N divisible by 4) has each thread compute four adjacent outputs
// of a row, returned as [c0, c1, c2, c3]: every a element it loads is used four times, which is
// the cpu twin's register blocking in one dimension (gpu.js has no workgroup memory, so this is
// the tile it allows). Its 4-component result is row-major [batch, M, N] already, and the
// runtime hands it on as a plain buffer. Accumulation is float32 (the cpu twin: float64).

import { at } from './helpers.js';
import type { GpuStorage, KernelSpec, KernelThis, Runtime } from './runtime.js';

/** Indices below 2^24 are exact even in f32, so small operands use inline index math (fast SIMD).
 * */
const NARROW: KernelSpec = {
  name: 'matmulNarrow',
  fn: function (
    this: KernelThis,
    a: number[],
    b: number[],
    K: number,
    aBatchStride: number,
    bBatchStride: number,
    ars: number,
    acs: number,
    brs: number,
    bcs: number,
  ) {
    let s = 0.0;
    for (let k = 0; k < K; k++) {
      s +=
        a[this.thread.z * aBatchStride + this.thread.y * ars + k * acs] *
        b[this.thread.z * bBatchStride + k * brs + this.thread.x * bcs];
    }
    return s;
  },
  args: {
    a: 'Array',
    b: 'Array',
    K: 'Integer',
    aBatchStride: 'Integer',
    bBatchStride: 'Integer',
    ars: 'Integer',
    acs: 'Integer',
    brs: 'Integer',
    bcs: 'Integer',
  },
};

/** Any size: the loop indexes through helpers.at (exact i32 per lane, slower on webasm SIMD). */
const SIMPLE: KernelSpec = {
  name: 'matmul',
  fn: function (
    this: KernelThis,
    a: number[],
    b: number[],
    K: number,
    aBatchStride: number,
    bBatchStride: number,
    ars: number,
    acs: number,
    brs: number,
    bcs: number,
  ) {
    let s = 0.0;
    for (let k = 0; k < K; k++) {
      s +=
        a[at(this.thread.z * aBatchStride + this.thread.y * ars, k, acs)] *
        b[at(this.thread.z * bBatchStride + this.thread.x * bcs, k, brs)];
    }
    return s;
  },
  args: {
    a: 'Array',
    b: 'Array',
    K: 'Integer',
    aBatchStride: 'Integer',
    bBatchStride: 'Integer',
    ars: 'Integer',
    acs: 'Integer',
    brs: 'Integer',
    bcs: 'Integer',
  },
};

/** Output [N/4, M, batch] of 4 components: out[t, i, 4·thread.x + c]. */
const TILED: KernelSpec = {
  name: 'matmulTiled',
  fn: function (
    this: KernelThis,
    a: number[],
    b: number[],
    K: number,
    aBatchStride: number,
    bBatchStride: number,
    ars: number,
    acs: number,
    brs: number,
    bcs: number,
  ) {
    let s0 = 0.0;
    let s1 = 0.0;
    let s2 = 0.0;
    let s3 = 0.0;
    for (let k = 0; k < K; k++) {
      const av = a[at(this.thread.z * aBatchStride + this.thread.y * ars, k, acs)];
      s0 += av * b[at(this.thread.z * bBatchStride + this.thread.x * 4 * bcs, k, brs)];
      s1 += av * b[at(this.thread.z * bBatchStride + (this.thread.x * 4 + 1) * bcs, k, brs)];
      s2 += av * b[at(this.thread.z * bBatchStride + (this.thread.x * 4 + 2) * bcs, k, brs)];
      s3 += av * b[at(this.thread.z * bBatchStride + (this.thread.x * 4 + 3) * bcs, k, brs)];
    }
    return [s0, s1, s2, s3];
  },
  args: SIMPLE.args,
  components: 4,
};

export function matmul(
  rt: Runtime,
  a: GpuStorage,
  b: GpuStorage,
  batch: number,
  M: number,
  K: number,
  N: number,
  aBatchStride: number,
  bBatchStride: number,
  transA: boolean,
  transB: boolean,
): GpuStorage {
  const ars = transA ? 1 : K;
  const acs = transA ? M : 1;
  const brs = transB ? 1 : N;
  const bcs = transB ? K : 1;
  const args = [a, b, K, aBatchStride, bBatchStride, ars, acs, brs, bcs];
  const tiled = rt.options.tiledMatmul ?? rt.mode === 'webgpu';
  if (tiled && N % 4 === 0) return rt.run(TILED, [N / 4, M, batch], args, K);
  const narrow = rt.mode !== 'webasm' || Math.max(a.size, b.size) < 2 ** 24;
  return rt.run(narrow ? NARROW : SIMPLE, [N, M, batch], args, K);
}
