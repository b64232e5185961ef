// Regenerates the embedded Fashion-MNIST in data/fashion-mnist/ from Debian's
// dataset-fashion-mnist (/usr/share/datasets/fashion-mnist, the four gzipped idx files of Zalando
// Research's release, MIT licence):
//   train: 1 000 images per class (10 000) chosen with Generator(SEED) (src/tensor/random.ts),
//          kept in their original order, written as gzipped idx (Node zlib, level 9);
//   test:  the official 10 000-image test set, its two .gz files copied unchanged.
// Usage: npx tsx tools/make-embedded-data.ts [--source DIR] [--check]
// --check regenerate in memory and compare with the files in data/fashion-mnist (exit 1 if not
// identical).

import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { encodeIdx, readIdxImages, readIdxLabels } from '../src/data/idx.js';
import { Generator } from '../src/tensor/random.js';

const SEED = 0;
const PER_CLASS = 1000;
const CLASSES = 10;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'data', 'fashion-mnist');
const args = process.argv.slice(2);
const check = args.includes('--check');
const sourceArg = args.indexOf('--source');
const source = sourceArg >= 0 ? args[sourceArg + 1] : '/usr/share/datasets/fashion-mnist';

/** Indices of PER_CLASS images per class: walk a seeded permutation, keep each class's first
 * PER_CLASS, sort. */
function balancedSubset(labels: Int32Array, perClass: number, seed: number): Int32Array {
  const order = new Generator(seed).permutation(labels.length);
  const counts = new Int32Array(CLASSES);
  const picked: number[] = [];
  for (const i of order) {
    const c = labels[i];
    if (counts[c] < perClass) {
      counts[c]++;
      picked.push(i);
      if (picked.length === perClass * CLASSES) break;
    }
  }
  if (picked.length !== perClass * CLASSES)
    throw new Error(
      `source has fewer than ${perClass} images of some class: ${Array.from(counts).join(', ')}`,
    );
  return Int32Array.from(picked.sort((a, b) => a - b));
}

function main(): void {
  const src = (name: string) => {
    const p = join(source, name);
    if (!existsSync(p))
      throw new Error(
        `${p} not found (install Debian's dataset-fashion-mnist, or pass --source DIR)`,
      );
    return p;
  };
  const images = readIdxImages(src('train-images-idx3-ubyte.gz'));
  const labels = readIdxLabels(src('train-labels-idx1-ubyte.gz'));
  // Validate the test files before copying them.
  const testImages = readIdxImages(src('t10k-images-idx3-ubyte.gz'));
  const testLabels = readIdxLabels(src('t10k-labels-idx1-ubyte.gz'));
  if (testImages.count !== testLabels.length)
    throw new Error('test images and labels differ in count');

  const idx = balancedSubset(labels, PER_CLASS, SEED);
  const px = images.height * images.width;
  const subImages = new Uint8Array(idx.length * px);
  const subLabels = new Uint8Array(idx.length);
  idx.forEach((i, k) => {
    subImages.set(images.data.subarray(i * px, (i + 1) * px), k * px);
    subLabels[k] = labels[i];
  });
  const files: Record<string, Uint8Array> = {
    'train-images-idx3-ubyte.gz': encodeIdx(
      [idx.length, images.height, images.width],
      subImages,
      true,
    ),
    'train-labels-idx1-ubyte.gz': encodeIdx([idx.length], subLabels, true),
    't10k-images-idx3-ubyte.gz': readFileSync(src('t10k-images-idx3-ubyte.gz')),
    't10k-labels-idx1-ubyte.gz': readFileSync(src('t10k-labels-idx1-ubyte.gz')),
  };

  if (check) {
    let ok = true;
    for (const [name, bytes] of Object.entries(files)) {
      const p = join(outDir, name);
      const have = existsSync(p) ? readFileSync(p) : null;
      const same = have !== null && Buffer.compare(have, bytes) === 0;
      const sameContent =
        have !== null && Buffer.compare(gunzipSync(have), gunzipSync(bytes)) === 0;
      console.log(
        `${same ? 'identical' : sameContent ? 'same content, other gzip bytes' : 'DIFFERENT'} ` +
          ` ${name}`,
      );
      ok &&= sameContent;
    }
    process.exit(ok ? 0 : 1);
  }
  mkdirSync(outDir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) {
    if (name.startsWith('t10k')) copyFileSync(src(name), join(outDir, name));
    else writeFileSync(join(outDir, name), bytes);
    console.log(`wrote ${join('data', 'fashion-mnist', name)} (${bytes.length} bytes)`);
  }
  const counts = new Int32Array(CLASSES);
  for (const l of subLabels) counts[l]++;
  console.log(
    `train subset: ${idx.length} images, per class ${Array.from(counts).join(' ')}; ` +
      `test: ${testImages.count} images`,
  );
}

main();
