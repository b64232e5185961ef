// Reader and writer for idx files, the format of MNIST and Fashion-MNIST (LeCun's description:
// http://yann.lecun.com/exdb/mnist/), plain or gzipped (detected by the gzip magic, not the name).
// The format itself, from uncompressed bytes, is idx-format.ts (no Node built-ins, for browsers).
// Also the folders of the four (Fashion-)MNIST files as train/test datasets (loadIdxDirectory).
// Official counterpart: torchvision.datasets.FashionMNIST (read_image_file / read_label_file).
// Every error names the file and says what is wrong (bad magic, truncated, wrong dimensions).

import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { FASHION_MNIST_CLASSES, PackedImageDataset, type DatasetSplits } from './image-dataset.js';
import {
  IDX_FILES,
  type IdxArray,
  type IdxImages,
  decodeIdx,
  idxImages,
  idxLabels,
  isGzip,
} from './idx-format.js';

export {
  IDX_FILES,
  type IdxArray,
  type IdxImages,
  decodeIdx,
  idxImages,
  idxLabels,
  isGzip,
} from './idx-format.js';

/**
 * The most an idx file may decompress to: 1 GiB, 20× the full Fashion-MNIST training images
 * (47 MB). A gzip stream can expand 1000-fold (200 KB to 200 MB), so without a bound a small
 * file could take all the memory.
 */
export const MAX_IDX_BYTES = 2 ** 30;

/** Parses idx bytes (gzipped or not); `name` (usually the path) is used in error messages. */
export function parseIdx(
  bytes: Uint8Array,
  name: string,
  opts: { maxBytes?: number } = {},
): IdxArray {
  const maxBytes = opts.maxBytes ?? MAX_IDX_BYTES;
  let raw = bytes;
  if (isGzip(bytes)) {
    try {
      raw = gunzipSync(bytes, { maxOutputLength: maxBytes });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        throw new Error(
          `${name}: decompresses to more than ${maxBytes} bytes, the limit for an idx file`,
          { cause: e },
        );
      throw new Error(`${name}: not a valid gzip file (${(e as Error).message})`, { cause: e });
    }
  }
  return decodeIdx(raw, name);
}

/** Reads an idx file from disk (gzipped or not). */
export function readIdx(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(
      `${path}: cannot read idx file ` +
        `(${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      { cause: e },
    );
  }
  return parseIdx(bytes, path);
}

/** Reads an idx3 image file: [count, height, width] uint8. */
export function readIdxImages(path: string): IdxImages {
  return idxImages(readIdx(path), path);
}

/** Reads an idx1 label file as Int32Array. */
export function readIdxLabels(path: string): Int32Array {
  return idxLabels(readIdx(path), path);
}

/** Encodes unsigned bytes as an idx file; gzipped (level 9, no timestamp) when `gzip` is true. */
export function encodeIdx(dims: readonly number[], data: Uint8Array, gzip = false): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new Error(
      `encodeIdx: dimensions [${dims.join(', ')}] need ${count} bytes, ` + `got ${data.length}`,
    );
  if (dims.length === 0 || dims.length > 255)
    throw new Error(`encodeIdx: ${dims.length} dimensions (1 to 255 allowed)`);
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = 0x08;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return gzip ? new Uint8Array(gzipSync(out, { level: 9 })) : out;
}

// ---------------------------------------------------------------------------------------------
// (Fashion-)MNIST folders: the four idx files as train and test splits.

/**
 * The paths of the four idx files in `dir` (plain or .gz), null when the folder holds none of
 * them; an error naming the missing ones when it holds only some.
 */
export function findIdxFiles(dir: string): Record<keyof typeof IDX_FILES, string> | null {
  const found: Partial<Record<keyof typeof IDX_FILES, string>> = {};
  const missing: string[] = [];
  for (const [key, base] of Object.entries(IDX_FILES) as [keyof typeof IDX_FILES, string][]) {
    const path = [join(dir, base + '.gz'), join(dir, base)].find((p) => existsSync(p));
    if (path) found[key] = path;
    else missing.push(base + '[.gz]');
  }
  if (missing.length === 4) return null;
  if (missing.length > 0)
    throw new Error(`${dir}: incomplete idx dataset, missing ${missing.join(', ')}`);
  return found as Record<keyof typeof IDX_FILES, string>;
}

function idxSplit(
  imagesPath: string,
  labelsPath: string,
  name: string,
  classes?: readonly string[],
): PackedImageDataset {
  const images = idxImages(readIdx(imagesPath), imagesPath);
  const labels = idxLabels(readIdx(labelsPath), labelsPath);
  if (labels.length !== images.count) {
    throw new Error(
      `${labelsPath}: ${labels.length} labels for ${images.count} images ` + `in ${imagesPath}`,
    );
  }
  let names = classes;
  if (!names) {
    const maxLabel = labels.reduce((m, l) => Math.max(m, l), 0);
    names =
      maxLabel < FASHION_MNIST_CLASSES.length
        ? FASHION_MNIST_CLASSES
        : Array.from({ length: maxLabel + 1 }, (_, i) => String(i));
  }
  return new PackedImageDataset(name, images.data, images.height, images.width, 1, labels, names);
}

/**
 * The train and test splits of a folder holding the four (Fashion-)MNIST idx files. Class names
 * default to Fashion-MNIST's (pass `classes` for MNIST digits or another idx data set).
 */
export function loadIdxDirectory(
  dir: string,
  opts: { name?: string; classes?: readonly string[] } = {},
): Required<DatasetSplits> {
  const files = findIdxFiles(dir);
  if (!files)
    throw new Error(
      `${dir}: no idx files (expected ${Object.values(IDX_FILES).join(', ')}, ` + `optionally .gz)`,
    );
  const name = opts.name ?? basename(dir);
  return {
    train: idxSplit(files.trainImages, files.trainLabels, `${name} train`, opts.classes),
    test: idxSplit(files.testImages, files.testLabels, `${name} test`, opts.classes),
  };
}
