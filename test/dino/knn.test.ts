// Weighted k-NN (eval_knn.py): a hand-computed example, top-k selection against a full sort,
// and top-5 semantics.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { knnClassify, normalizeRows, topK } from '../../src/dino/knn.js';

const set = (rows: number[][], labels: number[]) => ({
  features: normalizeRows(Float32Array.from(rows.flat()), rows.length, rows[0].length),
  labels: Int32Array.from(labels),
  n: rows.length,
  dim: rows[0].length,
});

test(
  'hand-computed example: weights exp(s/T) decide between a near and ' + 'two farther neighbours',
  () => {
    // bank: class 0 at angle 0°, class 1 at 40° and 50°; query at 20°
    const deg = (a: number) => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)];
    const train = set([deg(0), deg(40), deg(50)], [0, 1, 1]);
    const test1 = set([deg(20)], [0]);
    // k = 1: the nearest is 0° (s = cos 20° > cos 20°? tie with 40°): use 15° to break the tie
    const q = set([deg(15)], [0]);
    const r1 = knnClassify(train, q, { ks: [1], temperature: 0.07, numClasses: 2 });
    assert.is(r1.top1['1'], 1);
    // k = 3 at 20°: class 0 weight exp(cos20/T); class 1 exp(cos20/T) + exp(cos30/T) → class 1 wins
    const r3 = knnClassify(train, test1, { ks: [3], temperature: 0.07, numClasses: 2 });
    const w0 = Math.exp(Math.cos((20 * Math.PI) / 180) / 0.07);
    const w1 =
      Math.exp(Math.cos((20 * Math.PI) / 180) / 0.07) +
      Math.exp(Math.cos((30 * Math.PI) / 180) / 0.07);
    assert.ok(w1 > w0);
    assert.is(r3.top1['3'], 0); // the query's label is 0, the vote says 1
    assert.is(r3.top5['3'], 1); // 2 classes: the label is always in the top 5
    // with a very high temperature the vote is a plain count: still class 1 (2 votes against 1)
    const rHot = knnClassify(train, test1, { ks: [3], temperature: 1e6, numClasses: 2 });
    assert.is(rHot.top1['3'], 0);
  },
);

test('weighted and unweighted votes differ: two near neighbours outvote three far ones', () => {
  // query at 0°: class 1 at 0° twice (s = 1), class 0 three times at 60° (s = 0.5). A plain
  // count says class 0 (3 against 2); exp(s/0.07) weights say class 1 (2e^14.3 against 3e^7.1).
  const deg = (a: number) => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)];
  const train = set([deg(60), deg(0), deg(60), deg(0), deg(-60)], [0, 1, 0, 1, 0]);
  const q = set([deg(0)], [1]);
  assert.is(knnClassify(train, q, { ks: [5], temperature: 0.07, numClasses: 2 }).top1['5'], 1);
  assert.is(knnClassify(train, q, { ks: [5], temperature: 1e6, numClasses: 2 }).top1['5'], 0);
});

test('a query with NaN features counts as wrong; labels outside the classes are errors', () => {
  const train = set(
    [
      [1, 0],
      [0, 1],
    ],
    [0, 1],
  );
  const q = set(
    [
      [1, 0],
      [0, 1],
    ],
    [0, 0],
  );
  q.features[2] = NaN; // the second query (label 0) has NaN similarities
  const r = knnClassify(train, q, { ks: [1, 2], numClasses: 2 });
  assert.equal(r.top1, { 1: 0.5, 2: 0.5 });
  assert.equal(r.top5, { 1: 0.5, 2: 0.5 });
  assert.is(r.nonFinite, 1);
  // a val class unknown to train (label 2 of 2 classes) used to vote into nothing
  assert.throws(
    () => knnClassify(train, set([[1, 0]], [2]), { numClasses: 2 }),
    /^knn: the test set has label 2, outside the 2 classes \[0, 2\)$/,
  );
  assert.throws(
    () => knnClassify(set([[1, 0]], [-1]), q, { numClasses: 2 }),
    /memory bank has label -1, outside the 2 classes \[0, 2\) \(unlabelled images/,
  );
});

test('topK returns the k largest in descending order (against a full sort)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), {
        minLength: 1,
        maxLength: 300,
      }),
      fc.integer({ min: 1, max: 50 }),
      (xs, k) => {
        const idx = new Int32Array(k);
        const val = new Float64Array(k);
        const n = topK(xs, 0, xs.length, k, idx, val);
        const sorted = [...xs].sort((a, b) => b - a).slice(0, k);
        assert.is(n, Math.min(k, xs.length));
        assert.equal(Array.from(val.subarray(0, n)), sorted);
        for (let j = 0; j < n; j++) assert.is(xs[idx[j]], val[j]);
      },
    ),
    { numRuns: 200 },
  );
});

test('k larger than the bank uses every neighbour', () => {
  const train = set(
    [
      [1, 0],
      [0, 1],
    ],
    [0, 1],
  );
  const q = set([[1, 0.1]], [0]);
  const r = knnClassify(train, q, { ks: [10], numClasses: 2 });
  assert.is(r.top1['10'], 1);
});

test('clear errors', () => {
  const a = set([[1, 0]], [0]);
  const b = set([[1, 0, 0]], [0]);
  assert.throws(() => knnClassify(a, b), /train features have 2 dims but test features 3/);
  assert.throws(() => knnClassify(a, a, { ks: [0] }), /positive integer/);
});

test.run();
