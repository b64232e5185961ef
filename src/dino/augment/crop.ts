// RandomResizedCrop's box sampling, as torchvision's RandomResizedCrop.get_params: up to 10
// attempts of area = U(scale)·H·W and a log-uniform aspect ratio r, w = round(√(area·r)),
// h = round(√(area/r)) (Python's round: half to even), accepted when the box fits, then a
// uniformly random position; otherwise the central crop with the ratio clamped to the range.
// Official counterpart: torchvision.transforms.RandomResizedCrop (used by main_dino.py
// DataAugmentationDINO with interpolation BICUBIC); the resize itself is in resize.ts.

import type { Generator } from '../../tensor/random.js';

/** A crop box in pixels: rows [top, top + height), columns [left, left + width). */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** Python 3's round(): to the nearest integer, ties to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Samples a RandomResizedCrop box of an H x W image (writes into `out` to avoid allocation). */
export function randomResizedCropBox(
  H: number,
  W: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
  gen: Generator,
  out: CropBox = { top: 0, left: 0, height: 0, width: 0 },
): CropBox {
  const area = H * W;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * gen.uniformRange(scale[0], scale[1]);
    const aspect = Math.exp(gen.uniformRange(logLo, logHi));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= W && h > 0 && h <= H) {
      out.top = gen.int(H - h + 1);
      out.left = gen.int(W - w + 1);
      out.height = h;
      out.width = w;
      return out;
    }
  }
  // Fallback: central crop.
  const inRatio = W / H;
  let w: number;
  let h: number;
  if (inRatio < ratio[0]) {
    w = W;
    // ≥ 1 pixel (torchvision could return 0 for extreme ratios)
    h = Math.max(1, roundHalfEven(w / ratio[0]));
  } else if (inRatio > ratio[1]) {
    h = H;
    w = Math.max(1, roundHalfEven(h * ratio[1]));
  } else {
    w = W;
    h = H;
  }
  out.top = Math.floor((H - h) / 2);
  out.left = Math.floor((W - w) / 2);
  out.height = h;
  out.width = w;
  return out;
}
