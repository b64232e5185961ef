// Reductions: sum, mean, max over one or several axes (negative, unsorted, all), with keepdim.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { max, mean, sum, tensor, type Tensor } from '../../src/index.js';
import {
  arr,
  assertGradcheck,
  assertTensor,
  check,
  naiveReduce,
  seedArb,
  shapeArb,
  t32,
  t64,
  U32,
} from './helpers.js';

/** A shape, and a selection of its axes (undefined = all), each maybe written negative. */
const reduceCase = shapeArb(0, 4, 4).chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    axes: fc.option(
      fc
        .shuffledSubarray(shape.map((_, i) => i))
        .chain((ax) =>
          fc
            .array(fc.boolean(), { minLength: ax.length, maxLength: ax.length })
            .map((neg) => ax.map((a, i) => (neg[i] ? a - shape.length : a))),
        ),
      { nil: undefined },
    ),
    keepdim: fc.boolean(),
    seed: seedArb,
  }),
);

/** Number of separate kernel passes: runs of adjacent reduced axes (each pass rounds in float32).
 * */
function runs(axes: number[] | undefined, ndim: number): number {
  const ax = (axes ?? Array.from({ length: ndim }, (_, i) => i))
    .map((a) => (a < 0 ? a + ndim : a))
    .sort((a, b) => a - b);
  return ax.filter((a, i) => i === 0 || ax[i - 1] !== a - 1).length;
}

const allAxes = (axes: number[] | undefined, ndim: number) =>
  axes ?? Array.from({ length: ndim }, (_, i) => i);

test('sum: forward vs naive, float32 vs float64, gradcheck', () => {
  check(
    reduceCase,
    ({ shape, axes, keepdim, seed }) => {
      const x = arr(shape, seed);
      const f = (t: Tensor) => sum(t, axes, keepdim);
      assertTensor(
        f(t64(x)),
        naiveReduce(x, allAxes(axes, shape.length), keepdim, 'sum'),
        { atol: 1e-14, rtol: 1e-14 },
        'sum',
      );
      // float32: each pass accumulates in float64 and rounds once, so after k passes the error is
      // at most k·u·Σ|x| over the reduced elements (the partial sums are bounded by Σ|x|)
      const abs = naiveReduce(x, allAxes(axes, shape.length), keepdim, 'abssum').data;
      const y32 = f(t32(x)).dataSync();
      const y64 = f(t64(x)).dataSync();
      const k = runs(axes, shape.length);
      y64.forEach((v, i) =>
        assert.ok(
          Math.abs(y32[i] - v) <= k * U32 * abs[i] * 1.0001,
          `sum f32 [${i}]: ${y32[i]} vs ${v}`,
        ),
      );
      if (x.data.length <= 48) assertGradcheck(f, [x], {}, 'sum');
    },
    60,
  );
});

test('mean: forward vs naive, float32 vs float64, gradcheck', () => {
  check(
    reduceCase,
    ({ shape, axes, keepdim, seed }) => {
      const x = arr(shape, seed);
      const f = (t: Tensor) => mean(t, axes, keepdim);
      assertTensor(
        f(t64(x)),
        naiveReduce(x, allAxes(axes, shape.length), keepdim, 'mean'),
        { atol: 1e-14, rtol: 1e-14 },
        'mean',
      );
      // float32: the sum's k·u·Σ|x| (scaled by 1/n), then one more rounding of the product
      const ax = allAxes(axes, shape.length);
      const n = ax.reduce((p, a) => p * shape[a < 0 ? a + shape.length : a], 1);
      const abs = naiveReduce(x, ax, keepdim, 'abssum').data;
      const y32 = f(t32(x)).dataSync();
      const y64 = f(t64(x)).dataSync();
      const k = runs(axes, shape.length);
      y64.forEach((v, i) =>
        assert.ok(
          Math.abs(y32[i] - v) <= ((k * U32 * abs[i]) / n + U32 * Math.abs(v)) * 1.0001,
          `mean f32 [${i}]: ${y32[i]} vs ${v}`,
        ),
      );
      if (x.data.length <= 48) assertGradcheck(f, [x], {}, 'mean');
    },
    60,
  );
});

test('max: forward vs naive, float32 exact, gradcheck', () => {
  check(
    reduceCase,
    ({ shape, axes, keepdim, seed }) => {
      const x = arr(shape, seed);
      const f = (t: Tensor) => max(t, axes, keepdim);
      assertTensor(
        f(t64(x)),
        naiveReduce(x, allAxes(axes, shape.length), keepdim, 'max'),
        { atol: 0, rtol: 0 },
        'max',
      );
      // a selection, no arithmetic: float32 is exact
      assert.equal(f(t32(x)).dataSync(), Float32Array.from(f(t64(x)).dataSync()));
      if (x.data.length <= 48) assertGradcheck(f, [x], {}, 'max');
    },
    60,
  );
});

test('max: tied maxima share the gradient equally (torch.amax); NaN propagates', () => {
  const x = tensor(
    [
      [3, 1, 3, 3],
      [0, 2, -1, 1],
    ],
    { dtype: 'float64', requiresGrad: true },
  );
  const y = max(x, 1);
  assert.equal([...y.dataSync()], [3, 2]);
  y.backward(tensor([6, 1], { dtype: 'float64' }));
  assert.equal(x.grad!.toArraySync(), [
    [2, 0, 2, 2],
    [0, 1, 0, 0],
  ]);
  assert.ok(Number.isNaN(max(tensor([1, NaN, 2])).itemSync()));
  assert.ok(Number.isNaN(max(tensor([NaN, 1, 2])).itemSync()));
});

test('reductions: empty axes, scalars, size-0 axes, methods', () => {
  const x = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.equal(sum(x, []).toArraySync(), x.toArraySync());
  assert.is(sum(tensor(5)).itemSync(), 5);
  assert.equal(sum(x).shape, []);
  assert.equal(x.sum(-1, true).toArraySync(), [[6], [15]]);
  assert.equal(x.mean([0, 1], true).toArraySync(), [[3.5]]);
  assert.equal(x.max(0).toArraySync(), [4, 5, 6]);
  const e = tensor(new Float32Array(0), { shape: [2, 0] });
  assert.equal(sum(e, 1).toArraySync(), [0, 0]);
  assert.throws(() => mean(e, 1), /mean: cannot average over an empty axis of \[2, 0\]/);
  assert.throws(() => max(e, 1), /max: cannot reduce over axis 1 of size 0 in \[2, 0\]/);
  assert.throws(() => sum(x, [1, -1]), /sum: axis 1 is repeated in \[1, -1\]/);
});

test('sum of many float32 values accumulates in float64', () => {
  // 1 + 1e-8·n in float32 loses the small terms if accumulated in float32
  const n = 100000;
  const data = new Float32Array(n + 1).fill(1e-8);
  data[0] = 1;
  const s = sum(tensor(data)).itemSync();
  // exact answer 1 + n·fround(1e-8) ≈ 1.001; a float32 accumulator would return 1
  assert.ok(Math.abs(s - (1 + n * Math.fround(1e-8))) <= 2 * 2 ** -24, `got ${s}`);
});

test.run();
