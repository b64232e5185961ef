// The `data` namespace of mini-dino/browser: the uint8 dataset contract, idx decoding from
// bytes, dataset statistics, and the embedded Fashion-MNIST fetched from a URL (the Node
// namespace, src/data/index.ts, reads files, folders, PNG and JPEG instead).

export { fetchEmbeddedFashionMnist, type FetchBytes } from './embedded.js';
export {
  decodeIdx,
  idxImages,
  idxLabels,
  type IdxArray,
  type IdxImages,
} from '../data/idx-format.js';
export {
  FASHION_MNIST_CLASSES,
  ListImageDataset,
  PackedImageDataset,
  subsetDataset,
  type DatasetSplits,
  type ImageDataset,
} from '../data/image-dataset.js';
export type { Image } from '../data/image.js';
export { channelStats, normalizationOf, type ChannelStats } from '../data/stats.js';
