// VisionTransformer as in the official DINO vision_transformer.py (a DeiT-style ViT; paper §3.2):
// patch embedding (a conv with kernel = stride = p, done as a matmul over unfolded patches),
// [CLS] token, learned position embedding with bicubic interpolation for other grid sizes,
// pre-norm blocks with linearly increasing drop path, final LayerNorm; forward returns the
// final-norm [CLS] token. Also getLastSelfAttention and getIntermediateLayers, and the factories
// vit_tiny / vit_small / vit_base (depth 12, MLP ×4, qkv bias, LayerNorm eps 1e-6).
//
// Shapes: B batch, C channels, H×W image, p patch, N = (H/p)(W/p) patches, T = N + 1 tokens,
// D embed dim, h heads.

import {
  add,
  concat,
  expand,
  layerNorm,
  linear,
  matmul,
  permute,
  reshape,
  select,
  slice,
  unsqueeze,
} from '../autograd/index.js';
import { tensor } from '../tensor/creation.js';
import { defaultGenerator } from '../tensor/random.js';
import { fmtShape, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { torchDefaultInit, truncNormalInit } from './init.js';
import { LayerNorm } from './layers.js';
import { Module, type ModuleOptions, parameter } from './module.js';
import { posEmbedInterpolationMatrix } from './pos-embed.js';
import { Block } from './transformer.js';

export interface ViTConfig {
  /** Image size the position embedding is made for (official img_size[0]). */
  imgSize: number;
  patchSize: number;
  inChans: number;
  embedDim: number;
  depth: number;
  numHeads: number;
  mlpRatio: number;
  qkvBias: boolean;
  /** Maximum stochastic-depth rate (block i gets rate·i/(depth−1)). */
  dropPathRate: number;
}

/** Holder for the conv's parameters so that keys read patch_embed.proj.weight / .bias. */
class ConvWeights extends Module {
  weight: Tensor;
  bias: Tensor;
  constructor(weight: Tensor, bias: Tensor) {
    super();
    this.weight = parameter(weight);
    this.bias = parameter(bias);
  }
}

/** Conv2d(in_chans, D, kernel = stride = p) as a matmul over unfolded patches. */
export class PatchEmbed extends Module {
  proj: ConvWeights;

  constructor(
    readonly patchSize: number,
    readonly inChans: number,
    readonly embedDim: number,
    opts: ModuleOptions = {},
  ) {
    super();
    const fanIn = inChans * patchSize * patchSize;
    // PyTorch's default Conv2d init: the official custom init does not touch the patch embedding
    this.proj = new ConvWeights(
      torchDefaultInit([embedDim, inChans, patchSize, patchSize], fanIn, opts),
      torchDefaultInit([embedDim], fanIn, opts),
    );
  }

  /** [B, C, H, W] -> [B, N, D]; rows/columns past the last whole patch are ignored (as a strided
   * conv). */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChans) {
      throw new ShapeError(
        `PatchEmbed: expected images [B, ${this.inChans}, H, W], got ${fmtShape(x.shape)}`,
      );
    }
    const [B, C, H, W] = x.shape;
    const p = this.patchSize;
    const Hg = Math.floor(H / p);
    const Wg = Math.floor(W / p);
    if (Hg === 0 || Wg === 0)
      throw new ShapeError(`PatchEmbed: image ${H}×${W} is smaller than one ${p}×${p} patch`);
    const cropped = H % p || W % p ? slice(x, [null, null, [0, Hg * p], [0, Wg * p]]) : x;
    const patches = reshape(
      // [B, C, Hg, p, Wg, p] -> [B, Hg, Wg, C, p, p]
      permute(reshape(cropped, [B, C, Hg, p, Wg, p]), [0, 2, 4, 1, 3, 5]),
      [B, Hg * Wg, C * p * p],
    );
    const w = reshape(this.proj.weight, [this.embedDim, C * p * p]); // [D, C, p, p] -> [D, Cpp]
    return linear(patches, w, this.proj.bias); // [B, N, D]
  }
}

export class VisionTransformer extends Module {
  patch_embed: PatchEmbed;
  cls_token: Tensor;
  pos_embed: Tensor;
  blocks: Block[];
  norm: LayerNorm;
  readonly config: ViTConfig;
  /** Interpolation matrices by target grid (constants, not parameters). */
  private interpolation = new Map<string, Tensor>();

  constructor(config: Partial<ViTConfig> = {}, opts: ModuleOptions = {}) {
    super();
    const c: ViTConfig = {
      imgSize: 224,
      patchSize: 16,
      inChans: 3,
      embedDim: 384,
      depth: 12,
      numHeads: 6,
      mlpRatio: 4,
      qkvBias: true,
      dropPathRate: 0,
      ...config,
    };
    this.config = c;
    const D = c.embedDim;
    const g0 = Math.floor(c.imgSize / c.patchSize);
    this.patch_embed = new PatchEmbed(c.patchSize, c.inChans, D, opts);
    this.cls_token = parameter(truncNormalInit([1, 1, D], 0.02, opts));
    this.pos_embed = parameter(truncNormalInit([1, g0 * g0 + 1, D], 0.02, opts));
    const generator = opts.generator ?? defaultGenerator;
    this.blocks = Array.from({ length: c.depth }, (_, i) => {
      // linspace(0, rate, depth)
      const rate = c.depth > 1 ? (c.dropPathRate * i) / (c.depth - 1) : 0;
      return new Block(D, c.numHeads, {
        ...opts,
        generator,
        mlpRatio: c.mlpRatio,
        qkvBias: c.qkvBias,
        eps: 1e-6,
        dropPath: rate,
      });
    });
    this.norm = new LayerNorm(D, 1e-6, opts);
  }

  /** pos_embed for an H×W input: unchanged at the training grid, bicubic-resampled otherwise. */
  interpolatePosEncoding(nPatches: number, H: number, W: number): Tensor {
    const N0 = this.pos_embed.shape[1] - 1;
    if (nPatches === N0 && H === W) return this.pos_embed;
    const p = this.config.patchSize;
    const Hg = Math.floor(H / p);
    const Wg = Math.floor(W / p);
    const g0 = Math.round(Math.sqrt(N0));
    const key = `${Hg}x${Wg}`;
    let m = this.interpolation.get(key);
    if (!m) {
      const data = posEmbedInterpolationMatrix(g0, Hg, Wg);
      m = tensor(data, {
        shape: [Hg * Wg, N0],
        dtype: this.pos_embed.dtype,
        backend: this.pos_embed.backend,
      });
      m.kept = true;
      this.interpolation.set(key, m);
    }
    const D = this.config.embedDim;
    const cls = slice(this.pos_embed, [null, [0, 1]]); // [1, 1, D]
    const grid = reshape(slice(this.pos_embed, [null, [1, N0 + 1]]), [N0, D]); // [N0, D]
    return concat([cls, unsqueeze(matmul(m, grid), 0)], 1); // [1, Hg·Wg + 1, D]
  }

  /** [B, C, H, W] -> tokens [B, T, D] with [CLS] first and position embedding added. */
  prepareTokens(x: Tensor): Tensor {
    const [B, , H, W] = x.shape;
    const patches = this.patch_embed.forward(x); // [B, N, D]
    const D = this.config.embedDim;
    const tokens = concat([expand(this.cls_token, [B, 1, D]), patches], 1); // [B, T, D]
    return add(tokens, this.interpolatePosEncoding(patches.shape[1], H, W));
  }

  /** The final-norm [CLS] token: [B, C, H, W] -> [B, D]. */
  forward(x: Tensor): Tensor {
    let t = this.prepareTokens(x);
    for (const blk of this.blocks) t = blk.forward(t).x;
    return select(this.finalNorm(t), 1, 0);
  }

  /** Attention probabilities of the last block, [B, h, T, T] (its output is not computed). */
  getLastSelfAttention(x: Tensor): Tensor {
    let t = this.prepareTokens(x);
    for (let i = 0; i < this.blocks.length - 1; i++) t = this.blocks[i].forward(t).x;
    return this.blocks[this.blocks.length - 1].forward(t, true).attn!;
  }

  /** Outputs of the last n blocks, each through the final norm, shallow to deep: n × [B, T, D]. */
  getIntermediateLayers(x: Tensor, n = 1): Tensor[] {
    let t = this.prepareTokens(x);
    const out: Tensor[] = [];
    this.blocks.forEach((blk, i) => {
      t = blk.forward(t).x;
      if (i >= this.blocks.length - n) out.push(this.finalNorm(t));
    });
    return out;
  }

  private finalNorm(t: Tensor): Tensor {
    return layerNorm(t, this.norm.weight, this.norm.bias, this.norm.eps);
  }
}

type Factory = (config?: Partial<ViTConfig>, opts?: ModuleOptions) => VisionTransformer;

/** ViT-Ti: D 192, 3 heads (5 524 416 parameters at patch 16, 224 px). */
export const vit_tiny: Factory = (config = {}, opts) =>
  new VisionTransformer({ embedDim: 192, depth: 12, numHeads: 3, ...config }, opts);
/** ViT-S: D 384, 6 heads (21 665 664 parameters at patch 16). */
export const vit_small: Factory = (config = {}, opts) =>
  new VisionTransformer({ embedDim: 384, depth: 12, numHeads: 6, ...config }, opts);
/** ViT-B: D 768, 12 heads (85 798 656 parameters at patch 16). */
export const vit_base: Factory = (config = {}, opts) =>
  new VisionTransformer({ embedDim: 768, depth: 12, numHeads: 12, ...config }, opts);
