// `loadDataset(path?)`, the one entry point behind --data, and the dataset types it returns.
// Official counterpart: main_dino.py builds `datasets.ImageFolder(args.data_path, transform)`;
// here a path can also be a folder of the four Fashion-MNIST idx files (torchvision's
// datasets.FashionMNIST), and no path means the Fashion-MNIST subset shipped in the package.
// Images are uint8 HWC (Image in image.ts); labels are kept for evaluation only.

import { statSync } from 'node:fs';
import { loadEmbeddedFashionMnist } from './embedded.js';
import { loadImageFolder, type FolderOptions } from './folder.js';
import type { DatasetSplits } from './image-dataset.js';
import { findIdxFiles, loadIdxDirectory } from './idx.js';

export type { DatasetSplits, Image, ImageDataset } from './image-dataset.js';

/**
 * The dataset behind --data:
 * - no path: the embedded Fashion-MNIST subset (10 000 train + 10 000 test images, labelled);
 * - a folder with the four (Fashion-)MNIST idx files (plain or .gz): their train and test splits;
 * - any other folder: an image folder (one sub-folder per class, or flat and unlabelled), returned
 *   as `train` alone (no held-out split).
 * Errors name the path; skipped image files are reported through `opts.warn`.
 */
export function loadDataset(path?: string, opts: FolderOptions = {}): DatasetSplits {
  if (path === undefined || path === '') return loadEmbeddedFashionMnist();
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new Error(`${path}: no such file or directory`);
  }
  if (!isDir)
    throw new Error(`${path}: expected a directory (of idx files or of images), got a ` + `file`);
  if (findIdxFiles(path)) return loadIdxDirectory(path);
  return { train: loadImageFolder(path, opts) };
}
