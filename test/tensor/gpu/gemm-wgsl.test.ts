// The register-tiled WGSL matrix product (src/tensor/gpu/gemm-wgsl.ts) against a float64
// product, webgpu mode only: awkward M, N (not multiples of the 64×64 block), K across the
// 16-step slices and above 1000, transposed operands (both load orders of the slices), broadcast
// and two-level batches, alpha, bias, and an output written in an interleaved layout (attention's
// [B, h, N, d] into [B, N, h·d]). Tolerance: (K + 2)·u·Σ_k |alpha·a_ik·b_kj| + u·|bias_j|, the
// bound of float32 recursive summation (each output sums its products in order).
import fc from 'fast-check';
import { test } from 'uvu';
import { gemmWgsl } from '../../../src/tensor/gpu/gemm-wgsl.js';
import { assertClose, gpu, normals, RUNS, U, WEBGPU } from './setup.js';

const problem = fc.record({
  b0: fc.integer({ min: 1, max: 3 }),
  b1: fc.integer({ min: 1, max: 2 }),
  M: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 60, max: 140 })),
  K: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1001, max: 1100 })),
  N: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 60, max: 140 })),
  transA: fc.boolean(),
  transB: fc.boolean(),
  shareB: fc.boolean(),
  bias: fc.boolean(),
  alpha: fc.constantFrom(1, 0.125, -2),
  interleaved: fc.boolean(),
  seed: fc.integer(),
});

(WEBGPU ? test : test.skip)('gemmWgsl equals a float64 product on awkward shapes', async () => {
  await fc.assert(
    fc.asyncProperty(problem, async (p) => {
      const { b0, b1, M, K, N, alpha, seed } = p;
      const batch = b0 * b1;
      const a = normals(batch * M * K + 3, seed);
      const b = normals((p.shareB ? 1 : batch) * K * N, seed + 1);
      const bias = normals(N, seed + 2);
      // a stored [batch, M, K] (or [batch, K, M]) from offset 3; b likewise, shared or not
      const aOp = {
        offset: 3,
        batchStrides: [b1 * M * K, M * K] as const,
        rowStride: p.transA ? 1 : K,
        colStride: p.transA ? M : 1,
      };
      const bb = p.shareB ? 0 : 1;
      const bOp = {
        offset: 0,
        batchStrides: [bb * b1 * K * N, bb * K * N] as const,
        rowStride: p.transB ? 1 : N,
        colStride: p.transB ? K : 1,
      };
      // default [b0, b1, M, N], or [b0, M, b1, N] (heads written into rows)
      const out = p.interleaved
        ? { batchStrides: [M * b1 * N, N] as const, rowStride: b1 * N, colStride: 1 }
        : { batchStrides: [b1 * M * N, M * N] as const, rowStride: N, colStride: 1 };
      const sa = gpu.upload(a, true);
      const sb = gpu.upload(b, true);
      const sbias = gpu.upload(bias, true);
      const r = gemmWgsl(
        gpu.rt,
        { data: sa, ...aOp },
        { data: sb, ...bOp },
        [b0, b1],
        M,
        K,
        N,
        alpha,
        p.bias ? sbias : null,
        out,
        batch * M * N,
      );
      const got = (await gpu.read(r)) as Float32Array;
      for (const s of [sa, sb, sbias, r]) gpu.release(s);
      const want = new Float32Array(batch * M * N);
      const bound = new Float64Array(batch * M * N);
      for (let t0 = 0; t0 < b0; t0++)
        for (let t1 = 0; t1 < b1; t1++)
          for (let i = 0; i < M; i++)
            for (let j = 0; j < N; j++) {
              let s = 0;
              let abs = 0;
              for (let k = 0; k < K; k++) {
                const x =
                  a[
                    aOp.offset +
                      t0 * aOp.batchStrides[0] +
                      t1 * aOp.batchStrides[1] +
                      i * aOp.rowStride +
                      k * aOp.colStride
                  ] *
                  b[
                    t0 * bOp.batchStrides[0] +
                      t1 * bOp.batchStrides[1] +
                      k * bOp.rowStride +
                      j * bOp.colStride
                  ];
                s += x;
                abs += Math.abs(alpha * x);
              }
              const o = t0 * out.batchStrides[0] + t1 * out.batchStrides[1] + i * out.rowStride + j;
              want[o] = alpha * s + (p.bias ? bias[j] : 0);
              bound[o] = (K + 2) * U * abs + (p.bias ? U * Math.abs(bias[j]) : 0);
            }
      assertClose(
        `gemmWgsl ${JSON.stringify(p)}`,
        got,
        want,
        (o) => bound[o] + U * Math.abs(want[o]),
      );
    }),
    RUNS,
  );
});

test.run();
