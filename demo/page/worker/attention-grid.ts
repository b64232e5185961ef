// The attention picture of the page: for a few test images, the last layer's [CLS] attention of
// every head over the image (official visualize_attention.py: the [CLS] query's attention to
// the patches, nearest-neighbour upsampled; Caron et al. 2021, Fig. 1 and section 4.2.1).
// Rendered here, in the Worker, to one RGBA buffer that the page only paints: a column per image,
// row 0 the image, row 1 + h head h, each map min–max scaled and blended with viridis over it.

import { dino, type nn } from '../../../src/browser/index.js';
import { viridis } from '../../../src/dino/attention-maps.js';
import type { Image, ImageDataset } from '../../../src/data/image-dataset.js';
import type { AttentionGrid } from '../protocol.js';

/** Side of one tile in pixels (28 px Fashion-MNIST images are shown ×3). */
export const TILE = 84;

/** Indices of the first test image of each class (one column per class), in class order. */
export function oneImagePerClass(ds: ImageDataset): number[] {
  const first = new Map<number, number>();
  for (let i = 0; i < ds.length && ds.labels; i++)
    if (!first.has(ds.labels[i])) first.set(ds.labels[i], i);
  return [...first.entries()].sort((a, b) => a[0] - b[0]).map(([, i]) => i);
}

/** The grid for `model` on the images `indices` of `ds` (prepared as the model expects). */
export async function attentionGrid(
  model: nn.VisionTransformer,
  ds: ImageDataset,
  indices: number[],
  norm: { mean: readonly number[]; std: readonly number[] },
  title: string,
): Promise<AttentionGrid> {
  const c = model.config;
  const heads = c.numHeads;
  const width = indices.length * TILE;
  const height = (1 + heads) * TILE;
  const rgba = new Uint8ClampedArray(width * height * 4);
  const prepared = { size: c.imgSize, channels: c.inChans as 1 | 3, ...norm };
  const backend = model.parameters()[0].backend;
  for (let col = 0; col < indices.length; col++) {
    const { input, image } = dino.prepareImage(ds.image(indices[col]), prepared, { backend });
    let maps: dino.AttentionMaps;
    try {
      maps = await dino.attentionMaps(model, input);
    } finally {
      input.dispose();
    }
    paintTile(rgba, width, col, 0, image, null, maps);
    maps.heads.forEach((m, h) => paintTile(rgba, width, col, 1 + h, image, m, maps));
  }
  const labels = indices.map((i) => ds.classes?.[ds.labels?.[i] ?? -1] ?? `#${i}`);
  return { title, rgba: rgba.buffer, width, height, tile: TILE, heads, labels };
}

/** One tile: the image (grey or RGB), with `map` (a grid of patch values) blended over it. */
function paintTile(
  out: Uint8ClampedArray,
  width: number,
  col: number,
  row: number,
  img: Image,
  map: Float32Array | null,
  grid: { gridH: number; gridW: number },
): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of map ?? []) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const range = hi - lo;
  for (let y = 0; y < TILE; y++) {
    const sy = Math.floor((y * img.height) / TILE);
    const gy = Math.floor((y * grid.gridH) / TILE);
    for (let x = 0; x < TILE; x++) {
      const sx = Math.floor((x * img.width) / TILE);
      const p = (sy * img.width + sx) * img.channels;
      const rgb =
        img.channels === 3
          ? [img.data[p], img.data[p + 1], img.data[p + 2]]
          : [img.data[p], img.data[p], img.data[p]];
      const o = ((row * TILE + y) * width + col * TILE + x) * 4;
      if (map) {
        const v = map[gy * grid.gridW + Math.floor((x * grid.gridW) / TILE)];
        const heat = viridis(range > 0 ? (v - lo) / range : 0);
        for (let ch = 0; ch < 3; ch++) out[o + ch] = 0.35 * rgb[ch] + 0.65 * heat[ch];
      } else {
        for (let ch = 0; ch < 3; ch++) out[o + ch] = rgb[ch];
      }
      out[o + 3] = 255;
    }
  }
}
