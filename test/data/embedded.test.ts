// The embedded Fashion-MNIST (data/fashion-mnist, made by tools/make-embedded-data.ts): class
// balanced with the expected counts and shapes, found relative to the module, the default of
// loadDataset(), and its stated pixel statistics (FASHION_MNIST_STATS).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadDataset } from '../../src/data/dataset.js';
import {
  EMBEDDED_TRAIN_PER_CLASS,
  FASHION_MNIST_STATS,
  embeddedDataDir,
  loadEmbeddedFashionMnist,
} from '../../src/data/embedded.js';
import { FASHION_MNIST_CLASSES } from '../../src/data/image-dataset.js';
import { channelStats } from '../../src/data/stats.js';

const { train, test: testSet } = loadEmbeddedFashionMnist();

function perClass(labels: Int32Array): number[] {
  const counts = new Array(10).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

test('the data folder is found relative to the module (the repo data/ here)', () => {
  const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
  assert.is(embeddedDataDir(), join(root, 'data', 'fashion-mnist'));
  assert.ok(existsSync(join(embeddedDataDir(), 'README.md')));
});

test(
  'train: 10 000 images of 28x28x1, 1 000 per class; test: the full ' + '10 000, 1 000 per class',
  () => {
    assert.equal([train.length, train.height, train.width, train.channels], [10000, 28, 28, 1]);
    assert.equal(perClass(train.labels!), new Array(10).fill(EMBEDDED_TRAIN_PER_CLASS));
    assert.equal(
      [testSet.length, testSet.height, testSet.width, testSet.channels],
      [10000, 28, 28, 1],
    );
    assert.equal(perClass(testSet.labels!), new Array(10).fill(1000));
    assert.equal(train.classes, FASHION_MNIST_CLASSES);
    assert.is(train.classes![0], 'T-shirt/top');
    const img = train.image(9999);
    assert.equal([img.height, img.width, img.channels, img.data.length], [28, 28, 1, 784]);
    assert.ok(
      img.data.some((v) => v > 0),
      'a real image is not all black',
    );
    assert.throws(() => train.image(10000), /out of range/);
  },
);

test('images differ (a real subset, not repeated images)', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) seen.add(Buffer.from(train.image(i).data).toString('base64'));
  assert.is(seen.size, 200);
});

test('loadDataset() without a path is the embedded set', () => {
  const d = loadDataset();
  assert.is(d.train.length, 10000);
  assert.is(d.test?.length, 10000);
  assert.is(d.train.name, train.name);
});

test('FASHION_MNIST_STATS are the statistics of the embedded train set', () => {
  const s = channelStats(train);
  assert.ok(Math.abs(s.mean[0] - FASHION_MNIST_STATS.mean[0]) < 5e-5, `mean ${s.mean[0]}`);
  assert.ok(Math.abs(s.std[0] - FASHION_MNIST_STATS.std[0]) < 5e-5, `std ${s.std[0]}`);
});

test.run();
