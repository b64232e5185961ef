// The parameter shapes a configuration implies, computed without building (allocating) anything,
// and a lower bound on the memory a training step needs. Both exist to check untrusted input
// before it allocates: a checkpoint's metadata can claim a ViT of any size, and a command line
// can ask for crops whose attention matrices exceed the machine (--global-crop-size 1000 with
// patch 7: 20 165 tokens per crop). Names are the official state-dict keys (vision_transformer.py
// VisionTransformer, main_dino.py DINOHead); test/dino/shapes.test.ts checks them against the
// built modules.
// Shapes: D embed dim, C channels, p patch, g grid side, H MLP hidden, K out_dim, Bn bottleneck.

import type { ViTConfig } from '../nn/vit.js';
import type { DinoConfig } from './config.js';
import { archOf } from './config-arch.js';

export type ShapeMap = Map<string, number[]>;

/** The deepest ViT a shape map is made for (12 tensors per block): keeps the map itself small
 * whatever a file claims. */
export const MAX_DEPTH = 10_000;

/** The ViT's state-dict keys and shapes (vision_transformer.py VisionTransformer). */
export function vitShapes(c: ViTConfig): ShapeMap {
  if (!(Number.isSafeInteger(c.depth) && c.depth >= 0 && c.depth <= MAX_DEPTH))
    throw new RangeError(`vitShapes: depth ${c.depth} is not an integer in [0, ${MAX_DEPTH}]`);
  const D = c.embedDim;
  const g = Math.floor(c.imgSize / c.patchSize);
  const H = Math.floor(D * c.mlpRatio);
  const out: ShapeMap = new Map([
    ['cls_token', [1, 1, D]],
    ['pos_embed', [1, g * g + 1, D]],
    ['patch_embed.proj.weight', [D, c.inChans, c.patchSize, c.patchSize]],
    ['patch_embed.proj.bias', [D]],
  ]);
  for (let i = 0; i < c.depth; i++) {
    const b = `blocks.${i}.`;
    out.set(`${b}norm1.weight`, [D]);
    out.set(`${b}norm1.bias`, [D]);
    out.set(`${b}attn.qkv.weight`, [3 * D, D]);
    if (c.qkvBias) out.set(`${b}attn.qkv.bias`, [3 * D]);
    out.set(`${b}attn.proj.weight`, [D, D]);
    out.set(`${b}attn.proj.bias`, [D]);
    out.set(`${b}norm2.weight`, [D]);
    out.set(`${b}norm2.bias`, [D]);
    out.set(`${b}mlp.fc1.weight`, [H, D]);
    out.set(`${b}mlp.fc1.bias`, [H]);
    out.set(`${b}mlp.fc2.weight`, [D, H]);
    out.set(`${b}mlp.fc2.bias`, [D]);
  }
  out.set('norm.weight', [D]);
  out.set('norm.bias', [D]);
  return out;
}

/** The backbone's ViTConfig of a DINO config (as build.ts buildWrapper makes it). */
export function vitConfigOf(c: DinoConfig, inChans: number): ViTConfig {
  const { embedDim, depth, numHeads } = archOf(c);
  return {
    imgSize: c.globalCropSize,
    patchSize: c.patchSize,
    inChans,
    embedDim,
    depth,
    numHeads,
    mlpRatio: c.mlpRatio,
    qkvBias: true,
    dropPathRate: 0,
  };
}

/** Keys and shapes of a MultiCropWrapper (backbone.* and head.*), as student and teacher have. */
export function wrapperShapes(c: DinoConfig, inChans: number): ShapeMap {
  const out: ShapeMap = new Map();
  for (const [k, s] of vitShapes(vitConfigOf(c, inChans))) out.set(`backbone.${k}`, s);
  const D = archOf(c).embedDim;
  const [Hd, Bn, K] = [c.headHiddenDim, c.headBottleneckDim, c.outDim];
  const dims = c.headLayers === 1 ? [D, Bn] : [D, ...Array<number>(c.headLayers - 1).fill(Hd), Bn];
  if (c.headLayers === 1) {
    out.set('head.mlp.weight', [Bn, D]);
    out.set('head.mlp.bias', [Bn]);
  } else {
    // nn.Sequential(Linear, GELU, Linear, GELU, …, Linear): the Linears sit at even indices
    for (let i = 0; i + 1 < dims.length; i++) {
      out.set(`head.mlp.${2 * i}.weight`, [dims[i + 1], dims[i]]);
      out.set(`head.mlp.${2 * i}.bias`, [dims[i + 1]]);
    }
  }
  out.set('head.last_layer.weight_g', [K, 1]);
  out.set('head.last_layer.weight_v', [K, Bn]);
  return out;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Elements of all tensors of a shape map. */
export function totalElements(shapes: ShapeMap): number {
  let n = 0;
  for (const s of shapes.values()) n += numel(s);
  return n;
}

/**
 * A lower bound on the bytes one training step needs in float32: student, teacher, gradients
 * and AdamW's two moments (5 copies of the parameters), plus the attention probabilities each
 * block keeps for the backward pass ([B, h, N, N] per crop, N = tokens). Real use is higher
 * (activations, workspaces); a configuration above this bound cannot fit at all.
 */
export function stepBytesLowerBound(c: DinoConfig, inChans: number): number {
  const { depth, numHeads } = archOf(c);
  // one block's parameters times depth, so that an absurd depth costs no map of its blocks
  const arch = (d: number) => ({ ...c, arch: 'custom' as const, ...archOf(c), depth: d });
  const base = totalElements(wrapperShapes(arch(0), inChans));
  const perBlock = totalElements(wrapperShapes(arch(1), inChans)) - base;
  const allParams = base + perBlock * depth;
  const tokens = (side: number) => Math.floor(side / c.patchSize) ** 2 + 1;
  const crops =
    2 * tokens(c.globalCropSize) ** 2 + c.localCropsNumber * tokens(c.localCropSize) ** 2;
  const attention = c.batchSize * numHeads * crops;
  return 4 * (5 * allParams + depth * attention);
}

/** The longest run the per-iteration schedules are tabulated for (4 × 8 bytes each: 320 MB). */
export const MAX_ITERATIONS = 10_000_000;

/**
 * Refuses, before anything is allocated, a run that cannot work: more iterations than the
 * schedules are made for, or a step whose lower-bound memory exceeds the machine's.
 */
export function checkTrainingBudget(
  c: DinoConfig,
  inChans: number,
  itersPerEpoch: number,
  memory: number,
): void {
  const total = c.epochs * itersPerEpoch;
  if (total > MAX_ITERATIONS)
    throw new Error(
      `--epochs ${c.epochs} × ${itersPerEpoch} steps per epoch is ${total} iterations; ` +
        `at most ${MAX_ITERATIONS} are supported (the schedules are tabulated per iteration)`,
    );
  const need = stepBytesLowerBound(c, inChans);
  if (need > memory) {
    const { numHeads } = archOf(c);
    const tokens = (side: number) => Math.floor(side / c.patchSize) ** 2 + 1;
    throw new Error(
      `one step of this configuration needs at least ${fmtBytes(need)} (5 copies of the ` +
        `parameters: student, teacher, gradients and AdamW moments; and per block attention ` +
        `maps of batch ${c.batchSize} × ${numHeads} heads × (2 × Tg² + ${c.localCropsNumber} ` +
        `× Tl²) token pairs, Tg = ${tokens(c.globalCropSize)} tokens of a --global-crop-size ` +
        `${c.globalCropSize} crop and Tl = ${tokens(c.localCropSize)} of a --local-crop-size ` +
        `${c.localCropSize} crop at --patch-size ${c.patchSize}), more than this machine's ` +
        `${fmtBytes(memory)}`,
    );
  }
}

export function fmtBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${Math.ceil(n / 1024)} KiB`;
}
