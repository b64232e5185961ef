// Reader and writer for idx files, the format of MNIST and Fashion-MNIST (LeCun's description:
// http://yann.lecun.com/exdb/mnist/), plain or gzipped (detected by the gzip magic, not the name).
// Layout: 2 zero bytes, a type byte (0x08 = unsigned byte, the only type these data sets use), the
// number of dimensions, each dimension as a big-endian uint32, then the values in row-major order.
// Also the folders of the four (Fashion-)MNIST files as train/test datasets (loadIdxDirectory).
// Official counterpart: torchvision.datasets.FashionMNIST (read_image_file / read_label_file).
// Every error names the file and says what is wrong (bad magic, truncated, wrong dimensions).

import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { FASHION_MNIST_CLASSES, PackedImageDataset, type DatasetSplits } from './image-dataset.js';

/** The decoded contents of one idx file of unsigned bytes. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

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
  if (raw.length < 4)
    throw new Error(
      `${name}: truncated idx file (${raw.length} bytes, the header alone ` + `needs 4)`,
    );
  if (raw[0] !== 0 || raw[1] !== 0) {
    const hex = Array.from(raw.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`${name}: bad magic ${hex} (an idx file starts with 00 00 <type> <ndims>)`);
  }
  const type = raw[2];
  if (type !== 0x08) {
    const what = TYPE_NAMES[type] ?? 'unknown';
    throw new Error(
      `${name}: unsupported idx element type 0x${type.toString(16).padStart(2, '0')} ` +
        `(${what}); only unsigned bytes (0x08) are supported`,
    );
  }
  const ndims = raw[3];
  if (ndims === 0) throw new Error(`${name}: idx file declares 0 dimensions`);
  const headerLen = 4 + 4 * ndims;
  if (raw.length < headerLen)
    throw new Error(
      `${name}: truncated idx header (${raw.length} bytes, ${ndims} dimensions ` +
        `need ${headerLen})`,
    );
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const have = raw.length - headerLen;
  if (have < count) {
    throw new Error(
      `${name}: truncated idx file: dimensions [${dims.join(', ')}] need ` +
        `${count} bytes of data, the file has ${have}`,
    );
  }
  if (have > count) {
    throw new Error(
      `${name}: ${have - count} unexpected bytes after the data of dimensions ` +
        `[${dims.join(', ')}]`,
    );
  }
  // A plain Uint8Array view (not a Buffer), so that pixel loops downstream stay monomorphic.
  return { dims, data: new Uint8Array(raw.buffer, raw.byteOffset + headerLen, count) };
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

/** Images of an idx3 file: `data` is [count, height, width] uint8, row-major. */
export interface IdxImages {
  count: number;
  height: number;
  width: number;
  data: Uint8Array;
}

export function idxImages(arr: IdxArray, name: string): IdxImages {
  if (arr.dims.length !== 3) {
    throw new Error(
      `${name}: expected an image file with 3 dimensions [count, height, ` +
        `width], got [${arr.dims.join(', ')}]`,
    );
  }
  const [count, height, width] = arr.dims;
  if (height === 0 || width === 0) throw new Error(`${name}: images of size ${height}x${width}`);
  return { count, height, width, data: arr.data };
}

export function idxLabels(arr: IdxArray, name: string): Int32Array {
  if (arr.dims.length !== 1) {
    throw new Error(
      `${name}: expected a label file with 1 dimension [count], got [${arr.dims.join(', ')}]`,
    );
  }
  return Int32Array.from(arr.data);
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

/** The standard file names of (Fashion-)MNIST, without the optional .gz. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

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
