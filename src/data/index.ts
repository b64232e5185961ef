// mini-dino/data: uint8 image datasets (the embedded Fashion-MNIST subset, idx files, folders of
// PNG/JPEG images), the decoding behind them and the normalisation statistics. Official
// counterparts: torchvision.datasets.ImageFolder / FashionMNIST as main_dino.py and eval_knn.py
// use them. `loadDataset` (src/data/dataset.ts) is the entry point behind --data. Every public
// name is listed here (pinned by test/repo/public-api.test.ts); mini-dino/browser's `data`
// decodes bytes and fetches the embedded subset instead of reading files.

export { loadDataset } from './dataset.js';
export { FASHION_MNIST_STATS, loadEmbeddedFashionMnist } from './embedded.js';
export { loadImageFolder, loadTrainValFolders, type FolderOptions } from './folder.js';
export { decodeIdx, idxImages, idxLabels, type IdxArray, type IdxImages } from './idx-format.js';
export { loadIdxDirectory, readIdxImages, readIdxLabels } from './idx.js';
export { ImageDecodeError, decodeImage, type Image } from './image.js';
export {
  FASHION_MNIST_CLASSES,
  ListImageDataset,
  PackedImageDataset,
  subsetDataset,
  type DatasetSplits,
  type ImageDataset,
} from './image-dataset.js';
export { channelStats, normalizationOf, type ChannelStats } from './stats.js';
