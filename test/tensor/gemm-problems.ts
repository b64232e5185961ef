// Random problems for the matmul kernel contract (src/tensor/backend.ts: GemmOperand, GemmShape,
// GemmOutLayout), shared by the cpu suites (test/tensor/matmul.test.ts, threads.test.ts) and the
// gpu suite (test/tensor/gpu/matmul.test.ts), a naive float64 oracle for them, the cpu reference
// run on them, and the float32 bound against it.
//
// Each operand is stored in a random order of its four coordinates (t0, t1, row, col) with gaps
// between them and an offset, so the strides cover transposes, the interleaved heads of a qkv
// projection and padded rows; a batch coordinate may be broadcast (stride 0, stored once). Sizes
// include 0, 1, 17 and inner dimensions above 1000 (gpu.js's loop cap). The output goes to the
// default contiguous layout or to a random order of its coordinates (an exact cover, as the
// contract requires), which is how attention writes [B, h, N, d] into [B, N, h·d].

import fc from 'fast-check';
import {
  contiguousLayout,
  type GemmOperand,
  type GemmOutLayout,
  type GemmShape,
} from '../../src/tensor/backend.js';
import * as assert from 'uvu/assert';
import { type ArrayOperand, matmul } from '../../src/tensor/cpu/matmul.js';
import type { DType, TypedArray } from '../../src/tensor/dtype.js';
import { seededData } from '../autograd/helpers.js';

export type Strides = Omit<GemmOperand<never>, 'data'>;

/** A problem: host data (float32-representable) and how the kernel reads and writes it. */
export interface GemmProblem {
  shape: GemmShape;
  a: { data: Float64Array; view: Strides };
  b: { data: Float64Array; view: Strides };
  bias: Float64Array | null;
  /** undefined: the kernel's default (contiguousLayout). */
  layout: GemmOutLayout | undefined;
}

const PERMS: number[][] = [];
for (const p of [0, 1, 2, 3]) {
  for (const q of [0, 1, 2, 3]) {
    for (const r of [0, 1, 2, 3]) {
      const s = 6 - p - q - r;
      if (new Set([p, q, r, s]).size === 4) PERMS.push([p, q, r, s]);
    }
  }
}

/**
 * Strides of a block with `extents` (coordinates 0..3) stored in `order` (fastest first), with
 * `gaps[d]` unused elements after each run of coordinate d; returns the strides and the span
 * (1 + the largest offset, 0 when empty).
 */
export function stridesIn(
  extents: readonly number[],
  order: readonly number[],
  gaps: readonly number[] = [0, 0, 0, 0],
): { strides: number[]; span: number } {
  const strides = [0, 0, 0, 0];
  let step = 1;
  for (const d of order) {
    strides[d] = step;
    step *= extents[d] + gaps[d];
  }
  if (extents.includes(0)) return { strides, span: 0 };
  const span = 1 + extents.reduce((s, e, d) => s + (e - 1) * strides[d], 0);
  return { strides, span };
}

const dim = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 9 }) },
  { weight: 2, arbitrary: fc.constantFrom(0, 1, 17) },
);
const batchDim = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 3 }) },
  { weight: 1, arbitrary: fc.constant(0) },
);
const operandArb = fc.record({
  order: fc.constantFrom(...PERMS),
  gaps: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }),
  offset: fc.integer({ min: 0, max: 3 }),
  broadcast: fc.tuple(fc.boolean(), fc.boolean()),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

interface OperandSpec {
  order: number[];
  gaps: number[];
  offset: number;
  broadcast: [boolean, boolean];
  seed: number;
}

function operand(
  extents: [number, number, number, number],
  o: OperandSpec,
): { data: Float64Array; view: Strides } {
  // a broadcast batch coordinate is stored once and read with stride 0
  const stored = extents.map((e, d) => (d < 2 && o.broadcast[d] ? Math.min(e, 1) : e));
  const { strides, span } = stridesIn(stored, o.order, o.gaps);
  const bs = [0, 1].map((d) => (o.broadcast[d] ? 0 : strides[d])) as [number, number];
  const data = seededData(o.offset + span + 2, o.seed);
  return {
    data,
    view: { offset: o.offset, batchStrides: bs, rowStride: strides[2], colStride: strides[3] },
  };
}

/** M and N past one 64×64 block of the gpu's WGSL kernel (its edges and several blocks). */
export const blockDim = fc.oneof(dim, fc.integer({ min: 30, max: 140 }));

/**
 * Problems with inner dimensions up to `maxK` (1100 covers the gpu loop cap and SIMD chunks);
 * `quads`: N a multiple of 4 (the gpu's 4-wide tiles); `mn`: the arbitrary of M and N.
 */
export function gemmProblemArb(
  maxK = 1100,
  quads = false,
  mn: fc.Arbitrary<number> = dim,
): fc.Arbitrary<GemmProblem> {
  const K = fc.oneof(
    { weight: 4, arbitrary: dim },
    { weight: 1, arbitrary: fc.integer({ min: Math.min(1001, maxK), max: maxK }) },
  );
  return fc
    .record({
      b0: batchDim,
      b1: batchDim,
      M: mn,
      K,
      N: quads ? fc.integer({ min: 0, max: 5 }).map((q) => 4 * q) : mn,
      a: operandArb,
      b: operandArb,
      alpha: fc.constantFrom(1, 1, 0.25, -1.5, Math.SQRT1_2),
      bias: fc.option(fc.integer({ min: 0, max: 2 ** 31 - 1 })),
      out: fc.option(fc.constantFrom(...PERMS)),
    })
    .map((r) => {
      const shape: GemmShape = { batch: [r.b0, r.b1], M: r.M, K: r.K, N: r.N, alpha: r.alpha };
      let layout: GemmOutLayout | undefined;
      if (r.out) {
        const { strides } = stridesIn([r.b0, r.b1, r.M, r.N], r.out);
        layout = {
          size: r.b0 * r.b1 * r.M * r.N,
          batchStrides: [strides[0], strides[1]],
          rowStride: strides[2],
          colStride: strides[3],
        };
      }
      return {
        shape,
        a: operand([r.b0, r.b1, r.M, r.K], r.a),
        b: operand([r.b0, r.b1, r.K, r.N], r.b),
        bias: r.bias === null ? null : seededData(r.N, r.bias),
        layout,
      };
    });
}

/** A one-line description for failure messages. */
export function describe(p: GemmProblem): string {
  const { batch, M, K, N, alpha } = p.shape;
  return (
    `batch [${batch}] [${M}×${K}]·[${K}×${N}] alpha ${alpha} bias ${p.bias !== null} ` +
    `a ${JSON.stringify(p.a.view)} b ${JSON.stringify(p.b.view)} out ${JSON.stringify(p.layout)}`
  );
}

/**
 * The product in float64 from operands first gathered into dense [t0][t1][row][col] arrays:
 * `want` at the layout's positions, and `magnitude` = |alpha|·Σ_k |a·b| (for float32 bounds).
 */
export function naiveGemm(p: GemmProblem): { want: Float64Array; magnitude: Float64Array } {
  const { batch, M, K, N, alpha } = p.shape;
  const layout = p.layout ?? contiguousLayout(p.shape);
  const gather = (x: { data: Float64Array; view: Strides }, R: number, C: number) => {
    const v = x.view;
    const dense: number[][][][] = [];
    for (let t0 = 0; t0 < batch[0]; t0++) {
      dense.push([]);
      for (let t1 = 0; t1 < batch[1]; t1++) {
        dense[t0].push([]);
        for (let r = 0; r < R; r++) {
          const row: number[] = [];
          for (let c = 0; c < C; c++) {
            const at =
              v.offset +
              t0 * v.batchStrides[0] +
              t1 * v.batchStrides[1] +
              r * v.rowStride +
              c * v.colStride;
            if (at < 0 || at >= x.data.length) throw new Error(`operand read out of range: ${at}`);
            row.push(x.data[at]);
          }
          dense[t0][t1].push(row);
        }
      }
    }
    return dense;
  };
  const A = gather(p.a, M, K);
  const B = gather(p.b, K, N);
  const want = new Float64Array(layout.size).fill(NaN);
  const magnitude = new Float64Array(layout.size);
  for (let t0 = 0; t0 < batch[0]; t0++) {
    for (let t1 = 0; t1 < batch[1]; t1++) {
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let s = 0;
          let m = 0;
          for (let k = 0; k < K; k++) {
            s += A[t0][t1][i][k] * B[t0][t1][k][j];
            m += Math.abs(A[t0][t1][i][k] * B[t0][t1][k][j]);
          }
          const o =
            t0 * layout.batchStrides[0] +
            t1 * layout.batchStrides[1] +
            i * layout.rowStride +
            j * layout.colStride;
          if (!Number.isNaN(want[o])) throw new Error(`layout writes position ${o} twice`);
          want[o] = p.bias ? alpha * s + p.bias[j] : alpha * s;
          magnitude[o] = Math.abs(alpha) * m;
        }
      }
    }
  }
  if (want.some(Number.isNaN)) throw new Error('layout leaves a position unwritten');
  return { want, magnitude };
}

const U = 2 ** -24;

const typed = (x: Float64Array, dtype: DType): TypedArray =>
  dtype === 'float64' ? x : Float32Array.from(x);

/** The problem's operands over typed arrays of `dtype`, and its layout made explicit. */
export function arrays(p: GemmProblem, dtype: DType) {
  const A: ArrayOperand = { ...p.a.view, data: typed(p.a.data, dtype) };
  const B: ArrayOperand = { ...p.b.view, data: typed(p.b.data, dtype) };
  const bias = p.bias ? typed(p.bias, dtype) : null;
  const layout = p.layout ?? contiguousLayout(p.shape);
  return { A, B, bias, layout };
}

/** The cpu reference kernel (src/tensor/cpu/matmul.ts) on the problem. */
export function reference(p: GemmProblem, dtype: DType): TypedArray {
  const { A, B, bias, layout } = arrays(p, dtype);
  const out = dtype === 'float64' ? new Float64Array(layout.size) : new Float32Array(layout.size);
  matmul(out, A, B, p.shape, bias, layout);
  return out;
}

/**
 * A float32 result against the float32 reference: |got − ref| ≤ (K + 2)·u·|alpha|·Σ|a·b| +
 * 2u·|ref|, the recursive-summation bound of a float32 sum of K products plus the roundings of
 * the scale and the bias.
 */
export function assertF32Bound(p: GemmProblem, got: ArrayLike<number>, what: string): void {
  const want = reference(p, 'float32');
  const { magnitude } = naiveGemm(p);
  assert.is(got.length, want.length, `${what}: output size`);
  for (let o = 0; o < want.length; o++) {
    const tol = (p.shape.K + 2) * U * magnitude[o] + 2 * U * Math.abs(want[o]);
    if (!(Math.abs(got[o] - want[o]) <= tol))
      assert.unreachable(
        `${what} at ${o}: ${got[o]} vs reference ${want[o]} (tolerance ${tol}); ${describe(p)}`,
      );
  }
}
