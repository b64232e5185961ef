// Basic layers: Linear (weight [out, in], y = x·Wᵀ + b as torch.nn.Linear), LayerNorm (over the
// last axis, eps configurable: the ViT uses 1e-6), GELU (exact erf form, parameter-free, so that
// nn.Sequential-style arrays keep PyTorch's indices: DINOHead's mlp.0 / mlp.1 (GELU) / mlp.2).

import { gelu, layerNorm, linear } from '../autograd/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { constantInit, torchDefaultInit, truncNormalInit } from './init.js';
import { Module, type ModuleOptions, parameter } from './module.js';

export interface LinearOptions extends ModuleOptions {
  bias?: boolean;
  /** 'trunc_normal': std 0.02, bias 0 (the ViT/DINO custom init); 'torch': PyTorch's default. */
  init?: 'trunc_normal' | 'torch';
}

export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LinearOptions = {},
  ) {
    super();
    const torchInit = opts.init === 'torch';
    this.weight = parameter(
      torchInit
        ? torchDefaultInit([outFeatures, inFeatures], inFeatures, opts)
        : truncNormalInit([outFeatures, inFeatures], 0.02, opts),
    );
    this.bias =
      opts.bias === false
        ? null
        : parameter(
            torchInit
              ? torchDefaultInit([outFeatures], inFeatures, opts)
              : constantInit([outFeatures], 0, opts),
          );
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias); // [..., in] -> [..., out]
  }
}

export class LayerNorm extends Module {
  weight: Tensor;
  bias: Tensor;

  constructor(
    readonly dim: number,
    readonly eps = 1e-5,
    opts: ModuleOptions = {},
  ) {
    super();
    this.weight = parameter(constantInit([dim], 1, opts));
    this.bias = parameter(constantInit([dim], 0, opts));
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}

export class GELU extends Module {
  forward(x: Tensor): Tensor {
    return gelu(x);
  }
}
