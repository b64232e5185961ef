// The embedded Fashion-MNIST in a browser: the same four gzipped idx files that
// src/data/embedded.ts reads on Node (data/fashion-mnist/ in the package), fetched from the URL
// where the page serves them, gunzipped with the standard DecompressionStream and decoded by
// src/data/idx-format.ts. Same names, images and labels as loadEmbeddedFashionMnist() (a test
// compares them). Official counterpart: torchvision.datasets.FashionMNIST.

import {
  FASHION_MNIST_CLASSES,
  PackedImageDataset,
  type DatasetSplits,
} from '../data/image-dataset.js';
import { IDX_FILES, decodeIdx, idxImages, idxLabels, isGzip } from '../data/idx-format.js';

/** What fetchEmbeddedFashionMnist needs of `fetch` (tests pass one that reads files). */
export type FetchBytes = (url: string) => Promise<{
  ok: boolean;
  status: number;
  statusText: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

/** Gunzips with the platform's DecompressionStream (browsers, Web Workers, Node ≥ 18). */
async function gunzip(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new Error(`${name}: not a valid gzip file (${(e as Error).message})`, { cause: e });
  }
}

async function fetchIdx(url: string, fetchBytes: FetchBytes) {
  const res = await fetchBytes(url);
  if (!res.ok)
    throw new Error(
      `${url}: HTTP ${res.status} ${res.statusText} (serve the package's data/fashion-mnist/ ` +
        `folder there)`,
    );
  const bytes = new Uint8Array(await res.arrayBuffer());
  return decodeIdx(isGzip(bytes) ? await gunzip(bytes, url) : bytes, url);
}

/** One split: an images file and a labels file (names without .gz) under `baseUrl`. */
async function fetchSplit(
  imagesFile: string,
  labelsFile: string,
  name: string,
  baseUrl: string | URL,
  fetchBytes: FetchBytes,
): Promise<PackedImageDataset> {
  const imagesUrl = new URL(`${imagesFile}.gz`, baseUrl).href;
  const labelsUrl = new URL(`${labelsFile}.gz`, baseUrl).href;
  const [imagesIdx, labelsIdx] = await Promise.all([
    fetchIdx(imagesUrl, fetchBytes),
    fetchIdx(labelsUrl, fetchBytes),
  ]);
  const images = idxImages(imagesIdx, imagesUrl);
  const labels = idxLabels(labelsIdx, labelsUrl);
  if (labels.length !== images.count)
    throw new Error(`${labelsUrl}: ${labels.length} labels for ${images.count} images`);
  const { data, height, width } = images;
  return new PackedImageDataset(name, data, height, width, 1, labels, FASHION_MNIST_CLASSES);
}

/**
 * The embedded Fashion-MNIST from `baseUrl`, the URL of the folder holding the four .gz files
 * (e.g. new URL('data/', location.href)): `train` 10 000 images (1 000 per class), `test` the
 * official 10 000 test images; 1 channel, 28x28, with the Fashion-MNIST class names.
 */
export async function fetchEmbeddedFashionMnist(
  baseUrl: string | URL,
  fetchBytes: FetchBytes = (url) => fetch(url),
): Promise<Required<DatasetSplits>> {
  const name = 'fashion-mnist (embedded)';
  const f = IDX_FILES;
  const [train, test] = await Promise.all([
    fetchSplit(f.trainImages, f.trainLabels, `${name} train`, baseUrl, fetchBytes),
    fetchSplit(f.testImages, f.testLabels, `${name} test`, baseUrl, fetchBytes),
  ]);
  return { train, test };
}
