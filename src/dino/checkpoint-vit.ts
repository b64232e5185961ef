// The ViT architecture of a weights file, read from its tensor shapes (patch_embed.proj.weight
// [D, C, p, p], pos_embed [1, 1 + g², D], blocks.{i}.*, mlp.fc1.weight [H, D]) and, for the one
// thing shapes cannot tell, the number of attention heads: our checkpoint's config, the caller's
// --num-heads, or the official DINO widths (ViT-T/S/B: 192/384/768 with 64-dim heads,
// vision_transformer.py vit_tiny/vit_small/vit_base). Anything else is refused rather than
// guessed: a wrong head count loads without complaint and gives wrong features.

import type { SafetensorsTensor } from '../io/safetensors.js';
import type { ViTConfig } from '../nn/vit.js';
import { CheckpointError } from './checkpoint-check.js';
import type { DinoConfig } from './config.js';
import { archOf } from './config-arch.js';

/** Per-channel normalisation on the [0, 1] scale (torchvision Normalize). */
export interface Normalization {
  mean: number[];
  std: number[];
}

/** Heads of the official DINO ViTs by width (vision_transformer.py). */
export const OFFICIAL_HEADS: Readonly<Record<number, number>> = { 192: 3, 384: 6, 768: 12 };

export function inferViTConfig(
  path: string,
  w: Map<string, SafetensorsTensor>,
  saved: DinoConfig | null,
  numHeads?: number,
): ViTConfig {
  const fail = (problem: string): never => {
    throw new CheckpointError(path, problem);
  };
  const need = (k: string, rank: number, what: string): number[] => {
    const t = w.get(k);
    if (!t) return fail(`no '${k}' (after prefix stripping): not a ViT checkpoint`);
    if (t.shape.length !== rank || t.shape.some((d) => d < 1))
      fail(`'${k}' has shape [${t.shape.join(', ')}], expected ${what}`);
    return t.shape;
  };
  const [D, C, p, p2] = need('patch_embed.proj.weight', 4, '[D, C, p, p] with every size ≥ 1');
  if (p !== p2) fail(`'patch_embed.proj.weight' has non-square patches ${p}×${p2}`);
  const [one, T, D2] = need('pos_embed', 3, '[1, 1 + grid², D] with every size ≥ 1');
  const g = Math.round(Math.sqrt(T - 1));
  if (one !== 1 || D2 !== D || g < 1 || g * g !== T - 1)
    fail(`'pos_embed' has shape [${one}, ${T}, ${D2}], expected [1, 1 + g², ${D}] for a g×g grid`);
  let depth = 0;
  for (const k of w.keys()) {
    const m = /^blocks\.(\d+)\./.exec(k);
    if (m) depth = Math.max(depth, Number(m[1]) + 1);
  }
  if (depth === 0) fail(`no 'blocks.0.*' tensors: not a ViT checkpoint`);
  if (depth * 11 > w.size)
    fail(`'blocks.${depth - 1}.*' implies depth ${depth}, but the file has only ${w.size} tensors`);
  const [H, D3] = need('blocks.0.mlp.fc1.weight', 2, '[hidden, D]');
  if (D3 !== D) fail(`'blocks.0.mlp.fc1.weight' is [${H}, ${D3}], expected [hidden, ${D}]`);

  let heads: number;
  if (saved) {
    const a = archOf(saved);
    if (a.embedDim !== D || a.depth !== depth || saved.patchSize !== p)
      fail(
        `metadata 'config' (embed dim ${a.embedDim}, depth ${a.depth}, patch ${saved.patchSize}) ` +
          `does not match the tensors (embed dim ${D}, depth ${depth}, patch ${p})`,
      );
    heads = a.numHeads;
    if (numHeads !== undefined && numHeads !== heads)
      fail(`its config has ${heads} attention heads, not the ${numHeads} asked for`);
  } else if (numHeads !== undefined) {
    heads = numHeads;
  } else if (OFFICIAL_HEADS[D] !== undefined) {
    heads = OFFICIAL_HEADS[D];
  } else {
    return fail(
      `cannot tell the number of attention heads of a ${D}-dim ViT (no mini-dino config in ` +
        `the metadata, and ${D} is not an official DINO width 192/384/768): give --num-heads`,
    );
  }
  if (!(Number.isInteger(heads) && heads >= 1 && D % heads === 0))
    fail(`${heads} attention heads do not divide the embedding dimension ${D}`);
  return {
    imgSize: g * p,
    patchSize: p,
    inChans: C,
    embedDim: D,
    depth,
    numHeads: heads,
    mlpRatio: H / D,
    qkvBias: w.has('blocks.0.attn.qkv.bias'),
    dropPathRate: 0,
  };
}
