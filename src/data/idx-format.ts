// The idx format from bytes, the format of MNIST and Fashion-MNIST (LeCun's description:
// http://yann.lecun.com/exdb/mnist/). Layout: 2 zero bytes, a type byte (0x08 = unsigned byte, the
// only type these data sets use), the number of dimensions, each dimension as a big-endian uint32,
// then the values in row-major order. No file system and no zlib, so browsers use it as it is
// (they gunzip with DecompressionStream); idx.ts adds gzip, files and folders on Node.
// Official counterpart: torchvision.datasets.FashionMNIST (read_image_file / read_label_file).
// Every error names the file and says what is wrong (bad magic, truncated, wrong dimensions).

/** The standard file names of (Fashion-)MNIST, without the optional .gz. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

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

/** Whether the bytes start with the gzip magic (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decodes uncompressed idx bytes; `name` (usually the path) is used in error messages. */
export function decodeIdx(raw: Uint8Array, name: string): IdxArray {
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
