// Creating tensors and reading them back: nested arrays, typed arrays, constants, ranges,
// random draws; shapes and broadcasting helpers (src/tensor/shape.ts).
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  arange,
  broadcastShapes,
  cpu,
  full,
  ones,
  onesLike,
  rand,
  tensor,
  uniform,
  zeros,
  zerosLike,
  type NestedArray,
} from '../../src/index.js';
import { fmtShape, normAxes, normAxis, sizeOf, stridesOf } from '../../src/tensor/shape.js';
import {
  check,
  naiveBroadcastShape,
  prod,
  ravel,
  seedArb,
  seededData,
  shapeArb,
  unravel,
} from '../autograd/helpers.js';

/** Nested arrays of `shape` holding 0, 1, 2, … in row-major order. */
function nested(shape: readonly number[], offset = 0): NestedArray {
  if (shape.length === 0) return offset;
  const inner = prod(shape.slice(1));
  return Array.from({ length: shape[0] }, (_, i) => nested(shape.slice(1), offset + i * inner));
}

test('from nested arrays: shape inference, row-major order, round trip through toArray', () => {
  check(
    shapeArb(0, 4, 4),
    (shape) => {
      const data = nested(shape);
      const t = tensor(data as never);
      assert.equal([...t.shape], shape);
      assert.is(t.dtype, 'float32');
      assert.equal(
        [...t.dataSync()],
        Array.from({ length: prod(shape) }, (_, i) => i),
      );
      assert.equal(t.toArraySync(), data);
      assert.equal(tensor(data as never, { dtype: 'float64' }).dtype, 'float64');
    },
    40,
  );
  assert.equal(tensor([]).shape, [0]);
  assert.equal(tensor([[], []]).shape, [2, 0]);
  assert.equal(tensor([[], []]).toArraySync(), [[], []]);
  assert.equal(tensor(3.5).shape, []);
  assert.is(tensor(3.5).itemSync(), 3.5);
  assert.equal(tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3] }).toArraySync(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
});

test('from typed arrays: copied, dtype from the array unless given, shape checked', async () => {
  const src = new Float64Array([0.1, 0.2, 0.3, 0.4]);
  const t = tensor(src, { shape: [2, 2] });
  assert.is(t.dtype, 'float64');
  src[0] = 99;
  assert.is(t.dataSync()[0], 0.1, 'the tensor must not alias the caller array');
  const f = tensor(src, { dtype: 'float32' });
  assert.equal(f.dataSync(), Float32Array.from(src));
  assert.equal(tensor(new Float32Array([1, 2])).dtype, 'float32');
  // reading back returns copies too
  const d = t.dataSync();
  d[1] = -1;
  assert.is(t.dataSync()[1], 0.2);
  assert.equal([...(await t.data())], [0.1, 0.2, 0.3, 0.4]);
  assert.is(await tensor([[7]]).item(), 7);
  assert.equal(await t.toArray(), [
    [0.1, 0.2],
    [0.3, 0.4],
  ]);
});

test('constants and ranges', () => {
  assert.equal(zeros([2, 3]).toArraySync(), [
    [0, 0, 0],
    [0, 0, 0],
  ]);
  assert.equal(ones([2]).toArraySync(), [1, 1]);
  assert.equal(full([2], -2.5, { dtype: 'float64' }).toArraySync(), [-2.5, -2.5]);
  assert.equal(full([], 4).shape, []);
  assert.equal(zeros([0, 4]).shape, [0, 4]);
  const x = full([3], 1, { dtype: 'float64', requiresGrad: true });
  assert.ok(x.requiresGrad);
  const zl = zerosLike(x);
  assert.equal([zl.dtype, zl.backend, zl.requiresGrad], ['float64', cpu, false]);
  assert.equal(onesLike(x).toArraySync(), [1, 1, 1]);
  assert.equal(arange(4).toArraySync(), [0, 1, 2, 3]);
  assert.equal(arange(2, 5).toArraySync(), [2, 3, 4]);
  assert.equal(arange(5, 0, -2).toArraySync(), [5, 3, 1]);
  assert.equal(arange(0, 1, 0.25, { dtype: 'float64' }).toArraySync(), [0, 0.25, 0.5, 0.75]);
  assert.equal(arange(3, 3).shape, [0]);
  assert.equal(arange(0, 0.3, 0.1, { dtype: 'float64' }).size, 3);
});

test('rand and uniform stay in range; toString names shape, dtype, backend and grad', () => {
  const u = rand([1000]).dataSync();
  assert.ok(u.every((v) => v >= 0 && v < 1));
  const w = uniform([1000], -3, -1, { dtype: 'float64' }).dataSync();
  assert.ok(w.every((v) => v >= -3 && v < -1));
  const x = zeros([2, 3], { requiresGrad: true });
  assert.is(String(x), 'Tensor([2, 3], float32, cpu, requiresGrad)');
  assert.is(String(x.mul(2)), 'Tensor([2, 3], float32, cpu, requiresGrad, grad_fn=mul)');
});

test('shape helpers: fmtShape, sizeOf, stridesOf, normAxis, normAxes', () => {
  assert.is(fmtShape([2, 3]), '[2, 3]');
  assert.is(fmtShape([]), '[]');
  assert.is(sizeOf([]), 1);
  assert.is(sizeOf([2, 0, 3]), 0);
  check(
    shapeArb(0, 5, 5),
    (shape) => {
      const st = stridesOf(shape);
      // the row-major address of every multi-index is its ravelled index
      for (let i = 0; i < prod(shape); i++)
        assert.is(
          unravel(i, shape).reduce((p, v, d) => p + v * st[d], 0),
          i,
        );
      assert.is(ravel(unravel(prod(shape) - 1, shape), shape), prod(shape) - 1);
    },
    30,
  );
  assert.is(normAxis('op', -1, 3), 2);
  assert.equal(normAxes('op', [2, -3], 3), [0, 2]);
  assert.equal(normAxes('op', undefined, 2), [0, 1]);
  assert.equal(normAxes('op', 1, 2), [1]);
});

test('broadcastShapes agrees with a naive rule on random pairs, and is symmetric', () => {
  check(
    fc.tuple(shapeArb(0, 4, 3), shapeArb(0, 4, 3)),
    ([a, b]) => {
      let want: number[] | null;
      try {
        want = naiveBroadcastShape(a, b);
      } catch {
        want = null;
      }
      if (want === null) {
        assert.throws(() => broadcastShapes('op', a, b), /op: shapes cannot be broadcast/);
        assert.throws(() => broadcastShapes('op', b, a), /op: shapes cannot be broadcast/);
      } else {
        assert.equal(broadcastShapes('op', a, b), want);
        assert.equal(broadcastShapes('op', b, a), want);
      }
    },
    200,
  );
});

test('float32 creation rounds each value once', () => {
  check(
    seedArb,
    (seed) => {
      const d = seededData(16, seed).map((v) => v + 1e-9);
      assert.equal(tensor(d, { dtype: 'float32' }).dataSync(), Float32Array.from(d));
      assert.equal(tensor(Array.from(d)).dataSync(), Float32Array.from(d));
    },
    10,
  );
});

test.run();
