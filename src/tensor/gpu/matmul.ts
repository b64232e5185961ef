// gpu.js twin of src/tensor/cpu/matmul.ts: the matrix product of the kernel contract,
//   out[t0, t1, i, j] = alpha · Σ_k a[t0, t1, i, k] · b[t0, t1, k, j]  (+ bias[j]),
// with the operands read in place through the same strides as the cpu twin and the output
// written in the same layout.
//
// A gpu.js kernel computes the element at its own flat output position, so each thread decodes
// its position into output coordinates. A layout that covers its buffer exactly once is a mixed
// radix: sorted by stride, each coordinate's stride is the product of the extents below it (the
// default [batch0, batch1, M, N] is j, i, t1, t0). The host sorts the four coordinates that way
// and launches output [e0, e1, e2·e3], so thread (x, y, z) is at x + e0·y + e0·e1·z and its
// coordinates are x, y, z mod e2 and ⌊z / e2⌋; each operand gets its strides in that order
// (base4 below adds them up), and one kernel serves every layout, transpose and batch.
//
// Three kernels: NARROW (operands and output below 2^24 elements: the base offsets are decoded
// once into locals, which gpu.js keeps in f32, exact there), TILED (the same, default in webgpu
// mode when j is the fastest coordinate and N is divisible by 4: each thread computes four
// adjacent outputs of a row, returned as [c0, c1, c2, c3], so every a element it loads is used
// four times; gpu.js has no workgroup memory, so this is the tile it allows) and SIMPLE (any size:
// every index an Integer expression through the helpers, decoded again in each step of the loop;
// see helpers.ts). Accumulation is float32 (the cpu twin: float64).

import {
  contiguousLayout,
  type GemmOperand,
  type GemmOutLayout,
  type GemmShape,
} from '../backend.js';
import { at, base4 } from './helpers.js';
import type { Arg, GpuStorage, KernelSpec, KernelThis, Runtime } from './runtime.js';

/**
 * One output per thread, for operands and output below 2^24 elements: the base offsets are
 * computed once, into locals that gpu.js keeps in f32 (exact below 2^24).
 */
const NARROW: KernelSpec = {
  name: 'matmulNarrow',
  fn: function (
    this: KernelThis,
    a: number[],
    b: number[],
    bias: number[],
    K: number,
    e2: number,
    aOff: number,
    aS0: number,
    aS1: number,
    aS2: number,
    aS3: number,
    acs: number,
    bOff: number,
    bS0: number,
    bS1: number,
    bS2: number,
    bS3: number,
    brs: number,
    cS0: number,
    cS1: number,
    cS2: number,
    cS3: number,
    alpha: number,
  ) {
    const pa = base4(aOff, this.thread.x, this.thread.y, this.thread.z, e2, aS0, aS1, aS2, aS3);
    const pb = base4(bOff, this.thread.x, this.thread.y, this.thread.z, e2, bS0, bS1, bS2, bS3);
    let s = 0.0;
    for (let k = 0; k < K; k++) {
      s += a[pa + k * acs] * b[pb + k * brs];
    }
    return (
      alpha * s +
      bias[base4(0, this.thread.x, this.thread.y, this.thread.z, e2, cS0, cS1, cS2, cS3)]
    );
  },
  args: {
    a: 'Array',
    b: 'Array',
    bias: 'Array',
    K: 'Integer',
    e2: 'Integer',
    aOff: 'Integer',
    aS0: 'Integer',
    aS1: 'Integer',
    aS2: 'Integer',
    aS3: 'Integer',
    acs: 'Integer',
    bOff: 'Integer',
    bS0: 'Integer',
    bS1: 'Integer',
    bS2: 'Integer',
    bS3: 'Integer',
    brs: 'Integer',
    cS0: 'Integer',
    cS1: 'Integer',
    cS2: 'Integer',
    cS3: 'Integer',
    alpha: 'Float',
  },
};

/** Any size: every index is an Integer expression, through helpers.at inside the loop. */
const SIMPLE: KernelSpec = {
  name: 'matmul',
  fn: function (
    this: KernelThis,
    a: number[],
    b: number[],
    bias: number[],
    K: number,
    e2: number,
    aOff: number,
    aS0: number,
    aS1: number,
    aS2: number,
    aS3: number,
    acs: number,
    bOff: number,
    bS0: number,
    bS1: number,
    bS2: number,
    bS3: number,
    brs: number,
    cS0: number,
    cS1: number,
    cS2: number,
    cS3: number,
    alpha: number,
  ) {
    let s = 0.0;
    for (let k = 0; k < K; k++) {
      s +=
        a[
          at(
            base4(aOff, this.thread.x, this.thread.y, this.thread.z, e2, aS0, aS1, aS2, aS3),
            k,
            acs,
          )
        ] *
        b[
          at(
            base4(bOff, this.thread.x, this.thread.y, this.thread.z, e2, bS0, bS1, bS2, bS3),
            k,
            brs,
          )
        ];
    }
    return (
      alpha * s +
      bias[base4(0, this.thread.x, this.thread.y, this.thread.z, e2, cS0, cS1, cS2, cS3)]
    );
  },
  args: NARROW.args,
};

/**
 * Output [N/4, e1, e2·e3] of 4 components: the four outputs j = 4·thread.x + c of one row, for
 * operands and output below 2^24 elements (base offsets in f32 locals, as NARROW).
 */
const TILED: KernelSpec = {
  name: 'matmulTiled',
  fn: function (
    this: KernelThis,
    a: number[],
    b: number[],
    bias: number[],
    K: number,
    e2: number,
    aOff: number,
    aS0: number,
    aS1: number,
    aS2: number,
    aS3: number,
    acs: number,
    bOff: number,
    bS0: number,
    bS1: number,
    bS2: number,
    bS3: number,
    brs: number,
    cS0: number,
    cS1: number,
    cS2: number,
    cS3: number,
    alpha: number,
  ) {
    // aS0 = 0: the row's a element does not depend on j
    const pa = base4(aOff, 0, this.thread.y, this.thread.z, e2, aS0, aS1, aS2, aS3);
    const pb = base4(bOff, this.thread.x * 4, this.thread.y, this.thread.z, e2, bS0, bS1, bS2, bS3);
    const pc = base4(0, this.thread.x * 4, this.thread.y, this.thread.z, e2, cS0, cS1, cS2, cS3);
    let s0 = 0.0;
    let s1 = 0.0;
    let s2 = 0.0;
    let s3 = 0.0;
    for (let k = 0; k < K; k++) {
      const av = a[pa + k * acs];
      const pk = pb + k * brs;
      s0 += av * b[pk];
      s1 += av * b[pk + bS0];
      s2 += av * b[pk + 2 * bS0];
      s3 += av * b[pk + 3 * bS0];
    }
    return [
      alpha * s0 + bias[pc],
      alpha * s1 + bias[pc + cS0],
      alpha * s2 + bias[pc + 2 * cS0],
      alpha * s3 + bias[pc + 3 * cS0],
    ];
  },
  args: NARROW.args,
  components: 4,
};

/** The coordinates t0, t1, i, j in the order of the layout's strides (see the header). */
function coordinateOrder(shape: GemmShape, layout: GemmOutLayout): number[] {
  const extents = [shape.batch[0], shape.batch[1], shape.M, shape.N];
  const strides = [...layout.batchStrides, layout.rowStride, layout.colStride];
  // coordinates of extent 1 are always 0: they go last, whatever their stride
  const key = (d: number) => (extents[d] === 1 ? Infinity : strides[d]);
  const order = [0, 1, 2, 3].sort((p, q) => key(p) - key(q));
  let expected = 1;
  for (const d of order) {
    if (extents[d] === 1) continue;
    if (strides[d] !== expected) {
      throw new Error(
        `matmul (gpu): the output layout does not cover its ${layout.size} elements exactly ` +
          `once (strides ${JSON.stringify(strides)} for extents ${JSON.stringify(extents)})`,
      );
    }
    expected *= extents[d];
  }
  return order;
}

export function matmul(
  rt: Runtime,
  a: GemmOperand<GpuStorage>,
  b: GemmOperand<GpuStorage>,
  shape: GemmShape,
  bias: GpuStorage | null,
  layout: GemmOutLayout = contiguousLayout(shape),
): GpuStorage {
  const { batch, M, K, N, alpha } = shape;
  const extents = [batch[0], batch[1], M, N];
  if (extents.includes(0)) return rt.empty();
  const order = coordinateOrder(shape, layout);
  // each operand's stride along t0, t1, i, j (bias: along j only), then in the launch order
  const along = (s: number[]) => order.map((d) => s[d]);
  const aS = along([...a.batchStrides, a.rowStride, 0]);
  const bS = along([...b.batchStrides, 0, b.colStride]);
  const cS = along([0, 0, 0, bias ? 1 : 0]); // no bias: the zero filler at index 0
  const [e0, e1, e2, e3] = order.map((d) => extents[d]);
  const noBias = bias ? null : rt.empty(); // gpu.js binds it as a one-element zero filler
  const args: Arg[] = [
    a.data,
    b.data,
    bias ?? noBias!,
    K,
    e2,
    a.offset,
    ...aS,
    a.colStride,
    b.offset,
    ...bS,
    b.rowStride,
    ...cS,
    alpha,
  ];
  const narrow = Math.max(a.data.size, b.data.size, layout.size) < 2 ** 24;
  const tiled =
    (rt.options.tiledMatmul ?? rt.mode === 'webgpu') && narrow && order[0] === 3 && N % 4 === 0;
  const out = tiled
    ? rt.run(TILED, [e0 / 4, e1, e2 * e3], args, K)
    : rt.run(narrow ? NARROW : SIMPLE, [e0, e1, e2 * e3], args, K);
  if (noBias) rt.release(noBias);
  return out;
}
