// The wasm matrix product (src/tensor/wasm/matmul.ts) on random problems of the strided contract:
// two batch dimensions (sizes 0–3, broadcast with stride 0), operands with permuted (transposed,
// interleaved) strides and offsets, alpha, an optional bias, and output layouts in every order of
// the four output dimensions; sizes straddle the blocking (M > 16 rows per block, K > 256, N >
// 256, edges that do not fill a 4×8 register block, K = 0, M or N = 0). Against a float64
// product: each element within (K + 2)·u·|alpha|·Σ_k|a·b| + 2u·(|alpha·Σ a·b| + |bias|), u = 2⁻²⁴
// (float32 accumulation with one rounding per multiply-add, then the scale and the bias); on both
// module variants, bit-identical on 1, 2 and 3 threads. And the problems of the cpu and gpu suites
// (test/tensor/gemm-problems.ts) against the cpu reference, within its float32 bound.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { GemmOperand, GemmOutLayout, GemmShape } from '../../../src/tensor/backend.js';
import { matmul } from '../../../src/tensor/wasm/matmul.js';
import type { WasmStorage } from '../../../src/tensor/wasm/runtime.js';
import { contiguousLayout } from '../../../src/tensor/backend.js';
import { assertF32Bound, gemmProblemArb } from '../gemm-problems.js';
import { assertClose, BACKENDS, normals, RUNS, sameBits, U } from './setup.js';

interface Problem {
  shape: GemmShape;
  a: { host: Float32Array; op: Omit<GemmOperand<WasmStorage>, 'data'> };
  b: { host: Float32Array; op: Omit<GemmOperand<WasmStorage>, 'data'> };
  bias: Float32Array | null;
  layout: GemmOutLayout;
}

/**
 * Strides for a [b0, b1, R, C] operand stored with its dimensions in `order` (outermost first);
 * a batch dimension marked broadcast gets stride 0 (one matrix for every entry).
 */
function strides(dims: number[], order: number[], broadcast: boolean[]): number[] {
  const s = [0, 0, 0, 0];
  let p = 1;
  for (let i = order.length - 1; i >= 0; i--) {
    const d = order[i];
    if (broadcast[d]) continue;
    s[d] = p;
    p *= Math.max(1, dims[d]);
  }
  return s;
}
const span = (dims: number[], s: number[]) =>
  dims.some((d) => d === 0) ? 0 : dims.reduce((m, d, i) => m + (d - 1) * s[i], 0) + 1;

const permutation = fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 });

const params = fc
  .record({
    b0: fc.integer({ min: 0, max: 3 }),
    b1: fc.integer({ min: 1, max: 3 }),
    M: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 10, max: 40 })),
    K: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constantFrom(255, 256, 257, 600)),
    N: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constantFrom(63, 260)),
    aOrder: permutation,
    bOrder: permutation,
    oOrder: permutation,
    aBroadcast: fc.tuple(fc.boolean(), fc.boolean()),
    bBroadcast: fc.tuple(fc.boolean(), fc.boolean()),
    aOffset: fc.integer({ min: 0, max: 5 }),
    bOffset: fc.integer({ min: 0, max: 5 }),
    alpha: fc.constantFrom(1, 0.25, -1.5, 1 / 3),
    bias: fc.boolean(),
    seed: fc.integer(),
  })
  .filter((p) => p.b0 * p.b1 * p.M * p.N * Math.max(1, p.K) < 400000);

/** The operands and layout of a drawn problem (fast-check draws the sizes and seeds only). */
function build(p: typeof params extends fc.Arbitrary<infer T> ? T : never): Problem {
  const { b0, b1, M, K, N } = p;
  const make = (
    R: number,
    C: number,
    order: number[],
    bc: [boolean, boolean],
    off: number,
    seed: number,
  ) => {
    const dims = [b0, b1, R, C];
    const s = strides(dims, order, [bc[0], bc[1], false, false]);
    const host = normals(off + span(dims, s), seed);
    return {
      host,
      op: { offset: off, batchStrides: [s[0], s[1]] as const, rowStride: s[2], colStride: s[3] },
    };
  };
  const o = strides([b0, b1, M, N], p.oOrder, [false, false, false, false]);
  return {
    shape: { batch: [b0, b1], M, K, N, alpha: p.alpha },
    a: make(M, K, p.aOrder, p.aBroadcast, p.aOffset, p.seed),
    b: make(K, N, p.bOrder, p.bBroadcast, p.bOffset, p.seed + 1),
    bias: p.bias ? normals(N, p.seed + 2) : null,
    layout: {
      size: b0 * b1 * M * N,
      batchStrides: [o[0], o[1]],
      rowStride: o[2],
      colStride: o[3],
    },
  };
}

/** The float64 product and each element's tolerance, in the layout's positions. */
function reference(p: Problem): { want: Float64Array; tol: Float64Array } {
  const { batch, M, K, N, alpha } = p.shape;
  const want = new Float64Array(p.layout.size);
  const tol = new Float64Array(p.layout.size);
  const at = (x: Problem['a'], t0: number, t1: number, i: number, j: number) =>
    x.host[
      x.op.offset +
        t0 * x.op.batchStrides[0] +
        t1 * x.op.batchStrides[1] +
        i * x.op.rowStride +
        j * x.op.colStride
    ];
  for (let t0 = 0; t0 < batch[0]; t0++)
    for (let t1 = 0; t1 < batch[1]; t1++)
      for (let i = 0; i < M; i++)
        for (let j = 0; j < N; j++) {
          let s = 0;
          let mag = 0;
          for (let k = 0; k < K; k++) {
            const v = at(p.a, t0, t1, i, k) * at(p.b, t0, t1, k, j);
            s += v;
            mag += Math.abs(v);
          }
          const bias = p.bias ? p.bias[j] : 0;
          const o = p.layout;
          const pos =
            t0 * o.batchStrides[0] + t1 * o.batchStrides[1] + i * o.rowStride + j * o.colStride;
          want[pos] = alpha * s + bias;
          tol[pos] =
            (K + 2) * U * Math.abs(alpha) * mag + 2 * U * (Math.abs(alpha * s) + Math.abs(bias));
        }
  return { want, tol };
}

for (const { label, k } of BACKENDS) {
  const run = (p: Problem): Float32Array => {
    const up = (h: Float32Array) => k.upload(h);
    const a = up(p.a.host);
    const b = up(p.b.host);
    const bias = p.bias ? up(p.bias) : null;
    const out = matmul(
      k.rt,
      { data: a, ...p.a.op },
      { data: b, ...p.b.op },
      p.shape,
      bias,
      p.layout,
    );
    const values = Float32Array.from(k.readSync(out));
    for (const s of [a, b, out, ...(bias ? [bias] : [])]) k.release(s as WasmStorage);
    return values;
  };

  test(`matmul (${label}): random strided problems against a float64 product`, () => {
    fc.assert(
      fc.property(params, (drawn) => {
        const p = build(drawn);
        k.setThreads(3);
        const got = run(p);
        for (const t of [2, 1]) {
          k.setThreads(t);
          sameBits(run(p), got, `${t} threads vs 3`);
        }
        k.setThreads(3);
        const { want, tol } = reference(p);
        const { batch, M, K, N } = p.shape;
        assertClose(
          `matmul [${batch}] ${M}×${K}×${N}`,
          got,
          Float32Array.from(want),
          (i) => tol[i] + Math.abs(want[i] - Math.fround(want[i])),
        );
      }),
      { ...RUNS, numRuns: Math.max(RUNS.numRuns, 60) },
    );
  });

  test(`matmul (${label}): the cpu and gpu suites' problems, within the float32 bound`, () => {
    fc.assert(
      fc.property(gemmProblemArb(), (p) => {
        const up = (h: Float64Array) => k.upload(Float32Array.from(h));
        const a = up(p.a.data);
        const b = up(p.b.data);
        const bias = p.bias ? up(p.bias) : null;
        const runOnce = () => {
          const out = k.matmul(
            { data: a, ...p.a.view },
            { data: b, ...p.b.view },
            p.shape,
            bias,
            p.layout,
          );
          const v = Float32Array.from(k.readSync(out));
          k.release(out);
          return v;
        };
        k.setThreads(3);
        const got = runOnce();
        k.setThreads(1);
        sameBits(runOnce(), got, '1 thread vs 3');
        k.setThreads(3);
        assertF32Bound(p, got, 'wasm matmul');
        assert.is(got.length, (p.layout ?? contiguousLayout(p.shape)).size);
        for (const s of [a, b, ...(bias ? [bias] : [])]) k.release(s);
      }),
      RUNS,
    );
  });

  test(`matmul (${label}): K = 0 gives the bias (or zeros), M = 0 an empty output`, () => {
    const shape = { batch: [2, 1] as const, M: 3, K: 0, N: 5, alpha: 2 };
    const bias = k.upload(Float32Array.from([1, 2, 3, 4, 5]));
    const empty = k.upload(new Float32Array(0));
    const op = {
      data: empty,
      offset: 0,
      batchStrides: [0, 0] as const,
      rowStride: 0,
      colStride: 0,
    };
    const layout = { size: 30, batchStrides: [15, 0] as const, rowStride: 5, colStride: 1 };
    const out = matmul(k.rt, op, op, shape, bias, layout);
    assert.equal([...k.readSync(out)], Array.from({ length: 6 }, () => [1, 2, 3, 4, 5]).flat());
    const none = matmul(k.rt, op, op, { ...shape, M: 0 }, null, { ...layout, size: 0 });
    assert.is(none.size, 0);
  });
}

test.run();
