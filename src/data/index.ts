// The data layer: uint8 image datasets (embedded Fashion-MNIST, idx files, image folders), the
// PNG/JPEG decoding behind them and dataset statistics. Explicit named exports, no side effects.
// Official counterparts: torchvision.datasets.ImageFolder / FashionMNIST as used by main_dino.py
// and eval_knn.py. See src/data/dataset.ts for `loadDataset`, the entry point behind --data.

export { loadDataset } from './dataset.js';
export {
  EMBEDDED_TRAIN_PER_CLASS,
  FASHION_MNIST_STATS,
  embeddedDataDir,
  loadEmbeddedFashionMnist,
} from './embedded.js';
export { loadImageFolder, loadTrainValFolders, toRgb, type FolderOptions } from './folder.js';
export {
  IDX_FILES,
  MAX_IDX_BYTES,
  decodeIdx,
  encodeIdx,
  findIdxFiles,
  idxImages,
  idxLabels,
  isGzip,
  loadIdxDirectory,
  parseIdx,
  readIdx,
  readIdxImages,
  readIdxLabels,
  type IdxArray,
  type IdxImages,
} from './idx.js';
export {
  ImageDecodeError,
  type DecodeOptions,
  MAX_IMAGE_PIXELS,
  decodeImage,
  greyToRgb,
  sniffFormat,
  type Image,
  type ImageFormat,
} from './image.js';
export {
  FASHION_MNIST_CLASSES,
  ListImageDataset,
  PackedImageDataset,
  subsetDataset,
  type DatasetSplits,
  type ImageDataset,
} from './image-dataset.js';
export { channelStats, MIN_STD, normalizationOf, type ChannelStats } from './stats.js';
