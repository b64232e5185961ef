// Dataset containers and statistics: PackedImageDataset views and checks, subsetDataset,
// ListImageDataset with mixed sizes, and channelStats per channel against a hand-computed example
// (src/data/image-dataset.ts, src/data/stats.ts; torchvision Dataset / Normalize statistics).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ListImageDataset,
  PackedImageDataset,
  subsetDataset,
} from '../../src/data/image-dataset.js';
import { channelStats } from '../../src/data/stats.js';

test('PackedImageDataset: image(i) is an HWC view; sizes and labels are checked', () => {
  const data = Uint8Array.from({ length: 2 * 2 * 3 * 3 }, (_, i) => i);
  const ds = new PackedImageDataset('toy', data, 2, 3, 3, Int32Array.of(4, 7), ['a']);
  assert.is(ds.length, 2);
  const im = ds.image(1);
  assert.equal([im.height, im.width, im.channels], [2, 3, 3]);
  assert.equal(Array.from(im.data.subarray(0, 3)), [18, 19, 20]);
  assert.is(im.data.buffer, data.buffer, 'a view, no copy');
  assert.throws(() => ds.image(2), /toy: image index 2 out of range \[0, 2\)/);
  assert.throws(
    () => new PackedImageDataset('bad', new Uint8Array(10), 2, 2, 1),
    /bad: 10 bytes is not a whole number of 2x2x1 images/,
  );
  assert.throws(
    () => new PackedImageDataset('lab', new Uint8Array(8), 2, 2, 1, Int32Array.of(1)),
    /lab: 2 images but 1 labels/,
  );
});

test('subsetDataset keeps the chosen images, labels and class names', () => {
  const data = Uint8Array.from({ length: 5 * 4 }, (_, i) => i);
  const ds = new PackedImageDataset('five', data, 2, 2, 1, Int32Array.of(0, 1, 2, 3, 4), [
    'a',
    'b',
    'c',
    'd',
    'e',
  ]);
  const sub = subsetDataset(ds, [4, 1]);
  assert.is(sub.length, 2);
  assert.equal(Array.from(sub.labels!), [4, 1]);
  assert.equal(Array.from(sub.image(0).data), [16, 17, 18, 19]);
  assert.equal(sub.classes, ds.classes);
  assert.equal([sub.height, sub.width], [2, 2]);
});

test('ListImageDataset: mixed sizes give null height/width; channel mismatch is an error', () => {
  const a = { data: new Uint8Array(4), height: 2, width: 2, channels: 1 as const };
  const b = { data: new Uint8Array(6), height: 2, width: 3, channels: 1 as const };
  const ds = new ListImageDataset('mixed', [a, b], 1);
  assert.equal([ds.height, ds.width], [null, null]);
  assert.throws(
    () => new ListImageDataset('m', [a], 3),
    /m: an image has 1 channels, the dataset 3/,
  );
});

test('channelStats: per-channel mean and population std on the [0, 1] scale', () => {
  // Channel 0: values 0 and 255 -> mean 0.5, std 0.5; channel 1: constant 51 -> 0.2, 0; channel 2:
  // 0, 0, 0, 255 -> 0.25, √(0.25·0.75).
  const data = Uint8Array.from([0, 51, 0, 255, 51, 0, 0, 51, 0, 255, 51, 255]);
  const ds = new PackedImageDataset('rgb', data, 2, 2, 3);
  const { mean, std } = channelStats(ds);
  const close = (x: number, y: number) => assert.ok(Math.abs(x - y) < 1e-12, `${x} vs ${y}`);
  [0.5, 0.2, 0.25].forEach((m, c) => close(mean[c], m));
  [0.5, 0, Math.sqrt(0.25 * 0.75)].forEach((s, c) => close(std[c], s));
});

test.run();
