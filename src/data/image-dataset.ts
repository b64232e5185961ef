// The ImageDataset contract (uint8 images, HWC, optional labels) and its two implementations:
// PackedImageDataset (one size, one buffer: idx files) and ListImageDataset (any sizes: folders).
// Official counterpart: torchvision's Dataset protocol (__len__, __getitem__, .classes,
// .targets) as used by datasets.ImageFolder and datasets.FashionMNIST in main_dino.py and
// eval_knn.py. Labels are kept for evaluation only (k-NN, linear probe); DINO never sees them.

import type { Image } from './image.js';

export type { Image } from './image.js';

/** A finite, indexable set of uint8 images with optional labels. */
export interface ImageDataset {
  /** Shown in logs, e.g. "fashion-mnist (embedded) train". */
  readonly name: string;
  readonly length: number;
  /** 1 (grey) or 3 (RGB); every image of the dataset has this many channels. */
  readonly channels: 1 | 3;
  /** The size shared by every image, or null when sizes differ (then read image(i).height/width).
   * */
  readonly height: number | null;
  readonly width: number | null;
  /** Image i (0 ≤ i < length), uint8 HWC. May be a view into shared storage: do not modify it. */
  image(i: number): Image;
  /** Class index per image, when the source has labels. */
  readonly labels?: Int32Array;
  /** Class names, indexed by label. */
  readonly classes?: readonly string[];
}

/** The splits `loadDataset` returns; `test` exists for idx data (embedded or full Fashion-MNIST).
 * */
export interface DatasetSplits {
  train: ImageDataset;
  test?: ImageDataset;
}

/** The Fashion-MNIST class names, indexed by label (as torchvision.datasets.FashionMNIST.classes).
 * */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Images of one size stored back to back in one Uint8Array [N, H, W, C]; image(i) is a view. */
export class PackedImageDataset implements ImageDataset {
  readonly length: number;
  private readonly stride: number;

  constructor(
    readonly name: string,
    readonly data: Uint8Array,
    readonly height: number,
    readonly width: number,
    readonly channels: 1 | 3,
    readonly labels?: Int32Array,
    readonly classes?: readonly string[],
  ) {
    this.stride = height * width * channels;
    if (this.stride === 0 || data.length % this.stride !== 0) {
      throw new Error(
        `${name}: ${data.length} bytes is not a whole number of ${height}x${width}x${channels} ` +
          `images`,
      );
    }
    this.length = data.length / this.stride;
    if (labels && labels.length !== this.length) {
      throw new Error(`${name}: ${this.length} images but ${labels.length} labels`);
    }
  }

  image(i: number): Image {
    checkIndex(this, i);
    return {
      data: this.data.subarray(i * this.stride, (i + 1) * this.stride),
      height: this.height,
      width: this.width,
      channels: this.channels,
    };
  }
}

/** Images of any sizes held as a list (image folders). */
export class ListImageDataset implements ImageDataset {
  readonly length: number;
  readonly height: number | null;
  readonly width: number | null;

  constructor(
    readonly name: string,
    private readonly images: readonly Image[],
    readonly channels: 1 | 3,
    readonly labels?: Int32Array,
    readonly classes?: readonly string[],
  ) {
    this.length = images.length;
    for (const img of images) {
      if (img.channels !== channels)
        throw new Error(`${name}: an image has ${img.channels} channels, the dataset ${channels}`);
    }
    const h = images[0]?.height ?? null;
    const w = images[0]?.width ?? null;
    const same = images.every((img) => img.height === h && img.width === w);
    this.height = same ? h : null;
    this.width = same ? w : null;
    if (labels && labels.length !== this.length)
      throw new Error(`${name}: ${this.length} images but ${labels.length} labels`);
  }

  image(i: number): Image {
    checkIndex(this, i);
    return this.images[i];
  }
}

function checkIndex(ds: ImageDataset, i: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= ds.length) {
    throw new RangeError(`${ds.name}: image index ${i} out of range [0, ${ds.length})`);
  }
}

/** The images at `indices` (labels and classes carried over), without copying pixels. */
export function subsetDataset(
  ds: ImageDataset,
  indices: ArrayLike<number>,
  name = `${ds.name} (subset of ${indices.length})`,
): ImageDataset {
  const images = Array.from(indices as ArrayLike<number>, (i) => ds.image(i));
  const labels = ds.labels
    ? Int32Array.from(indices as ArrayLike<number>, (i) => ds.labels![i])
    : undefined;
  return new ListImageDataset(name, images, ds.channels, labels, ds.classes);
}
