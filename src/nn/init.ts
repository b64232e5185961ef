// Parameter initialisation as the official code does it (vision_transformer.py
// VisionTransformer._init_weights, DINOHead._init_weights, utils.trunc_normal_):
// - ViT and head Linears: truncated normal, std 0.02, absolute bounds ±2; bias 0
// - LayerNorm: weight 1, bias 0
// - the patch-embedding conv and the head's last layer keep PyTorch's default init,
//   U(−1/√fan_in, 1/√fan_in) (kaiming_uniform with a = √5 gives exactly this bound).

import { full, truncNormal, uniform } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { type ModuleOptions, resolveOptions } from './module.js';

export function truncNormalInit(
  shape: readonly number[],
  std: number,
  opts?: ModuleOptions,
): Tensor {
  const o = resolveOptions(opts);
  return truncNormal(shape, { std, a: -2, b: 2 }, o);
}

/** PyTorch's default for Linear/Conv weights and biases: U(−1/√fan_in, 1/√fan_in). */
export function torchDefaultInit(
  shape: readonly number[],
  fanIn: number,
  opts?: ModuleOptions,
): Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  return uniform(shape, -bound, bound, resolveOptions(opts));
}

export function constantInit(
  shape: readonly number[],
  value: number,
  opts?: ModuleOptions,
): Tensor {
  return full(shape, value, resolveOptions(opts));
}
