// gpu.js twin of src/tensor/cpu/optim.ts: one AdamW step and the teacher EMA, in PyTorch's order
// of operations (torch.optim.AdamW, single-tensor path):
//   g ← g·min(clip / (‖g‖ + 1e-6), 1)   (when clipping: utils.clip_gradients, ‖g‖² given)
//   p ← p·(1 − lr·wd);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²
//   p ← p − (lr / (1−β₁ⁿ)) · m / (√v / √(1−β₂ⁿ) + ε)
//   teacher ← teacher·m + student·(1 − m)
// In webgpu mode AdamW is one raw WGSL kernel (./wgsl.ts) writing p, m and v together. gpu.js
// kernels have one output each (kernel maps fall back to cpu on webasm), so elsewhere it is three
// kernels, the p kernel reading the new m and v as the cpu twin reads them back after rounding.
// The scalars are computed on the host in float64, as in the cpu twin, and passed as float32;
// the clip factor is computed on the device from ‖g‖², in float32.

import type { AdamWParams, GradClip } from '../backend.js';
import type { GpuStorage, KernelSpec, KernelThis, Runtime } from './runtime.js';
import { groups1d, runWgsl, type WgslKernel } from './wgsl.js';

/**
 * m·β + g·(1 − β) (square = 0) or m·β + (1 − β)·g² (square = 1): the two moment updates, with g
 * clipped first when clip = 1 (ss[0] = ‖g‖²).
 */
const MOMENT: KernelSpec = {
  name: 'adamwMoment',
  fn: function (
    this: KernelThis,
    m: number[],
    g: number[],
    ss: number[],
    beta: number,
    oneMinusBeta: number,
    square: number,
    clip: number,
    maxNorm: number,
  ) {
    let gi = g[this.thread.x];
    if (clip > 0) {
      gi = gi * Math.min(maxNorm / (Math.sqrt(ss[0]) + 0.000001), 1.0);
    }
    if (square > 0) {
      return m[this.thread.x] * beta + oneMinusBeta * gi * gi;
    }
    return m[this.thread.x] * beta + gi * oneMinusBeta;
  },
  args: {
    m: 'Array',
    g: 'Array',
    ss: 'Array',
    beta: 'Float',
    oneMinusBeta: 'Float',
    square: 'Integer',
    clip: 'Integer',
    maxNorm: 'Float',
  },
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

/** AdamW in one launch: p, m and v out of p, g, m, v (and ‖g‖² when clipping). */
const ADAMW_WGSL: WgslKernel = {
  name: 'adamwFused',
  uniforms: ['u32', 'u32', 'u32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32'],
  code: `
struct U { n: u32, width: u32, clip: u32, maxNorm: f32, b1: f32, omb1: f32, b2: f32, omb2: f32,
  decay: f32, stepSize: f32, bc2Sqrt: f32, eps: f32 }
@group(0) @binding(0) var<uniform> u: U;
@group(0) @binding(1) var<storage, read> p: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read> m: array<f32>;
@group(0) @binding(4) var<storage, read> v: array<f32>;
@group(0) @binding(5) var<storage, read> ss: array<f32>;
@group(0) @binding(6) var<storage, read_write> pOut: array<f32>;
@group(0) @binding(7) var<storage, read_write> mOut: array<f32>;
@group(0) @binding(8) var<storage, read_write> vOut: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * u.width;
  if (i >= u.n) { return; }
  var gi = g[i];
  if (u.clip != 0u) { gi = gi * min(u.maxNorm / (sqrt(ss[0]) + 1e-6), 1.0); }
  let mi = m[i] * u.b1 + gi * u.omb1;
  let vi = v[i] * u.b2 + u.omb2 * gi * gi;
  mOut[i] = mi;
  vOut[i] = vi;
  pOut[i] = p[i] * u.decay - u.stepSize * (mi / (sqrt(vi) / u.bc2Sqrt + u.eps));
}`,
};

export function adamw(
  rt: Runtime,
  p: GpuStorage,
  g: GpuStorage,
  m: GpuStorage,
  v: GpuStorage,
  hp: AdamWParams,
  clip: GradClip<GpuStorage> | null,
): { p: GpuStorage; m: GpuStorage; v: GpuStorage } {
  const decay = 1 - hp.lr * hp.weightDecay;
  const stepSize = hp.lr / (1 - Math.pow(hp.beta1, hp.step));
  const bc2Sqrt = Math.sqrt(1 - Math.pow(hp.beta2, hp.step));
  const n = p.size;
  if (n === 0) return { p: rt.empty(), m: rt.empty(), v: rt.empty() };
  const ss = clip ? clip.sumSquares : rt.empty(); // an empty input binds a placeholder
  const on = clip ? 1 : 0;
  const maxNorm = clip?.maxNorm ?? 0;
  if (rt.mode === 'webgpu') {
    const groups = groups1d(n, 256);
    const [pOut, mOut, vOut] = runWgsl(
      rt,
      ADAMW_WGSL,
      [p, g, m, v, ss],
      [n, n, n],
      [n, groups[0] * 256, on, maxNorm, hp.beta1, 1 - hp.beta1, hp.beta2, 1 - hp.beta2].concat([
        decay,
        stepSize,
        bc2Sqrt,
        hp.eps,
      ]),
      groups,
    );
    if (!clip) rt.release(ss);
    return { p: pOut, m: mOut, v: vOut };
  }
  const mOut = rt.run(MOMENT, [n], [m, g, ss, hp.beta1, 1 - hp.beta1, 0, on, maxNorm]);
  const vOut = rt.run(MOMENT, [n], [v, g, ss, hp.beta2, 1 - hp.beta2, 1, on, maxNorm]);
  const pOut = rt.run(PARAM, [n], [p, mOut, vOut, decay, stepSize, bc2Sqrt, hp.eps]);
  if (!clip) rt.release(ss);
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
