// DINOHead (official vision_transformer.py DINOHead; paper §3.1): a 3-layer MLP with exact GELU
// (in → hidden → hidden → bottleneck), L2 normalisation of the bottleneck, then a weight-normed
// linear layer without bias to K = out_dim logits. The last layer's weight is w_k = g_k·v_k/‖v_k‖
// (nn.utils.weight_norm, dim 0): parameters last_layer.weight_g [K, 1] and weight_v [K,
// bottleneck].
// With normLastLayer (default) g is filled with 1 and frozen, so every logit is a cosine
// similarity. MLP Linears use the custom init (trunc normal 0.02, bias 0); weight_v keeps
// PyTorch's default Linear init because the official code creates last_layer after the init.
// Keys: mlp.0 / mlp.2 / mlp.4 (mlp.1 and mlp.3 are the GELUs), last_layer.weight_g / weight_v.
//
// Shapes: R rows (crops × batch), D in dim, Hd hidden, Bn bottleneck, K out dim.

import { div, l2Normalize, linear, mul, norm } from '../autograd/index.js';
import { constantInit, torchDefaultInit } from '../nn/init.js';
import { GELU, Linear } from '../nn/layers.js';
import { Module, type ModuleOptions, parameter } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';

export interface DINOHeadConfig {
  inDim: number;
  outDim: number;
  hiddenDim: number;
  bottleneckDim: number;
  /** Number of Linear layers in the MLP (official nlayers, ≥ 1). */
  nlayers: number;
  /** Freeze weight_g at 1 (official norm_last_layer). */
  normLastLayer: boolean;
}

/** Linear without bias under weight normalisation along dim 0. */
export class WeightNormLinear extends Module {
  weight_g: Tensor;
  weight_v: Tensor;

  constructor(inDim: number, outDim: number, normLastLayer: boolean, opts: ModuleOptions = {}) {
    super();
    this.weight_g = parameter(constantInit([outDim, 1], 1, opts), { requiresGrad: !normLastLayer });
    this.weight_v = parameter(torchDefaultInit([outDim, inDim], inDim, opts));
  }

  /** w = g·v/‖v‖ row-wise (the PyTorch reference's order of operations). */
  weight(): Tensor {
    return div(mul(this.weight_g, this.weight_v), norm(this.weight_v, 1, true)); // [K, Bn]
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight()); // [R, Bn] -> [R, K]
  }
}

export class DINOHead extends Module {
  mlp: Linear | (Linear | GELU)[];
  last_layer: WeightNormLinear;
  readonly config: DINOHeadConfig;

  constructor(config: DINOHeadConfig, opts: ModuleOptions = {}) {
    super();
    const { inDim, outDim, hiddenDim, bottleneckDim, nlayers, normLastLayer } = config;
    if (!(nlayers >= 1)) throw new Error(`DINOHead: nlayers must be at least 1, got ${nlayers}`);
    this.config = config;
    if (nlayers === 1) {
      this.mlp = new Linear(inDim, bottleneckDim, opts);
    } else {
      const layers: (Linear | GELU)[] = [new Linear(inDim, hiddenDim, opts), new GELU()];
      for (let i = 0; i < nlayers - 2; i++)
        layers.push(new Linear(hiddenDim, hiddenDim, opts), new GELU());
      layers.push(new Linear(hiddenDim, bottleneckDim, opts));
      this.mlp = layers;
    }
    this.last_layer = new WeightNormLinear(bottleneckDim, outDim, normLastLayer, opts);
  }

  forward(x: Tensor): Tensor {
    let z = x; // [R, D]
    if (Array.isArray(this.mlp)) for (const layer of this.mlp) z = layer.forward(z);
    else z = this.mlp.forward(z); // [R, Bn]
    z = l2Normalize(z, -1, 1e-12);
    return this.last_layer.forward(z); // [R, K]
  }
}
