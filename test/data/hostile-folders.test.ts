// Image folders built to hurt: a symlink loop (118 000 warnings and 2.6 GB before), a named pipe
// (a read that never returns), train/ and val/ with different class folders (silently
// mislabelled), grey train/ with RGB val/, a small PNG that decodes to more pixels than allowed,
// thousands of junk files (one warning each), uniform images (std 0), and a decoded total beyond
// the memory allowed. Each gives a result or a one-line error naming the path.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadImageFolder, loadTrainValFolders } from '../../src/data/folder.js';
import { decodeImage, MAX_IMAGE_PIXELS } from '../../src/data/image.js';
import { ListImageDataset } from '../../src/data/image-dataset.js';
import { MIN_STD, normalizationOf } from '../../src/data/stats.js';
import { DataAugmentationDINO } from '../../src/dino/augment/index.js';
import { defaultConfig } from '../../src/dino/config.js';
import { augmentOptionsFor } from '../../src/dino/augment/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'mini-dino-hostile-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

function png(w: number, h: number, rgb = false, v = 100): Buffer {
  const p = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++)
    p.data.set([v + (i % 7), rgb ? 30 : v + (i % 7), v + (i % 7), 255], 4 * i);
  return PNG.sync.write(p, { colorType: rgb ? 2 : 0 });
}

function tree(files: Record<string, Buffer | string>): string {
  const dir = mkdtempSync(join(tmp, 't-'));
  for (const [name, bytes] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  return dir;
}

function collect(): { warn: (m: string) => void; messages: string[] } {
  const messages: string[] = [];
  return { warn: (m) => messages.push(m), messages };
}

test('symlink loops: each real folder is read once, one warning per loop', () => {
  const dir = tree({ 'a/x.png': png(3, 3), 'b/y.png': png(3, 3) });
  symlinkSync(join(dir, 'a'), join(dir, 'a', 'loop')); // a/loop -> a
  symlinkSync(dir, join(dir, 'b', 'up')); // b/up -> the root
  const w = collect();
  const ds = loadImageFolder(dir, w);
  assert.is(ds.length, 2);
  assert.equal(Array.from(ds.labels!), [0, 1]);
  assert.equal(w.messages, [
    `${join(dir, 'a', 'loop')}: skipped (the folder ${join(dir, 'a')} is already read; a link loop?)`,
    `${join(dir, 'b', 'up')}: skipped (the folder ${dir} is already read; a link loop?)`,
  ]);
});

test('a named pipe is skipped unread (reading it would block forever)', () => {
  const dir = tree({ 'x.png': png(2, 2) });
  execFileSync('mkfifo', [join(dir, 'pipe.png')]);
  const w = collect();
  assert.is(loadImageFolder(dir, w).length, 1);
  assert.equal(w.messages, [
    `${join(dir, 'pipe.png')}: skipped (not a regular file: a pipe, socket or device)`,
  ]);
});

test('train/ and val/ share train/s class list; a val class unknown to train is an error', () => {
  // val lacks 'bag': with its own list, 'coat' would be label 0, which is train's 'bag'
  const dir = tree({
    'train/bag/1.png': png(2, 2),
    'train/coat/1.png': png(2, 2),
    'train/shoe/1.png': png(2, 2),
    'val/coat/1.png': png(2, 2),
    'val/shoe/1.png': png(2, 2),
  });
  const { train, test: val } = loadTrainValFolders(join(dir, 'train'), join(dir, 'val'), collect());
  assert.equal(train.classes, ['bag', 'coat', 'shoe']);
  assert.equal(val.classes, ['bag', 'coat', 'shoe']);
  assert.equal(Array.from(val.labels!), [1, 2]);
  // a flat (unlabelled) train/ cannot label a val/ with class folders (found by the folder fuzz)
  const flat = tree({ 'train/1.png': png(2, 2), 'val/a/1.png': png(2, 2) });
  assert.throws(
    () => loadTrainValFolders(join(flat, 'train'), join(flat, 'val'), collect()),
    (e: Error) =>
      e.message ===
      `${join(flat, 'train')}: no class sub-folders, but ${join(flat, 'val')} has them (labels ` +
        `need one sub-folder per class in both)`,
  );
  mkdirSync(join(dir, 'val', 'hat'));
  writeFileSync(join(dir, 'val', 'hat', '1.png'), png(2, 2));
  assert.throws(
    () => loadTrainValFolders(join(dir, 'train'), join(dir, 'val'), collect()),
    (e: Error) =>
      e.message ===
      `${join(dir, 'val')}: class folder(s) 'hat' not among the 3 training classes (bag, coat, shoe)`,
  );
});

test('grey train/ and RGB val/: both used as RGB, with a warning', () => {
  const dir = tree({ 'train/a/1.png': png(2, 2), 'val/a/1.png': png(2, 2, true) });
  const w = collect();
  const { train, test: val } = loadTrainValFolders(join(dir, 'train'), join(dir, 'val'), w);
  assert.equal([train.channels, val.channels], [3, 3]);
  assert.equal(Array.from(train.image(0).data.subarray(0, 3)), [100, 100, 100]);
  assert.equal(w.messages, [
    `${join(dir, 'train')} is grey and ${join(dir, 'val')} is RGB: both are used as RGB`,
  ]);
});

test('a small PNG that decodes to 4097×4097 is refused before decoding; the limit can be raised', () => {
  // a real, valid grey PNG: 4097 rows of zeros deflate to ~16 KB but decode to 16.8 M pixels
  const W = 4097;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(W, 0);
  ihdr.writeUInt32BE(W, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grey
  const chunk = (type: string, data: Buffer) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    data.copy(out, 8);
    return out; // CRC left 0: the size check comes first
  };
  const bytes = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc((W + 1) * W))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  assert.ok(bytes.length < 100_000, `${bytes.length} bytes`);
  assert.is(MAX_IMAGE_PIXELS, 4096 * 4096);
  // (its chunk CRCs are 0: that the size is what fails shows it is checked before decoding)
  assert.throws(
    () => decodeImage(bytes, 'bomb.png'),
    (e: Error) =>
      e.message ===
      `bomb.png: image too large (4097x4097 = 16785409 pixels; at most 16777216, raise it with ` +
        `--max-image-pixels)`,
  );
  const small = png(10, 10);
  assert.throws(() => decodeImage(small, 's.png', { maxPixels: 99 }), /at most 99,/);
  assert.is(decodeImage(small, 's.png', { maxPixels: 100 }).width, 10);
});

test('thousands of junk files: 20 warnings, then a count', () => {
  const dir = tree({});
  writeFileSync(join(dir, 'ok.png'), png(2, 2));
  for (let i = 0; i < 2000; i++) writeFileSync(join(dir, `junk${i}.txt`), 'x');
  const w = collect();
  assert.is(loadImageFolder(dir, w).length, 1);
  assert.is(w.messages.length, 21);
  assert.is(w.messages[20], '… and 1980 more (not shown)');
});

test('uniform images: std 0 is raised to 1/255 with a warning, and the augmentation accepts it', () => {
  const img = { data: new Uint8Array(16).fill(7), height: 4, width: 4, channels: 1 as const };
  const ds = new ListImageDataset('uniform', [img, img], 1);
  const w = collect();
  const norm = normalizationOf(ds, w.warn);
  assert.equal(norm.std, [MIN_STD]);
  assert.equal(w.messages, [
    'uniform: channel 0 is (nearly) uniform (std 0.00e+0); normalising with std 1/255 instead',
  ]);
  new DataAugmentationDINO(augmentOptionsFor(defaultConfig(), norm), 1); // threw: std 0
});

test('the decoded total is bounded', () => {
  const dir = tree({ '1.png': png(8, 8), '2.png': png(8, 8), '3.png': png(8, 8) });
  assert.throws(
    () => loadImageFolder(dir, { ...collect(), maxTotalBytes: 150 }),
    (e: Error) =>
      e.message.startsWith(`${dir}: the decoded images take more than`) &&
      /after 3 images/.test(e.message),
  );
});

test.run();
