// gpu vs cpu: layerNorm (y, mean, rstd), layerNormBackward and layerNormParamGrads on random
// [rows, n], with rows of more than 1000 elements (loop cap) and more than 1000 rows (the
// parameter gradients reduce over rows, through the chunked path), through the properties shared
// with wasm (test/tensor/props/layernorm.ts).
// Tolerances (u = 2⁻²⁴, x̂ = (x − μ)·rstd): mean 4u·mean|x|; rstd 16u·rstd; y 16u·(|x̂|·|w| + |b|)
// + |w|·rstd·4u·mean|x|; dx 16u·rstd·(|dy·w| + mean|dy·w| + |x̂|·mean|dy·w·x̂|) + 16u·|x̂|·|dx|;
// dweight 8u·Σ_rows |dy|·(1 + |x̂|); dbias 8u·Σ_rows |dy|. Wider than wasm's: the statistics and
// the parameter gradients are float32 (Kahan) sums here. On webgpu ÷ and sqrt add their WGSL
// ulp (×2).
import fc from 'fast-check';
import { layerNormProperties } from '../props/layernorm.js';
import { test } from 'uvu';
import { assertClose, both, RUNS, U, WEBGPU } from './setup.js';

const K = WEBGPU ? 2 : 1;
const shape = fc
  .record({
    rows: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1001, max: 1300 })),
    n: fc.oneof(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1001, max: 1500 })),
    seed: fc.integer(),
  })
  .filter(({ rows, n }) => rows * n < 400000);

layerNormProperties(
  { backend: 'gpu', both: (x, call) => both(x, call), assertClose, runs: RUNS },
  {
    shape,
    mean: (s) => 4 * U * s.absMean,
    rstd: (s) => 16 * K * U * s.rs,
    y: (s, xh, w, b) => 16 * K * U * (xh * w + b) + w * s.rs * 4 * U * s.absMean,
    dx: (s, dyw, xh, dx) => 16 * K * U * (s.rs * (dyw + s.mg + xh * s.mgx) + xh * dx),
    dweight: (sumDyXh, sumDy) => 8 * U * (sumDyXh + sumDy),
    dbias: (sumDy) => 8 * U * sumDy,
  },
);

test.run();
