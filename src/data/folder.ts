// A folder of PNG / JPEG images as a dataset: one sub-folder per class (labels, class names sorted
// as torchvision's ImageFolder does; files found recursively inside each class folder) or a flat
// folder of unlabelled images. Official counterpart: torchvision.datasets.ImageFolder, which
// main_dino.py uses (it needs at least one class folder, issue #93; a flat folder works here).
// Images of any size; 1 channel when every image is grey, else RGB (grey ones replicated, alpha
// dropped). A corrupt or unsupported file is reported by name through `warn` and skipped; a folder
// with no decodable image is an error naming the folder. Everything is decoded eagerly.
// Hostile folders: each real directory is read once (a symlink loop is one warning, not an
// explosion), pipes and devices are skipped unread (a pipe would block), images are bounded in
// size (MAX_IMAGE_PIXELS) and in total (half the machine's memory), and warnings stop after 20
// with a count. A train/ and val/ pair shares one class list (loadTrainValFolders).

import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { platform } from '../platform/index.js';
import { ImageDecodeError, decodeImage, greyToRgb, type Image } from './image.js';
import { ListImageDataset, type ImageDataset } from './image-dataset.js';

export interface FolderOptions {
  /** Receives one message per skipped file (default: console.warn). */
  warn?: (message: string) => void;
  /** Dataset name for logs (default: the folder path). */
  name?: string;
  /** The class list to label with (a val/ folder takes train/'s); a sub-folder not in it is an
   * error. Default: the sorted sub-folder names. */
  classes?: readonly string[];
  /** Largest image in pixels (default MAX_IMAGE_PIXELS, src/data/image.ts). */
  maxPixels?: number;
  /** Largest total of decoded bytes (default: half of the machine's memory). */
  maxTotalBytes?: number;
}

/** Warnings shown one by one; the rest are counted (a folder of 100 000 text files). */
const MAX_WARNINGS = 20;

type Entry = { path: string; isDir: boolean };

class Walker {
  private readonly seen = new Set<string>();
  private shown = 0;
  hidden = 0;
  constructor(private readonly sink: (m: string) => void) {}

  warn(message: string): void {
    if (this.shown < MAX_WARNINGS) {
      this.shown++;
      this.sink(message);
    } else this.hidden++;
  }

  /** The entries of `dir`, or null when this real directory was read already (a link loop). */
  entries(dir: string): Entry[] | null {
    const real = realpathSync(dir);
    if (this.seen.has(real)) {
      this.warn(`${dir}: skipped (the folder ${real} is already read; a link loop?)`);
      return null;
    }
    this.seen.add(real);
    const out: Entry[] = [];
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.')) continue; // .DS_Store, .git, editor files
      const path = join(dir, name);
      try {
        const st = statSync(path); // follows symlinks
        if (st.isDirectory() || st.isFile()) out.push({ path, isDir: st.isDirectory() });
        else this.warn(`${path}: skipped (not a regular file: a pipe, socket or device)`);
      } catch (e) {
        this.warn(
          `${path}: skipped (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        );
      }
    }
    return out;
  }

  filesBelow(dir: string): string[] {
    const out: string[] = [];
    const stack = [dir]; // iterative: a deep tree cannot overflow the stack
    while (stack.length > 0) {
      const d = stack.pop()!;
      const es = this.entries(d) ?? [];
      for (const e of es) if (!e.isDir) out.push(e.path);
      for (let i = es.length - 1; i >= 0; i--) if (es[i].isDir) stack.push(es[i].path);
    }
    return out;
  }
}

/** Reads and decodes one file; null (after a warning naming it) when it cannot be used. */
function readImage(path: string, walker: Walker, maxPixels?: number): Image | null {
  try {
    return decodeImage(readFileSync(path), path, { maxPixels });
  } catch (e) {
    if (e instanceof ImageDecodeError) walker.warn(`${e.message}; skipped`);
    else
      walker.warn(
        `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); ` +
          `skipped`,
      );
    return null;
  }
}

/** Loads every PNG / JPEG image of `dir` (see the file header for the layouts). */
export function loadImageFolder(dir: string, opts: FolderOptions = {}): ImageDataset {
  const walker = new Walker(opts.warn ?? ((m: string) => console.warn(`mini-dino: ${m}`)));
  const maxTotal = opts.maxTotalBytes ?? platform().totalMemory() / 2;
  let top: Entry[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error(`${dir}: not a directory`);
    top = walker.entries(dir) ?? [];
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
  let bytes = 0;
  const add = (path: string, label: number) => {
    const img = readImage(path, walker, opts.maxPixels);
    if (!img) {
      skipped++;
      return;
    }
    bytes += img.data.length;
    if (bytes > maxTotal)
      throw new Error(
        `${dir}: the decoded images take more than ${(maxTotal / 2 ** 30).toFixed(1)} GiB ` +
          `after ${images.length + 1} images (half of this machine's memory): use fewer or ` +
          `smaller images`,
      );
    images.push(img);
    labels.push(label);
  };

  let classes: readonly string[] | undefined;
  if (classDirs.length > 0) {
    const names = classDirs.map((e) => e.path.slice(dir.length).replace(/^[\\/]+/, ''));
    classes = opts.classes ?? names;
    const known = classes;
    const unknown = names.filter((n) => !known.includes(n));
    if (unknown.length > 0)
      throw new Error(
        `${dir}: class folder(s) ${unknown.map((n) => `'${n}'`).join(', ')} not among the ` +
          `${known.length} training classes (${known.slice(0, 6).join(', ')}` +
          `${known.length > 6 ? ', …' : ''})`,
      );
    for (const e of top)
      if (!e.isDir) walker.warn(`${e.path}: a file beside class folders is ignored; skipped`);
    classDirs.forEach((c, i) => {
      const before = images.length;
      for (const f of walker.filesBelow(c.path)) add(f, known.indexOf(names[i]));
      if (images.length === before) walker.warn(`${c.path}: class folder with no decodable image`);
    });
  } else {
    if (opts.classes)
      throw new Error(`${dir}: expected one sub-folder per class, as the training folder has`);
    for (const e of top) add(e.path, -1);
  }
  if (walker.hidden > 0) (opts.warn ?? console.warn)(`… and ${walker.hidden} more (not shown)`);

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

/** The same images as RGB (grey replicated, PIL convert('RGB')); RGB datasets as they are. */
export function toRgb(ds: ImageDataset): ImageDataset {
  if (ds.channels === 3) return ds;
  const images = Array.from({ length: ds.length }, (_, i) => greyToRgb(ds.image(i)));
  return new ListImageDataset(ds.name, images, 3, ds.labels, ds.classes);
}

/**
 * A train/ and a val/ folder as two splits labelled with one class list, train/'s (labels from
 * each folder's own list would silently mislabel a val/ that lacks a class). A val/ class that
 * train/ lacks is an error. When one split is grey and the other RGB, both become RGB.
 */
export function loadTrainValFolders(
  trainDir: string,
  valDir: string,
  opts: FolderOptions = {},
): { train: ImageDataset; test: ImageDataset } {
  const train = loadImageFolder(trainDir, { ...opts, classes: undefined });
  const test = loadImageFolder(valDir, { ...opts, classes: train.classes });
  if (!train.classes && test.classes)
    throw new Error(
      `${trainDir}: no class sub-folders, but ${valDir} has them (labels need one sub-folder ` +
        `per class in both)`,
    );
  if (train.channels === test.channels) return { train, test };
  (opts.warn ?? console.warn)(
    `${train.channels === 1 ? trainDir : valDir} is grey and ` +
      `${train.channels === 1 ? valDir : trainDir} is RGB: both are used as RGB`,
  );
  return { train: toRgb(train), test: toRgb(test) };
}
