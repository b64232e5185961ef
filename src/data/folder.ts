// A folder of PNG / JPEG images as a dataset: one sub-folder per class (labels, class names sorted
// as torchvision's ImageFolder does; files found recursively inside each class folder) or a flat
// folder of unlabelled images. Official counterpart: torchvision.datasets.ImageFolder, which
// main_dino.py uses (it needs at least one class folder, issue #93; a flat folder works here).
// Images of any size; 1 channel when every image is grey, else RGB (grey ones replicated, alpha
// dropped). A corrupt or unsupported file is reported by name through `warn` and skipped; a folder
// with no decodable image is an error naming the folder. Everything is decoded eagerly.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ImageDecodeError, decodeImage, greyToRgb, type Image } from './image.js';
import { ListImageDataset, type ImageDataset } from './image-dataset.js';

export interface FolderOptions {
  /** Receives one message per skipped file (default: console.warn). */
  warn?: (message: string) => void;
  /** Dataset name for logs (default: the folder path). */
  name?: string;
}

type Entry = { path: string; isDir: boolean };

function entries(dir: string, warn: (m: string) => void): Entry[] {
  const out: Entry[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue; // .DS_Store, .git, editor files
    const path = join(dir, name);
    try {
      out.push({ path, isDir: statSync(path).isDirectory() }); // follows symlinks
    } catch (e) {
      warn(`${path}: skipped (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  return out;
}

function filesBelow(dir: string, warn: (m: string) => void): string[] {
  return entries(dir, warn).flatMap((e) => (e.isDir ? filesBelow(e.path, warn) : [e.path]));
}

/** Reads and decodes one file; null (after a warning naming it) when it cannot be used. */
function readImage(path: string, warn: (m: string) => void): Image | null {
  try {
    return decodeImage(readFileSync(path), path);
  } catch (e) {
    if (e instanceof ImageDecodeError) warn(`${e.message}; skipped`);
    else
      warn(
        `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); ` +
          `skipped`,
      );
    return null;
  }
}

/** Loads every PNG / JPEG image of `dir` (see the file header for the layouts). */
export function loadImageFolder(dir: string, opts: FolderOptions = {}): ImageDataset {
  const warn = opts.warn ?? ((m: string) => console.warn(`mini-dino: ${m}`));
  let top: Entry[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error(`${dir}: not a directory`);
    top = entries(dir, warn);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code)
      throw new Error(`${dir}: cannot read image folder (${(e as NodeJS.ErrnoException).code})`, {
        cause: e,
      });
    throw e;
  }
  const classDirs = top.filter((e) => e.isDir);
  const images: Image[] = [];
  const labels: number[] = [];
  let skipped = 0;
  const add = (path: string, label: number) => {
    const img = readImage(path, warn);
    if (img) {
      images.push(img);
      labels.push(label);
    } else {
      skipped++;
    }
  };

  let classes: string[] | undefined;
  if (classDirs.length > 0) {
    classes = classDirs.map((e) => e.path.slice(dir.length).replace(/^[\\/]+/, ''));
    for (const e of top)
      if (!e.isDir) warn(`${e.path}: a file beside class folders is ignored; skipped`);
    classDirs.forEach((c, label) => {
      const before = images.length;
      for (const f of filesBelow(c.path, warn)) add(f, label);
      if (images.length === before) warn(`${c.path}: class folder with no decodable image`);
    });
  } else {
    for (const e of top) add(e.path, -1);
  }

  if (images.length === 0) {
    const what =
      skipped > 0
        ? `none of its ${skipped} file(s) is a decodable PNG or JPEG image`
        : 'it is empty';
    throw new Error(
      `${dir}: no images to load (${what}; expected PNG/JPEG files, flat ` +
        `or in one sub-folder per class)`,
    );
  }
  const rgb = images.some((img) => img.channels === 3);
  const final = rgb ? images.map(greyToRgb) : images;
  return new ListImageDataset(
    opts.name ?? dir,
    final,
    rgb ? 3 : 1,
    classes ? Int32Array.from(labels) : undefined,
    classes,
  );
}
