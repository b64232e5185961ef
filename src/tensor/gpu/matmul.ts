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
// In webgpu mode the product is the register-tiled WGSL kernel of ./gemm-wgsl.ts (workgroup
// memory, up to 4×4 outputs per thread: what gpu.js cannot express); these gpu.js kernels serve
// webasm, gpu.js's cpu mode, and webgpu products past that kernel's limits (gemmWgslFits).
// Four kernels, chosen in matmul() below; all but SIMPLE need operands and output below 2^24
// elements, where indices kept in f32 (gpu.js's locals and tables) are exact:
//   NARROW  webasm, j fastest: one output per thread, no helper calls (see its comment);
//   EXACT   gpu.js's cpu mode and other layouts: offsets decoded once by the Integer helpers
//           (WGSL's division is only accurate to 2.5 ulp);
//   TILED   webgpu past the WGSL kernel's limits, when j is fastest and N is divisible by 4: four
//           adjacent outputs of a row per thread, returned as [c0, c1, c2, c3], so every a
//           element it loads is used four times;
//   SIMPLE  any size: every index an Integer expression through the helpers, decoded again in
//           each step of the loop (see helpers.ts).
// Accumulation is float32 (the cpu twin: float64).

import {
  contiguousLayout,
  type GemmOperand,
  type GemmOutLayout,
  type GemmShape,
} from '../backend.js';
import { gemmWgsl, gemmWgslFits } from './gemm-wgsl.js';
import { at, base4 } from './helpers.js';
import type { Arg, GpuStorage, KernelSpec, KernelThis, Runtime } from './runtime.js';

/**
 * One output per thread, webasm, when j is the fastest coordinate (x), for operands and output
 * below 2^24 elements (f32 locals and tables exact). gpu.js's webasm SIMD code runs four adjacent
 * x at once, and stays fast only when a's index does not involve x (one load for the four lanes)
 * and the kernel calls no helper (one call per thread made it twice as slow, measured): the
 * offsets along z (the third and fourth coordinates) come from host tables aZ, bZ indexed by z.
 */
const NARROW: KernelSpec = {
  name: 'matmulNarrow',
  fn: function (
    this: KernelThis,
    a: number[],
    b: number[],
    bias: number[],
    aZ: number[],
    bZ: number[],
    K: number,
    aS1: number,
    acs: number,
    bS0: number,
    bS1: number,
    brs: number,
    cS0: number,
    alpha: number,
  ) {
    const pa = aZ[this.thread.z] + this.thread.y * aS1;
    const pb = bZ[this.thread.z] + this.thread.y * bS1;
    let s = 0.0;
    for (let k = 0; k < K; k++) {
      s += a[pa + k * acs] * b[pb + this.thread.x * bS0 + k * brs];
    }
    return alpha * s + bias[this.thread.x * cS0];
  },
  args: {
    a: 'Array',
    b: 'Array',
    bias: 'Array',
    aZ: 'Array',
    bZ: 'Array',
    K: 'Integer',
    aS1: 'Integer',
    acs: 'Integer',
    bS0: 'Integer',
    bS1: 'Integer',
    brs: 'Integer',
    cS0: 'Integer',
    alpha: 'Float',
  },
};

/**
 * One output per thread (webgpu and gpu.js's cpu mode), for operands and output below 2^24
 * elements: the base offsets are decoded once by the Integer helpers (WGSL's division is only
 * accurate to 2.5 ulp), into locals that gpu.js keeps in f32 (exact below 2^24).
 */
const EXACT: KernelSpec = {
  name: 'matmulExact',
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
  args: EXACT.args,
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
  args: EXACT.args,
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
  if ((rt.options.wgslMatmul ?? rt.mode === 'webgpu') && gemmWgslFits(a, b, shape, layout))
    return gemmWgsl(rt, a, b, shape, bias, layout);
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
  const launch = [e0, e1, e2 * e3];
  let out: GpuStorage;
  if (tiled) out = rt.run(TILED, [e0 / 4, e1, e2 * e3], args, K);
  else if (!narrow) out = rt.run(SIMPLE, launch, args, K);
  else if (rt.mode !== 'webasm' || order[0] !== 3) out = rt.run(EXACT, launch, args, K);
  else {
    // webasm: the offset of every z = (z mod e2, ⌊z / e2⌋) of a and b, computed here
    const table = (off: number, s: number[]) =>
      Float32Array.from(
        { length: e2 * e3 },
        (_, z) => off + (z % e2) * s[2] + Math.floor(z / e2) * s[3],
      );
    const zTables = [table(a.offset, aS), table(b.offset, bS)];
    const rest = [K, aS[1], a.colStride, bS[0], bS[1], b.rowStride, cS[0], alpha];
    out = rt.run(NARROW, launch, [a.data, b.data, bias ?? noBias!, ...zTables, ...rest], K);
  }
  if (noBias) rt.release(noBias);
  return out;
}
