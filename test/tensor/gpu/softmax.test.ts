// gpu vs cpu: softmax, logSoftmax and their backward kernels over [rows, n], rows and lengths
// random, including rows longer than 1000 (the loopMaxIterations trap), through the properties
// shared with wasm (test/tensor/props/softmax.ts).
// Tolerances (u = 2⁻²⁴; d = |x − max of the row|, which exp amplifies): softmax 8u·(1 + d)·|y|;
// logSoftmax 8u·(|x| + |max| + log n + 1); softmaxBackward |y|·(4u·Σ|dy·y| + 4u·(|dy| + |Σ dy·y|));
// logSoftmaxBackward 4u·(|dy| + e^y·(Σ|dy| + |Σ dy|)). On webgpu exp, log and ÷ add their WGSL
// ulp. Inputs are normal values scaled by up to 6 here (30 on wasm). The rows of special values
// (NaN, ±∞) are checked on wasm only: WGSL lets an implementation assume that no infinity or NaN
// occurs in a shader.
import { softmaxProperties } from '../props/softmax.js';
import { test } from 'uvu';
import { assertClose, both, RUNS, U, wgsl } from './setup.js';

softmaxProperties(
  { backend: 'gpu', both: (x, call) => both(x, call), assertClose, runs: RUNS },
  {
    maxScale: 6,
    softmax: (d, y) => 8 * U * (1 + d + wgsl(3 + 2 * d)) * y,
    logSoftmax: (x, max, n) => 8 * U * (x + max + Math.log(n) + 1) + wgsl(2 ** -19),
    softmaxBackward: (y, dy, absDot, dot) => y * (4 * U * absDot + 4 * U * (dy + dot)),
    logSoftmaxBackward: (y, dy, absSum, sum) => {
      const e = Math.exp(y);
      return 4 * U * (dy + e * (absSum + sum)) + wgsl(8 * U * e * sum * (3 + 2 * Math.abs(y)));
    },
  },
);

test.run();
