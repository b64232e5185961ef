// The backbone a config names: the named ViTs with the dimensions of the official
// vision_transformer.py (vit_tiny, vit_small, vit_base: depth 12, patch size from the config),
// or the custom embed_dim / depth / num_heads fields of config.ts.

import type { DinoConfig } from './config.js';

/** Resolved architecture numbers for a config (named ViTs override the custom fields). */
export function archOf(c: DinoConfig): { embedDim: number; depth: number; numHeads: number } {
  switch (c.arch) {
    case 'vit_tiny':
      return { embedDim: 192, depth: 12, numHeads: 3 };
    case 'vit_small':
      return { embedDim: 384, depth: 12, numHeads: 6 };
    case 'vit_base':
      return { embedDim: 768, depth: 12, numHeads: 12 };
    default:
      return { embedDim: c.embedDim, depth: c.depth, numHeads: c.numHeads };
  }
}
