// idx files: round trips (plain and gzipped), clear errors naming the file for bad magic,
// unsupported types, truncation, trailing bytes, wrong dimensions and bad gzip, and folders of
// the four (Fashion-)MNIST files through loadDataset.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadDataset } from '../../src/data/dataset.js';
import {
  encodeIdx,
  findIdxFiles,
  idxImages,
  idxLabels,
  loadIdxDirectory,
  parseIdx,
  readIdxImages,
  readIdxLabels,
} from '../../src/data/idx.js';

const tmp = mkdtempSync(join(tmpdir(), 'mini-dino-idx-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

function throwsWith(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  try {
    fn();
  } catch (e) {
    const msg = (e as Error).message;
    for (const p of parts)
      assert.ok(
        typeof p === 'string' ? msg.includes(p) : p.test(msg),
        `"${msg}" should match ${p}`,
      );
    return;
  }
  assert.unreachable('expected an error');
}

test('encodeIdx / parseIdx round trip, plain and gzipped (fast-check)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
      fc.boolean(),
      fc.integer(),
      (dims, gz, seed) => {
        const n = dims.reduce((a, b) => a * b, 1);
        const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);
        const arr = parseIdx(encodeIdx(dims, data, gz), 'x.idx');
        assert.equal(arr.dims, dims);
        assert.equal(Array.from(arr.data), Array.from(data));
      },
    ),
    { numRuns: 100 },
  );
});

test('readIdxImages / readIdxLabels from files', () => {
  const images = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => i);
  writeFileSync(join(tmp, 'img.gz'), encodeIdx([3, 4, 5], images, true));
  writeFileSync(join(tmp, 'lab'), encodeIdx([3], Uint8Array.of(2, 0, 9)));
  const im = readIdxImages(join(tmp, 'img.gz'));
  assert.equal([im.count, im.height, im.width], [3, 4, 5]);
  assert.equal(im.data[59], 59);
  assert.equal(Array.from(readIdxLabels(join(tmp, 'lab'))), [2, 0, 9]);
  throwsWith(() => readIdxImages(join(tmp, 'missing.gz')), 'missing.gz', 'ENOENT');
});

test('bad magic, unsupported type, zero dims: errors name the file', () => {
  throwsWith(
    () => parseIdx(Uint8Array.of(1, 2, 8, 1, 0, 0, 0, 0), 'f.idx'),
    'f.idx',
    'bad magic 01 02 08 01',
  );
  throwsWith(
    () => parseIdx(Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0), 'g.idx'),
    'g.idx',
    'unsupported',
    '0x0d',
    'float32',
  );
  throwsWith(() => parseIdx(Uint8Array.of(0, 0, 8, 0), 'h.idx'), 'h.idx', '0 dimensions');
  throwsWith(() => parseIdx(new Uint8Array(0), 'empty.idx'), 'empty.idx', 'truncated');
});

test('truncation anywhere is a clear error naming the file (fast-check)', () => {
  const full = encodeIdx([4, 3, 3], new Uint8Array(36).fill(7));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: full.length - 1 }), fc.boolean(), (cut, gz) => {
      const bytes = full.subarray(0, cut);
      const input = gz ? encodeGz(bytes) : bytes;
      throwsWith(() => parseIdx(input, 'cut.idx'), 'cut.idx', 'truncated');
    }),
    { numRuns: 100 },
  );
  // A cut gzip stream (not a cut idx inside a whole stream) is reported as bad gzip.
  const gz = encodeIdx([4, 3, 3], new Uint8Array(36), true);
  throwsWith(() => parseIdx(gz.subarray(0, gz.length - 6), 'cut.gz'), 'cut.gz', 'gzip');
});

/** gzip of arbitrary (possibly invalid) idx bytes. */
function encodeGz(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(bytes));
}

test('trailing bytes and wrong dimensions are errors', () => {
  const ok = encodeIdx([2], Uint8Array.of(1, 2));
  const extra = new Uint8Array(ok.length + 3);
  extra.set(ok);
  throwsWith(() => parseIdx(extra, 'extra.idx'), 'extra.idx', '3 unexpected bytes');
  const labels = parseIdx(ok, 'labels.idx');
  throwsWith(
    () => idxImages(labels, 'labels.idx'),
    'labels.idx',
    'expected an image file with 3 dimensions',
    '[2]',
  );
  const images = parseIdx(encodeIdx([1, 2, 2], new Uint8Array(4)), 'images.idx');
  throwsWith(
    () => idxLabels(images, 'images.idx'),
    'images.idx',
    'expected a label file with 1 dimension',
    '[1, 2, 2]',
  );
});

test(
  'random corruption of an idx file: parsed or a clear error, never ' + 'a crash (fast-check)',
  () => {
    const good = encodeIdx(
      [3, 2, 2],
      Uint8Array.from({ length: 12 }, (_, i) => i),
      true,
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const bytes = good.slice();
          for (const [pos, v] of edits) bytes[pos % bytes.length] = v;
          try {
            const arr = parseIdx(bytes, 'fuzz.idx');
            assert.ok(arr.data.length === arr.dims.reduce((a, b) => a * b, 1));
          } catch (e) {
            assert.instance(e, Error);
            assert.ok((e as Error).message.startsWith('fuzz.idx: '), (e as Error).message);
          }
        },
      ),
      { numRuns: 200 },
    );
  },
);

function writeIdxFolder(dir: string, nTrain: number, nTest: number, gz: boolean): void {
  const sfx = gz ? '.gz' : '';
  const img = (n: number) =>
    encodeIdx(
      [n, 4, 3],
      Uint8Array.from({ length: n * 12 }, (_, i) => i & 255),
      gz,
    );
  const lab = (n: number) =>
    encodeIdx(
      [n],
      Uint8Array.from({ length: n }, (_, i) => i % 10),
      gz,
    );
  writeFileSync(join(dir, 'train-images-idx3-ubyte' + sfx), img(nTrain));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte' + sfx), lab(nTrain));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte' + sfx), img(nTest));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte' + sfx), lab(nTest));
}

test('loadDataset on a folder of the four idx files gives train and test splits', () => {
  for (const gz of [true, false]) {
    const dir = mkdtempSync(join(tmp, 'fm-'));
    writeIdxFolder(dir, 12, 5, gz);
    const { train, test: testSplit } = loadDataset(dir);
    assert.equal([train.length, train.height, train.width, train.channels], [12, 4, 3, 1]);
    assert.equal(testSplit?.length, 5);
    assert.equal(Array.from(train.labels!.subarray(0, 11)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0]);
    assert.equal(train.classes?.[9], 'Ankle boot');
    const im = train.image(1);
    assert.equal([im.height, im.width, im.channels, im.data.length, im.data[0]], [4, 3, 1, 12, 12]);
  }
});

test('incomplete idx folder and mismatched counts are errors naming the files', () => {
  const dir = mkdtempSync(join(tmp, 'part-'));
  writeFileSync(
    join(dir, 'train-images-idx3-ubyte.gz'),
    encodeIdx([1, 2, 2], new Uint8Array(4), true),
  );
  throwsWith(
    () => findIdxFiles(dir),
    dir,
    'missing',
    'train-labels-idx1-ubyte',
    't10k-images-idx3-ubyte',
  );
  const dir2 = mkdtempSync(join(tmp, 'mis-'));
  writeIdxFolder(dir2, 4, 4, true);
  writeFileSync(join(dir2, 'train-labels-idx1-ubyte.gz'), encodeIdx([3], new Uint8Array(3), true));
  throwsWith(() => loadIdxDirectory(dir2), 'train-labels-idx1-ubyte.gz', '3 labels for 4 images');
  assert.is(findIdxFiles(tmp), null);
});

test('loadDataset: missing path and plain file are errors naming the path', () => {
  throwsWith(() => loadDataset(join(tmp, 'nope')), join(tmp, 'nope'), 'no such file');
  writeFileSync(join(tmp, 'afile'), 'x');
  throwsWith(() => loadDataset(join(tmp, 'afile')), 'afile', 'expected a directory');
});

test.run();
