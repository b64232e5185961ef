// CPU reference: parameter updates that run outside autograd — one AdamW step and the teacher
// EMA. Both follow PyTorch's order of operations (torch.optim.AdamW, single-tensor path):
//   p ← p·(1 − lr·wd);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²
//   p ← p − (lr / (1−β₁ⁿ)) · m / (√v / √(1−β₂ⁿ) + ε)
//   teacher ← teacher·m + student·(1 − m)
// Twin: src/tensor/gpu/optim.ts.

import type { AdamWParams } from '../backend.js';
import type { TypedArray } from '../dtype.js';

export function adamw(
  pOut: TypedArray,
  mOut: TypedArray,
  vOut: TypedArray,
  p: TypedArray,
  g: TypedArray,
  m: TypedArray,
  v: TypedArray,
  hp: AdamWParams,
): void {
  const decay = 1 - hp.lr * hp.weightDecay;
  const stepSize = hp.lr / (1 - Math.pow(hp.beta1, hp.step));
  const bc2Sqrt = Math.sqrt(1 - Math.pow(hp.beta2, hp.step));
  const b1 = hp.beta1;
  const b2 = hp.beta2;
  for (let i = 0; i < pOut.length; i++) {
    const gi = g[i];
    const mi = m[i] * b1 + gi * (1 - b1);
    const vi = v[i] * b2 + (1 - b2) * gi * gi;
    mOut[i] = mi;
    vOut[i] = vi;
    // read the rounded m, v back (float32 storage) so that p uses what is stored
    pOut[i] = p[i] * decay - stepSize * (mOut[i] / (Math.sqrt(vOut[i]) / bc2Sqrt + hp.eps));
  }
}

export function ema(out: TypedArray, t: TypedArray, s: TypedArray, momentum: number): void {
  const w = 1 - momentum;
  for (let i = 0; i < out.length; i++) out[i] = t[i] * momentum + s[i] * w;
}
