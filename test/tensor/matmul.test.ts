// The cpu backend's matmul kernel (src/tensor/backend.ts contract): the reference loops of
// src/tensor/cpu/matmul.ts against a naive float64 product of the gathered operands (exact: same
// summation order, one rounding to float32), and the backend's matmul equal to those loops bit for
// bit in both dtypes, on random problems of test/tensor/gemm-problems.ts (both batch dimensions,
// broadcast stride 0, transposed and interleaved strides, offsets, alpha, bias, out layouts,
// sizes 0, 1, 17 and K > 1000). The wasm and gpu kernels are tested against this reference.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu } from '../../src/tensor/cpu/index.js';
import { matmul } from '../../src/tensor/cpu/matmul.js';
import type { DType } from '../../src/tensor/dtype.js';
import { check } from '../autograd/helpers.js';
import { describe, gemmProblemArb, naiveGemm, reference } from './gemm-problems.js';

test('reference: equals the naive float64 product exactly, in float64 and rounded once in float32', () => {
  check(
    gemmProblemArb(),
    (p) => {
      const { want } = naiveGemm(p);
      const r64 = reference(p, 'float64');
      const r32 = reference(p, 'float32');
      for (let o = 0; o < want.length; o++) {
        if (r64[o] !== want[o])
          assert.unreachable(`float64 at ${o}: ${r64[o]} vs ${want[o]}; ${describe(p)}`);
        if (r32[o] !== Math.fround(want[o]))
          assert.unreachable(`float32 at ${o}: ${r32[o]} vs ${want[o]}; ${describe(p)}`);
      }
    },
    300,
  );
});

test('reference: a layout writes exactly its positions (attention [B, h, N, d] into [B, N, h·d])', () => {
  // qkv [B, N, 3, h, d] read in place: O = P·V with P [B, h, N, N] and V the third part
  const [Bt, N, h, d] = [2, 5, 3, 4];
  const D = h * d;
  const qkv = Float64Array.from({ length: Bt * N * 3 * D }, (_, i) => Math.sin(i));
  const P = Float64Array.from({ length: Bt * h * N * N }, (_, i) => Math.cos(i));
  const out = new Float64Array(Bt * N * D).fill(NaN);
  matmul(
    out,
    { data: P, offset: 0, batchStrides: [h * N * N, N * N], rowStride: N, colStride: 1 },
    { data: qkv, offset: 2 * D, batchStrides: [N * 3 * D, d], rowStride: 3 * D, colStride: 1 },
    { batch: [Bt, h], M: N, K: N, N: d, alpha: 1 },
    null,
    { size: Bt * N * D, batchStrides: [N * D, d], rowStride: D, colStride: 1 },
  );
  for (let b = 0; b < Bt; b++)
    for (let n = 0; n < N; n++)
      for (let head = 0; head < h; head++)
        for (let e = 0; e < d; e++) {
          let s = 0;
          for (let m = 0; m < N; m++)
            s +=
              P[((b * h + head) * N + n) * N + m] * qkv[((b * N + m) * 3 + 2) * D + head * d + e];
          assert.is(out[(b * N + n) * D + head * d + e], s);
        }
});

test('cpu backend: the reference loops in both dtypes, bit for bit (any layout)', () => {
  check(
    gemmProblemArb(),
    (p) => {
      for (const dtype of ['float32', 'float64'] as DType[]) {
        const up = (x: Float64Array) =>
          cpu.upload(dtype === 'float64' ? x : Float32Array.from(x), true);
        const a = up(p.a.data);
        const b = up(p.b.data);
        const bias = p.bias ? up(p.bias) : null;
        const out = cpu.matmul(
          { ...p.a.view, data: a },
          { ...p.b.view, data: b },
          p.shape,
          bias,
          p.layout,
        );
        const got = cpu.readSync(out);
        const want = reference(p, dtype);
        for (let o = 0; o < want.length; o++)
          if (!Object.is(got[o], want[o]))
            assert.unreachable(`${dtype} at ${o}: ${got[o]} vs ${want[o]}; ${describe(p)}`);
        for (const s of [a, b, out, ...(bias ? [bias] : [])]) cpu.release(s);
      }
    },
    100,
  );
});

test.run();
