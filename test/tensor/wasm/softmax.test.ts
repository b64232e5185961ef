// wasm vs cpu: softmax, logSoftmax and their backward kernels over [rows, n], rows and lengths
// random (tails of 1–3 elements after the vectors), split over threads by rows, and rows of
// special values, through the properties shared with the gpu (test/tensor/props/softmax.ts), on
// each wasm module variant.
// Tolerances (u = 2⁻²⁴; d = |x − max of the row|, which exp amplifies): softmax 8u·(1 + d)·|y|
// + 2⁻¹⁴⁸ (subnormal results are spaced 2⁻¹⁴⁹ apart);
// logSoftmax 8u·(|x| + |max| + log n + 1); softmaxBackward |y|·(4u·Σ|dy·y| + 4u·(|dy| + |Σ dy·y|));
// logSoftmaxBackward 4u·(|dy| + e^y·(Σ|dy| + |Σ dy|)) + 4u·e^y·|y|·|Σ dy| (exp's error);
// special values 8u·(1 + |out|). Inputs up to 30 standard deviations: wasm's exp is exact to
// about 1 ulp over the whole float32 range.
import { softmaxProperties } from '../props/softmax.js';
import { test } from 'uvu';
import { assertClose, BACKENDS, both, RUNS, U } from './setup.js';

for (const { label, k } of BACKENDS) {
  softmaxProperties(
    {
      backend: 'wasm',
      variant: label,
      both: (x, call) => both(k, x, call),
      assertClose,
      runs: RUNS,
    },
    {
      maxScale: 30,
      softmax: (d, y) => 8 * U * (1 + d) * y + 2 ** -148,
      logSoftmax: (x, max, n) => 8 * U * (x + max + Math.log(n) + 1),
      softmaxBackward: (y, dy, absDot, dot) => y * (4 * U * absDot + 4 * U * (dy + dot)),
      logSoftmaxBackward: (y, dy, absSum, sum) => {
        const e = Math.exp(y);
        return 4 * U * (dy + e * (absSum + sum)) + 4 * U * e * sum;
      },
      specials: (out) => 8 * U * (1 + out),
    },
  );
}

test.run();
