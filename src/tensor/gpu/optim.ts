// gpu.js twin of src/tensor/cpu/optim.ts: one AdamW step and the teacher EMA, in PyTorch's order
// of operations (torch.optim.AdamW, single-tensor path):
//   p ← p·(1 − lr·wd);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²
//   p ← p − (lr / (1−β₁ⁿ)) · m / (√v / √(1−β₂ⁿ) + ε)
//   teacher ← teacher·m + student·(1 − m)
// AdamW writes three buffers, so it is three kernels (gpu.js kernel maps fall back to cpu on
// webasm); the p kernel reads the new m and v, as the cpu twin reads them back after rounding.
// The scalars are computed on the host in float64, as in the cpu twin, and passed as float32.

import type { AdamWParams } from '../backend.js';
import type { GpuStorage, KernelSpec, KernelThis, Runtime } from './runtime.js';

/** m·β + g·(1 − β) (square = 0) or m·β + (1 − β)·g² (square = 1): the two moment updates. */
const MOMENT: KernelSpec = {
  name: 'adamwMoment',
  fn: function (
    this: KernelThis,
    m: number[],
    g: number[],
    beta: number,
    oneMinusBeta: number,
    square: number,
  ) {
    const gi = g[this.thread.x];
    if (square > 0) {
      return m[this.thread.x] * beta + oneMinusBeta * gi * gi;
    }
    return m[this.thread.x] * beta + gi * oneMinusBeta;
  },
  args: { m: 'Array', g: 'Array', beta: 'Float', oneMinusBeta: 'Float', square: 'Integer' },
};

const PARAM: KernelSpec = {
  name: 'adamwParam',
  fn: function (
    this: KernelThis,
    p: number[],
    m: number[],
    v: number[],
    decay: number,
    stepSize: number,
    bc2Sqrt: number,
    eps: number,
  ) {
    return (
      p[this.thread.x] * decay -
      stepSize * (m[this.thread.x] / (Math.sqrt(v[this.thread.x]) / bc2Sqrt + eps))
    );
  },
  args: {
    p: 'Array',
    m: 'Array',
    v: 'Array',
    decay: 'Float',
    stepSize: 'Float',
    bc2Sqrt: 'Float',
    eps: 'Float',
  },
};

export function adamw(
  rt: Runtime,
  p: GpuStorage,
  g: GpuStorage,
  m: GpuStorage,
  v: GpuStorage,
  hp: AdamWParams,
): { p: GpuStorage; m: GpuStorage; v: GpuStorage } {
  const decay = 1 - hp.lr * hp.weightDecay;
  const stepSize = hp.lr / (1 - Math.pow(hp.beta1, hp.step));
  const bc2Sqrt = Math.sqrt(1 - Math.pow(hp.beta2, hp.step));
  const n = [p.size];
  const mOut = rt.run(MOMENT, n, [m, g, hp.beta1, 1 - hp.beta1, 0]);
  const vOut = rt.run(MOMENT, n, [v, g, hp.beta2, 1 - hp.beta2, 1]);
  const pOut = rt.run(PARAM, n, [p, mOut, vOut, decay, stepSize, bc2Sqrt, hp.eps]);
  return { p: pOut, m: mOut, v: vOut };
}

const EMA: KernelSpec = {
  name: 'ema',
  fn: function (this: KernelThis, t: number[], s: number[], momentum: number, w: number) {
    return t[this.thread.x] * momentum + s[this.thread.x] * w;
  },
  args: { t: 'Array', s: 'Array', momentum: 'Float', w: 'Float' },
};

export function ema(rt: Runtime, t: GpuStorage, s: GpuStorage, momentum: number): GpuStorage {
  return rt.run(EMA, [t.size], [t, s, momentum, 1 - momentum]);
}
