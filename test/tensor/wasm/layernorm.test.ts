// wasm vs cpu: layerNorm (y, mean, rstd), layerNormBackward and layerNormParamGrads on random
// [rows, n] (rows split over threads; the parameter gradients by groups of four columns, with
// the scalar path for a partial last group), through the properties shared with the gpu
// (test/tensor/props/layernorm.ts), on each wasm module variant.
// Tolerances (u = 2⁻²⁴, x̂ = (x − μ)·rstd): mean and rstd are the cpu's float64 statistics in
// another summation order, rounded once: u·|value| + n·2⁻⁵²·(mean|x| resp. 8·rstd); y 8u·(|x̂|·|w|
// + |b|) + |w|·rstd·u·|μ| (μ is rounded to float32 before x − μ); dx 16u·rstd·(|dy·w| +
// mean|dy·w| + |x̂|·mean|dy·w·x̂|) + 16u·|x̂|·|dx|; dweight 4u·Σ_rows |dy|·(1 + |x̂|); dbias is a
// float64 sum as on the cpu, rounded once: u·|dbias| + 2⁻⁴⁰·Σ_rows |dy|.
import fc from 'fast-check';
import { layerNormProperties } from '../props/layernorm.js';
import { test } from 'uvu';
import { assertClose, BACKENDS, both, RUNS, U } from './setup.js';

const shape = fc.record({
  rows: fc.integer({ min: 1, max: 40 }),
  n: fc.oneof(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 190, max: 400 })),
  seed: fc.integer(),
});

for (const { label, k } of BACKENDS) {
  layerNormProperties(
    {
      backend: 'wasm',
      variant: label,
      both: (x, call) => both(k, x, call),
      assertClose,
      runs: RUNS,
    },
    {
      shape,
      mean: (s) => U * Math.abs(s.mu) + s.n * 2 ** -52 * s.absMean,
      rstd: (s) => U * s.rs + s.n * 2 ** -52 * s.rs * 8,
      y: (s, xh, w, b) => 8 * U * (xh * w + b) + w * s.rs * U * Math.abs(s.mu),
      dx: (s, dyw, xh, dx) => 16 * U * (s.rs * (dyw + s.mg + xh * s.mgx) + xh * dx),
      dweight: (sumDyXh, sumDy) => 4 * U * (sumDyXh + sumDy),
      dbias: (sumDy, dbias) => U * dbias + 2 ** -40 * sumDy,
    },
  );
}

test.run();
