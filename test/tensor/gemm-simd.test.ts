// The WebAssembly SIMD float32 matmul (src/tensor/cpu/gemm-simd.ts) against the blocked
// TypeScript loop of the same fast path (gemm-blocked.ts): every layout (transposed or not),
// offsets, output rows wider than N, alpha and bias, sizes that do not fill a 4×8 block, K = 0,
// and K large enough to split B into several column chunks (the bias follows its columns).
// Tolerance: the SIMD kernel accumulates in float32 (K roundings) and rounds the scaled sum and
// the bias add, the TypeScript loop sums in float64 and rounds once, so each element may differ
// by (K + 2)·2⁻²⁴·|alpha|·Σ_k |A(i,k)·B(k,j)| + 2·2⁻²⁴·|out|.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { gemmSimd, simdAvailable } from '../../src/tensor/cpu/gemm-simd.js';
import { gemmBlocked } from '../../src/tensor/cpu/gemm-blocked.js';
import { Generator } from '../../src/tensor/random.js';

function check(
  M: number,
  K: number,
  N: number,
  tA: boolean,
  tB: boolean,
  seed: number,
  gap = 0,
  alpha = 1,
  withBias = false,
): void {
  const g = new Generator(seed);
  const pad = 3;
  const a = Float32Array.from({ length: M * K + 2 * pad }, () => g.uniformRange(-2, 2));
  const b = Float32Array.from({ length: K * N + 2 * pad }, () => g.uniformRange(-2, 2));
  const ars = tA ? 1 : K,
    acs = tA ? M : 1,
    brs = tB ? 1 : N,
    bcs = tB ? K : 1;
  const bias = withBias ? Float32Array.from({ length: N }, () => g.uniformRange(-2, 2)) : null;
  const ldo = N + gap; // output rows `gap` elements apart: those elements stay untouched
  const fast = new Float32Array(M * ldo + 2 * pad).fill(7);
  const ref = new Float32Array(M * ldo + 2 * pad).fill(7);
  assert.ok(gemmSimd(fast, pad, ldo, a, pad, ars, acs, b, pad, brs, bcs, M, K, N, alpha, bias));
  gemmBlocked(ref, pad, ldo, a, pad, ars, acs, b, pad, brs, bcs, M, K, N, alpha, bias);
  for (let i = 0; i < fast.length; i++) {
    const j = (i - pad) % ldo;
    if (i < pad || i >= pad + M * ldo || j >= N) assert.is(fast[i], 7, `wrote outside at ${i}`);
  }
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let mag = 0;
      for (let k = 0; k < K; k++)
        mag += Math.abs(a[pad + i * ars + k * acs] * b[pad + k * brs + j * bcs]);
      const o = pad + i * ldo + j;
      const tol = (K + 2) * 2 ** -24 * Math.abs(alpha) * mag + 2 * 2 ** -24 * Math.abs(ref[o]);
      assert.ok(
        Math.abs(fast[o] - ref[o]) <= tol,
        `[${M}×${K}]·[${K}×${N}] ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} alpha ${alpha} ` +
          `bias ${withBias} at (${i}, ` +
          `${j}): ${fast[o]} vs ${ref[o]} (tolerance ${tol})`,
      );
    }
  }
}

test('WebAssembly SIMD is available on Node 20', () => {
  assert.ok(simdAvailable());
});

test('every layout, awkward sizes and output row strides agree with the TypeScript loop', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 19 }),
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 27 }),
      fc.boolean(),
      fc.boolean(),
      fc.integer(),
      fc.constantFrom(0, 0, 3),
      fc.constantFrom(1, 1, 0.25, -1.5),
      fc.boolean(),
      (M, K, N, tA, tB, seed, gap, alpha, bias) => check(M, K, N, tA, tB, seed, gap, alpha, bias),
    ),
    { numRuns: 150 },
  );
});

test('K large enough to split B into column chunks, and K = 0', () => {
  check(9, 1100, 130, false, true, 1, 0, 1, true); // 65536/1100 → chunks of 56 columns
  check(6, 1100, 61, true, false, 2, 5, -0.5, true);
  check(6, 1100, 61, true, true, 3, 1, 0.125, false);
  const out = new Float32Array(8).fill(5);
  const none = new Float32Array(0);
  assert.ok(gemmSimd(out, 0, 4, none, 0, 0, 1, none, 0, 3, 1, 2, 0, 3, 2, null));
  assert.equal(Array.from(out), [0, 0, 0, 5, 0, 0, 0, 5]);
  const bias = Float32Array.from([1, 2, 3]);
  assert.ok(gemmSimd(out, 0, 4, none, 0, 0, 1, none, 0, 3, 1, 2, 0, 3, 2, bias));
  assert.equal(Array.from(out), [1, 2, 3, 5, 1, 2, 3, 5]);
});

test.run();
