// One decoded image (uint8, HWC) and the PNG / JPEG decoding of a file's bytes through the pngjs
// and jpeg-js packages (no hand-written codec). Official counterpart: torchvision's
// `default_loader` (PIL `Image.open(f).convert('RGB')`); here grayscale stays 1 channel so that
// Fashion-MNIST-like folders need no fake colour, and alpha is dropped like PIL's convert('RGB').
// The format is recognised by its magic bytes, not the file name. Every failure is an
// ImageDecodeError that names the file; corrupt input never crashes the process.

import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/**
 * A uint8 image in HWC layout: pixel (y, x) channel c is `data[(y * width + x) * channels + c]`
 * (for 1 channel simply `data[y * width + x]`). This is the layout of every dataset in src/data and
 * the input of the augmentation (src/dino/augment).
 */
export interface Image {
  data: Uint8Array;
  height: number;
  width: number;
  channels: 1 | 3;
}

/** A file that is not a decodable PNG or JPEG; the message starts with the file's name. */
export class ImageDecodeError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'ImageDecodeError';
  }
}

/**
 * Images above this many pixels (4096 × 4096, 64 MiB as decoded RGBA) are refused before
 * decoding by default: a PNG of a few kilobytes can declare 8192 × 8192 and cost gigabytes once
 * decoded. Pass `maxPixels` (the CLI's --max-image-pixels) to allow larger ones.
 */
export const MAX_IMAGE_PIXELS = 4096 * 4096;

export interface DecodeOptions {
  /** Refuse images with more pixels than this (default MAX_IMAGE_PIXELS). */
  maxPixels?: number;
}

export type ImageFormat = 'png' | 'jpeg';

/** Recognises PNG and JPEG by their signatures; null for anything else. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  if (
    bytes.length >= 8 &&
    bytes[0] === 0x89 &&
    bytes[1] === 0x50 &&
    bytes[2] === 0x4e &&
    bytes[3] === 0x47 &&
    bytes[4] === 0x0d &&
    bytes[5] === 0x0a &&
    bytes[6] === 0x1a &&
    bytes[7] === 0x0a
  )
    return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return 'jpeg';
  return null;
}

/**
 * Decodes PNG or JPEG bytes to 1 channel (when every pixel has R = G = B) or 3 channels (RGB;
 * alpha dropped). Throws ImageDecodeError naming `file` for anything it cannot decode.
 */
export function decodeImage(bytes: Uint8Array, file: string, opts: DecodeOptions = {}): Image {
  const maxPixels = opts.maxPixels ?? MAX_IMAGE_PIXELS;
  const format = sniffFormat(bytes);
  if (format === null)
    throw new ImageDecodeError(file, 'unsupported format (not a PNG or JPEG file)');
  let rgba: Uint8Array;
  let width: number;
  let height: number;
  let stride: 3 | 4;
  try {
    if (format === 'png') {
      // IHDR is the first chunk: width and height at bytes 16..23.
      if (bytes.length >= 24) {
        const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        checkSize(file, v.getUint32(16, false), v.getUint32(20, false), maxPixels);
      }
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      ({ width, height } = png);
      rgba = png.data;
      stride = 4;
    } else {
      const img = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: false,
        tolerantDecoding: false,
        maxResolutionInMP: maxPixels / 1e6,
        maxMemoryUsageInMB: Math.max(1024, Math.ceil((8 * maxPixels) / 2 ** 20)),
      });
      ({ width, height } = img);
      checkSize(file, width, height, maxPixels); // jpeg-js rounds its limit to megapixels
      rgba = img.data;
      stride = 3;
    }
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    if (/maxResolutionInMP|maxMemoryUsageInMB/.test(msg))
      throw new ImageDecodeError(
        file,
        `image too large (more than ${maxPixels} pixels, or too much memory to decode; ` +
          `raise the limit with --max-image-pixels)`,
      );
    throw new ImageDecodeError(file, `corrupt or unsupported ${format.toUpperCase()} (${msg})`);
  }
  if (!(width > 0 && height > 0) || rgba.length < width * height * stride) {
    throw new ImageDecodeError(
      file,
      `corrupt ${format.toUpperCase()}: decoded ${rgba.length} bytes for ` + `${width}x${height}`,
    );
  }
  return toChannels(rgba, width, height, stride);
}

function checkSize(file: string, width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new ImageDecodeError(
      file,
      `image too large (${width}x${height} = ${width * height} pixels; at most ${maxPixels}, ` +
        `raise it with --max-image-pixels)`,
    );
  }
}

/** Packs RGB(A) pixels as 1 channel when every pixel is grey, else as 3 channels. */
function toChannels(src: Uint8Array, width: number, height: number, stride: 3 | 4): Image {
  const n = width * height;
  let grey = true;
  for (let p = 0, o = 0; p < n; p++, o += stride) {
    if (src[o] !== src[o + 1] || src[o] !== src[o + 2]) {
      grey = false;
      break;
    }
  }
  if (grey) {
    const data = new Uint8Array(n);
    for (let p = 0, o = 0; p < n; p++, o += stride) data[p] = src[o];
    return { data, height, width, channels: 1 };
  }
  const data = new Uint8Array(n * 3);
  for (let p = 0, o = 0, q = 0; p < n; p++, o += stride, q += 3) {
    data[q] = src[o];
    data[q + 1] = src[o + 1];
    data[q + 2] = src[o + 2];
  }
  return { data, height, width, channels: 3 };
}

/** A 1-channel image replicated to 3 channels (PIL convert('RGB') of an 'L' image). */
export function greyToRgb(img: Image): Image {
  if (img.channels === 3) return img;
  const n = img.width * img.height;
  const data = new Uint8Array(n * 3);
  for (let p = 0, q = 0; p < n; p++, q += 3) {
    const v = img.data[p];
    data[q] = v;
    data[q + 1] = v;
    data[q + 2] = v;
  }
  return { data, height: img.height, width: img.width, channels: 3 };
}
