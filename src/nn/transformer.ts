// The transformer block of the official DINO ViT (vision_transformer.py: Attention, Mlp, Block,
// DropPath; paper §3.2). Pre-norm: x ← x + DropPath(Attn(LN₁ x)); x ← x + DropPath(MLP(LN₂ x)).
// Attention uses one qkv Linear whose 3D outputs are [q heads | k heads | v heads], scale
// head_dim^-0.5 applied to the logits. The MLP is fc1 → exact GELU → fc2.
//
// Shapes: B batch, N tokens, D embed dim, h heads, d = D/h head dim.

import { add, attention, dropPath } from '../autograd/index.js';
import type { Generator } from '../tensor/random.js';
import { defaultGenerator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { GELU, LayerNorm, Linear } from './layers.js';
import { Module, type ModuleOptions } from './module.js';

export class Attention extends Module {
  qkv: Linear;
  proj: Linear;
  readonly scale: number;

  constructor(
    readonly dim: number,
    readonly numHeads: number,
    opts: ModuleOptions & { qkvBias?: boolean } = {},
  ) {
    super();
    if (dim % numHeads !== 0)
      throw new Error(`Attention: dim ${dim} is not divisible by ${numHeads} heads`);
    this.qkv = new Linear(dim, dim * 3, { ...opts, bias: opts.qkvBias ?? true });
    this.proj = new Linear(dim, dim, opts);
    this.scale = (dim / numHeads) ** -0.5;
  }

  /**
   * The output [B, N, D] and, when asked, the attention probabilities [B, h, N, N] (else null).
   * The heads are one fused op (autograd/ops/attention.ts): q, k, v read in place inside qkv.
   */
  forward(x: Tensor, returnAttention = false): { y: Tensor; attn: Tensor | null } {
    const qkv = this.qkv.forward(x); // [B, N, D] -> [B, N, 3D]
    const { y, attn } = attention(qkv, this.numHeads, { scale: this.scale, returnAttention });
    return { y: this.proj.forward(y), attn }; // [B, N, D]
  }
}

export class Mlp extends Module {
  fc1: Linear;
  act = new GELU();
  fc2: Linear;

  constructor(dim: number, hidden: number, opts: ModuleOptions = {}) {
    super();
    this.fc1 = new Linear(dim, hidden, opts);
    this.fc2 = new Linear(hidden, dim, opts);
  }

  forward(x: Tensor): Tensor {
    // [B, N, D] -> [B, N, 4D] -> [B, N, D]
    return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
  }
}

export interface BlockOptions extends ModuleOptions {
  mlpRatio?: number;
  qkvBias?: boolean;
  eps?: number;
  /** Stochastic-depth rate of this block. */
  dropPath?: number;
}

export class Block extends Module {
  norm1: LayerNorm;
  attn: Attention;
  norm2: LayerNorm;
  mlp: Mlp;
  readonly dropPathRate: number;
  /** The generator for drop-path masks. */
  generator: Generator;

  constructor(dim: number, numHeads: number, opts: BlockOptions = {}) {
    super();
    const eps = opts.eps ?? 1e-6;
    this.norm1 = new LayerNorm(dim, eps, opts);
    this.attn = new Attention(dim, numHeads, opts);
    this.norm2 = new LayerNorm(dim, eps, opts);
    this.mlp = new Mlp(dim, Math.floor(dim * (opts.mlpRatio ?? 4)), opts);
    this.dropPathRate = opts.dropPath ?? 0;
    this.generator = opts.generator ?? defaultGenerator;
  }

  /** The block's output [B, N, D]; with returnAttention, its input and the attention [B, h, N, N]
   * instead (vision_transformer.py Block: the attention maps need nothing after it). */
  forward(x: Tensor, returnAttention = false): { x: Tensor; attn: Tensor | null } {
    const { y, attn } = this.attn.forward(this.norm1.forward(x), returnAttention);
    if (returnAttention) return { x, attn };
    const dp = { training: this.training, generator: this.generator };
    x = add(x, dropPath(y, this.dropPathRate, dp));
    x = add(x, dropPath(this.mlp.forward(this.norm2.forward(x)), this.dropPathRate, dp));
    return { x, attn };
  }
}
