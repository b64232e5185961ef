// CPU reference: parameter updates that run outside autograd — one AdamW step and the teacher
// EMA. Both follow PyTorch's order of operations (torch.optim.AdamW, single-tensor path):
//   p ← p·(1 − lr·wd);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²
//   p ← p − (lr / (1−β₁ⁿ)) · m / (√v / √(1−β₂ⁿ) + ε)
//   teacher ← teacher·m + student·(1 − m)
// with the gradient first clipped per tensor when asked (utils.clip_gradients): g ← g·min(clip /
// (‖g‖ + 1e-6), 1), ‖g‖² from sumSquares (./reduce.ts). Twin: src/tensor/gpu/optim.ts.

import type { AdamWParams } from '../backend.js';
import type { TypedArray } from '../dtype.js';

/**
 * The clip factor of utils.clip_gradients for a gradient with Σ g² = sumSquares: min(maxNorm /
 * (‖g‖ + 1e-6), 1), in float64 as the op chain computes it for float64 tensors.
 */
export function clipCoefficient(sumSquares: number, maxNorm: number): number {
  return Math.min(maxNorm / (Math.sqrt(sumSquares) + 1e-6), 1);
}

/** AdamW on p, g, m, v; `gradScale` (the clip factor, 1 without clipping) multiplies g first. */
export function adamw(
  pOut: TypedArray,
  mOut: TypedArray,
  vOut: TypedArray,
  p: TypedArray,
  g: TypedArray,
  m: TypedArray,
  v: TypedArray,
  hp: AdamWParams,
  gradScale = 1,
): void {
  const decay = 1 - hp.lr * hp.weightDecay;
  const stepSize = hp.lr / (1 - Math.pow(hp.beta1, hp.step));
  const bc2Sqrt = Math.sqrt(1 - Math.pow(hp.beta2, hp.step));
  const b1 = hp.beta1;
  const b2 = hp.beta2;
  // the clipped gradient as if stored in g's dtype (exactly g when gradScale is 1)
  const round = g instanceof Float32Array ? Math.fround : (x: number) => x;
  for (let i = 0; i < pOut.length; i++) {
    const gi = gradScale === 1 ? g[i] : round(g[i] * gradScale);
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
