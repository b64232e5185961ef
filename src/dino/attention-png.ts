// PNG files of attention maps (attention-maps.ts), as the official visualize_attention.py writes
// them: a viridis heat map per head and of their mean, nearest-neighbour upsampled, and the
// image with the heads' t-mass patches in the heads' colours. Node only (pngjs, files).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Image } from '../data/image.js';
import { ShapeError } from '../tensor/shape.js';
import { type AttentionMaps, viridis } from './attention-maps.js';

/** Distinct head colours for the mask overlay (Tableau 10), cycled past 10 heads. */
export const HEAD_COLORS: readonly (readonly [number, number, number])[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

export interface AttentionPngOptions {
  /** The input as the model saw it (gridH·p × gridW·p): written as image.png and under the masks.
   * */
  image?: Image;
  /** Pixels per grid cell before `scale` (default: the maps' patch size). */
  patch?: number;
  /** Extra integer upsampling (default: the smallest that makes the files at least 224 px wide). */
  scale?: number;
}

/**
 * Writes attn-head{i}.png (i from 0, as the official script), attn-mean.png (viridis, each map
 * min–max scaled like plt.imsave), attn-mask.png (the heads' t-mass patches in the heads' colours
 * over the image, the rest dimmed; see maskPng) and image.png into `dir` (created). Returns the
 * paths written.
 */
export function writeAttentionPngs(
  dir: string,
  maps: AttentionMaps,
  opts: AttentionPngOptions = {},
): string[] {
  const patch = opts.patch ?? maps.patchSize;
  if (!Number.isInteger(patch) || patch < 1)
    throw new RangeError(`writeAttentionPngs: patch must be a positive integer, got ${patch}`);
  const W0 = maps.gridW * patch;
  const H0 = maps.gridH * patch;
  const scale = opts.scale ?? Math.max(1, Math.ceil(224 / W0));
  if (!Number.isInteger(scale) || scale < 1)
    throw new RangeError(`writeAttentionPngs: scale must be a positive integer, got ${scale}`);
  const img = opts.image;
  if (img && (img.height !== H0 || img.width !== W0)) {
    throw new ShapeError(
      `writeAttentionPngs: image is ${img.height}×${img.width} but the ` +
        `maps cover ${H0}×${W0} (grid ${maps.gridH}×${maps.gridW}, patch ` +
        `${patch})`,
    );
  }
  mkdirSync(dir, { recursive: true });
  const cell = patch * scale;
  const written: string[] = [];
  const save = (name: string, png: PNG) => {
    const path = join(dir, name);
    writeFileSync(path, PNG.sync.write(png));
    written.push(path);
  };
  const heat = (map: Float32Array) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of map) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const range = hi - lo;
    return gridPng(maps.gridH, maps.gridW, cell, (j) =>
      viridis(range > 0 ? (map[j] - lo) / range : 0),
    );
  };
  maps.heads.forEach((m, i) => save(`attn-head${i}.png`, heat(m)));
  save('attn-mean.png', heat(maps.mean));
  save('attn-mask.png', maskPng(maps, patch, scale, img));
  if (img)
    save(
      'image.png',
      imagePng(img, scale, () => null),
    );
  return written;
}

/** A PNG of gridH×gridW cells of cell×cell pixels, cell j coloured by color(j). */
function gridPng(
  gridH: number,
  gridW: number,
  cell: number,
  color: (j: number) => readonly number[],
): PNG {
  const png = new PNG({ width: gridW * cell, height: gridH * cell });
  const colors = Array.from({ length: gridH * gridW }, (_, j) => color(j));
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const c = colors[Math.floor(y / cell) * gridW + Math.floor(x / cell)];
      const o = (y * png.width + x) * 4;
      png.data[o] = c[0];
      png.data[o + 1] = c[1];
      png.data[o + 2] = c[2];
      png.data[o + 3] = 255;
    }
  }
  return png;
}

/** The image upsampled ×scale; tint(y, x, rgb) may return a replacement colour per source pixel. */
function imagePng(
  img: Image,
  scale: number,
  tint: (y: number, x: number, rgb: number[]) => readonly number[] | null,
): PNG {
  const png = new PNG({ width: img.width * scale, height: img.height * scale });
  const C = img.channels;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const o = (y * img.width + x) * C;
      const rgb =
        C === 3
          ? [img.data[o], img.data[o + 1], img.data[o + 2]]
          : [img.data[o], img.data[o], img.data[o]];
      const c = tint(y, x, rgb) ?? rgb;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const q = ((y * scale + dy) * png.width + x * scale + dx) * 4;
          png.data[q] = c[0];
          png.data[q + 1] = c[1];
          png.data[q + 2] = c[2];
          png.data[q + 3] = 255;
        }
      }
    }
  }
  return png;
}

/**
 * The t-mass masks over the image: a kept patch takes the colour of the head that attends to it
 * most (relative to that head's maximum) among the heads that keep it, blended with the image;
 * patches no head keeps are dimmed. (Averaging the colours of overlapping heads turns to mud.)
 */
function maskPng(maps: AttentionMaps, patch: number, scale: number, img: Image | undefined): PNG {
  const base: Image = img ?? {
    data: new Uint8Array(maps.gridH * patch * maps.gridW * patch).fill(128),
    height: maps.gridH * patch,
    width: maps.gridW * patch,
    channels: 1,
  };
  const peak = maps.heads.map((m) => m.reduce((a, v) => Math.max(a, v), 0) || 1);
  const owner = Int32Array.from({ length: maps.gridH * maps.gridW }, (_, j) => {
    let best = -1;
    maps.masks.forEach((m, i) => {
      if (m[j] && (best < 0 || maps.heads[i][j] / peak[i] > maps.heads[best][j] / peak[best]))
        best = i;
    });
    return best;
  });
  return imagePng(base, scale, (y, x, rgb) => {
    const i = owner[Math.floor(y / patch) * maps.gridW + Math.floor(x / patch)];
    if (i < 0) return rgb.map((v) => Math.round(v * 0.3));
    const c = HEAD_COLORS[i % HEAD_COLORS.length];
    return rgb.map((v, ch) => Math.round(0.5 * v + 0.5 * c[ch]));
  });
}
