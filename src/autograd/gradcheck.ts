// gradcheck: compares the analytic gradient of a function with central finite differences in
// float64, and reports the worst element. Exported for learners; the test suite runs it on
// every op.
//
//   const r = gradcheck((a, b) => sum(mul(a, b)), [a, b]);
//   r.ok  // false → r.message names the input, the element, the analytic and numeric values
//
// Inputs are copied to float64 cpu leaves. A non-scalar output is reduced with fixed random
// weights (L = Σ w ⊙ f(x)), which checks a random vector–Jacobian product: a wrong backward rule
// fails with probability 1. Numeric derivative: (L(x + eps·e_j) − L(x − eps·e_j)) / 2eps.
// Element j passes when |analytic − numeric| ≤ atol + rtol·|numeric|.

import { cpu } from '../tensor/cpu/index.js';
import { tensor } from '../tensor/creation.js';
import { Generator } from '../tensor/random.js';
import { fmtShape, stridesOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { backward } from './engine.js';
import { noGrad } from './grad-mode.js';
import { cast, detach, toBackend } from './ops/cast.js';
import { mul } from './ops/elementwise.js';
import { sum } from './ops/reduce.js';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-6). */
  atol?: number;
  /** Relative tolerance (default 1e-4). */
  rtol?: number;
  /** Which inputs to check (default: all). */
  wrt?: number[];
  /** Seed of the output weights (default 0). */
  seed?: number;
}

export interface GradcheckWorst {
  input: number;
  /** Multi-index of the element in its input. */
  index: number[];
  analytic: number;
  numeric: number;
  /** |analytic − numeric| / (atol + rtol·|numeric|): above 1 fails. */
  ratio: number;
}

export interface GradcheckResult {
  ok: boolean;
  worst: GradcheckWorst | null;
  message: string;
}

export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  opts: GradcheckOptions = {},
): GradcheckResult {
  const { eps = 1e-6, atol = 1e-6, rtol = 1e-4, seed = 0 } = opts;
  const wrt = opts.wrt ?? inputs.map((_, i) => i);
  const hosts = inputs.map(
    (x) => toBackend(cast(detach(x), 'float64'), cpu).dataSync() as Float64Array,
  );
  const leaves = (data: Float64Array[]) =>
    data.map((d, i) =>
      tensor(d, {
        shape: inputs[i].shape,
        dtype: 'float64',
        backend: cpu,
        requiresGrad: wrt.includes(i),
      }),
    );

  // the scalar objective L = Σ w ⊙ f(x)
  let weights: Tensor | null = null;
  const objective = (xs: Tensor[]): Tensor => {
    const out = fn(...xs);
    if (out.dtype !== 'float64')
      throw new Error(`gradcheck: fn returned ${out.dtype}; keep the computation in float64`);
    if (out.size === 1) return sum(out);
    if (!weights) {
      const g = new Generator(seed);
      weights = tensor(
        Float64Array.from({ length: out.size }, () => g.normal()),
        { shape: out.shape, dtype: 'float64', backend: cpu },
      );
    }
    return sum(mul(out, weights));
  };

  const xs = leaves(hosts);
  const L = objective(xs);
  if (!L.requiresGrad)
    throw new Error('gradcheck: the output does not depend on any checked input');
  backward(L);

  let worst: GradcheckWorst | null = null;
  for (const i of wrt) {
    const analytic = xs[i].grad
      ? (xs[i].grad!.dataSync() as Float64Array)
      : new Float64Array(hosts[i].length);
    const strides = stridesOf(inputs[i].shape);
    for (let j = 0; j < hosts[i].length; j++) {
      const numeric = noGrad(() => {
        const plus = hosts.map((h) => h.slice());
        const minus = hosts.map((h) => h.slice());
        plus[i][j] += eps;
        minus[i][j] -= eps;
        return (
          (objective(leaves(plus)).itemSync() - objective(leaves(minus)).itemSync()) / (2 * eps)
        );
      });
      const ratio = Math.abs(analytic[j] - numeric) / (atol + rtol * Math.abs(numeric));
      if (!worst || ratio > worst.ratio || Number.isNaN(ratio)) {
        worst = {
          input: i,
          index: strides.map((s, d) => Math.floor(j / s) % inputs[i].shape[d]),
          analytic: analytic[j],
          numeric,
          ratio,
        };
      }
    }
  }
  const ok = worst === null || worst.ratio <= 1;
  const message = worst
    ? `gradcheck ${ok ? 'passed' : 'failed'}: worst element is input ${worst.input} ` +
      `${fmtShape(inputs[worst.input].shape)} at ` +
      `[${worst.index.join(', ')}]: analytic ${worst.analytic} vs numeric ${worst.numeric} ` +
      `(${(worst.ratio * 100).toFixed(1)}% of the tolerance atol ${atol} + rtol ${rtol}·|numeric|)`
    : 'gradcheck passed: no elements to check';
  return { ok, worst, message };
}
