// MultiCropWrapper (official utils.MultiCropWrapper; paper §3.1): runs the backbone once per run of
// consecutive crops with the same resolution (2 global crops together, then the local crops
// together), concatenates the [CLS] features in crop order and applies the head once on all of
// them. Output rows are [crop0 batch; crop1 batch; …], which DINOLoss relies on.
// State-dict prefixes: backbone. and head.
//
// Shapes: V crops of [B, C, S, S]; D embed dim; K out dim.

import { concat } from '../autograd/index.js';
import { Module } from '../nn/module.js';
import type { VisionTransformer } from '../nn/vit.js';
import { fmtShape, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import type { DINOHead } from './head.js';

export class MultiCropWrapper extends Module {
  constructor(
    public backbone: VisionTransformer,
    public head: DINOHead,
  ) {
    super();
  }

  /** crops: V tensors [B, C, S_v, S_v] -> features [V·B, D] and logits [V·B, K]. */
  forward(crops: readonly Tensor[]): { features: Tensor; logits: Tensor } {
    if (crops.length === 0) throw new ShapeError('MultiCropWrapper: no crops given');
    const feats: Tensor[] = [];
    let start = 0;
    while (start < crops.length) {
      let end = start + 1;
      const width = crops[start].shape[crops[start].ndim - 1];
      while (end < crops.length && crops[end].shape[crops[end].ndim - 1] === width) end++;
      const group = crops.slice(start, end);
      for (const c of group) {
        if (c.ndim !== 4 || c.shape[0] !== crops[0].shape[0]) {
          throw new ShapeError(
            `MultiCropWrapper: crop ${crops.indexOf(c)} is ${fmtShape(c.shape)}; ` +
              `every crop must be [B, C, S, S] with the same B`,
          );
        }
      }
      feats.push(this.backbone.forward(concat(group, 0))); // [n·B, C, S, S] -> [n·B, D]
      start = end;
    }
    const features = concat(feats, 0); // [V·B, D]
    return { features, logits: this.head.forward(features) }; // [V·B, K]
  }
}
