// gpu vs cpu: the gpu.js matmul kernels of the contract on random problems
// (test/tensor/gemm-problems.ts: both batch dimensions, broadcast stride 0, transposed and
// interleaved operand strides, offsets, alpha, bias, every order of the output layout, sizes 0,
// 1, 17 and inner dimensions above 1000, gpu.js's loop cap), for the one-output kernel and the
// 4-wide tiled one (webgpu's fallback past the WGSL kernel's limits, run here on the same mode
// with tiledMatmul: true), against the cpu reference kernel; and both in gpu.js's cpu mode, where
// a read out of range shows as NaN. webgpu's own matmul, the WGSL kernel: gemm-wgsl.test.ts.
// Tolerance: (K + 2)·u·|alpha|·Σ_k |a·b| + 2u·|out|, the classic bound for float32 recursive
// summation of K products plus the roundings of the scale and the bias (gemm-problems.ts).
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { GemmOutLayout } from '../../../src/tensor/backend.js';
import { createGpuBackend } from '../../../src/tensor/gpu/mode.js';
import type { GpuBackend } from '../../../src/tensor/gpu/index.js';
import { assertF32Bound, describe, type GemmProblem, gemmProblemArb } from '../gemm-problems.js';
import { gpu, MODE, RUNS } from './setup.js';

const tiled = await createGpuBackend({ mode: MODE, tiledMatmul: true, wgslMatmul: false });
const simple = await createGpuBackend({ mode: MODE, tiledMatmul: false, wgslMatmul: false });
// gpu.js's cpu mode runs the kernels as JavaScript, where a read out of an argument's range is
// undefined and turns the output into NaN: it pins the index math (webasm may read a neighbour)
const js = await createGpuBackend({ mode: 'cpu', tiledMatmul: true });

async function check(p: GemmProblem, on: GpuBackend, label: string): Promise<void> {
  if (process.env.DEBUG_MM) console.error(label, describe(p));
  const up = (x: Float64Array) => on.upload(Float32Array.from(x), true);
  const [a, b] = [up(p.a.data), up(p.b.data)];
  const bias = p.bias ? up(p.bias) : null;
  const out = on.matmul(
    { ...p.a.view, data: a },
    { ...p.b.view, data: b },
    p.shape,
    bias,
    p.layout,
  );
  const got = await on.read(out);
  for (const s of [a, b, out, ...(bias ? [bias] : [])]) on.release(s);
  assertF32Bound(p, got, label);
}

test('matmul (one output per thread): gpu equals the cpu reference', async () => {
  await fc.assert(
    fc.asyncProperty(gemmProblemArb(), (p) => check(p, simple, 'matmul')),
    RUNS,
  );
});

test('matmul (tiled kernel, 4 outputs per thread): gpu equals the cpu reference', async () => {
  await fc.assert(
    fc.asyncProperty(gemmProblemArb(1100, true), (p) => check(p, tiled, 'matmulTiled')),
    RUNS,
  );
});

test("matmul in gpu.js's cpu mode: every read in range (else NaN), both kernels", async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(gemmProblemArb(40), gemmProblemArb(40, true)), (p) =>
      check(p, js, 'matmul cpu mode'),
    ),
    RUNS,
  );
});

test('matmul: the default backend at the benchmark shape [3200, 64]·[64, 192]ᵀ', async () => {
  const [M, K, N] = [3200, 64, 192];
  const data = (n: number, f: (i: number) => number) =>
    Float64Array.from({ length: n }, (_, i) => Math.fround(f(i)));
  await check(
    {
      shape: { batch: [1, 1], M, K, N, alpha: 1 },
      a: {
        data: data(M * K, Math.sin),
        view: { offset: 0, batchStrides: [0, 0], rowStride: K, colStride: 1 },
      },
      b: {
        data: data(N * K, Math.cos),
        view: { offset: 0, batchStrides: [0, 0], rowStride: 1, colStride: K },
      },
      bias: data(N, (j) => j / 10),
      layout: undefined,
    },
    gpu,
    'matmul',
  );
});

test('matmul: an output layout that does not cover its buffer exactly once is an error', () => {
  const s = gpu.upload(new Float32Array(6), true);
  const op = { data: s, offset: 0, batchStrides: [0, 0] as const, rowStride: 3, colStride: 1 };
  const bad: GemmOutLayout = { size: 4, batchStrides: [0, 0], rowStride: 1, colStride: 1 };
  assert.throws(
    () => gpu.matmul(op, op, { batch: [1, 1], M: 2, K: 1, N: 2, alpha: 1 }, null, bad),
    /does not cover its 4 elements exactly once/,
  );
  gpu.release(s);
});

test.run();
