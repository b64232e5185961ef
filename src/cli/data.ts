// --data: the dataset a command trains or evaluates on (the embedded Fashion-MNIST subset, a
// folder of idx files, an image folder, or train/ + val/ image folders), with skipped files
// reported as warnings and the path checked with a usage error that names the flag.

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../data/dataset.js';
import type { DatasetSplits } from '../data/image-dataset.js';
import { loadTrainValFolders } from '../data/folder.js';
import { UsageError } from './args.js';

/**
 * The dataset of --data, with skipped files reported on stderr. A folder holding train/ and
 * val/ (or test/) image sub-folders gives both splits (the layout of the official eval scripts).
 */
export function loadData(
  path: string | undefined,
  log: (s: string) => void,
  maxPixels?: number,
): DatasetSplits {
  const warn = (msg: string) => log(`warning: ${msg}`);
  if (path) {
    if (!existsSync(path)) throw new UsageError(`--data: ${path}: no such file or directory`);
    if (!statSync(path).isDirectory())
      throw new UsageError(
        `--data: ${path}: expected a folder (of Fashion-MNIST idx files, or of images), got a file`,
      );
  }
  if (path && existsSync(path) && statSync(path).isDirectory()) {
    const trainDir = join(path, 'train');
    const testDir = ['val', 'test']
      .map((d) => join(path, d))
      .find((d) => existsSync(d) && statSync(d).isDirectory());
    if (existsSync(trainDir) && statSync(trainDir).isDirectory() && testDir)
      return loadTrainValFolders(trainDir, testDir, { warn, maxPixels });
  }
  return loadDataset(path, { warn, maxPixels });
}
