// clone() and copy_(): the explicit copies that replace idioms such as x.mul(1) or
// backend.affine(x, 1, 0). clone is an op (own storage, gradient passed through unchanged);
// copy_ replaces a tensor's values in place outside autograd, across dtypes too.

import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gradcheck, mul, randn, sum, tensor } from '../../src/index.js';
import { copy_ } from '../../src/autograd/ops/cast.js';
import { check, shapeArb } from './helpers.js';

test('clone: equal values in storage of its own, any shape', () => {
  check(shapeArb(0, 4), (shape) => {
    const x = randn(shape, { dtype: 'float64' });
    const y = x.clone();
    assert.equal(y.shape, x.shape);
    assert.is.not(y.storage, x.storage);
    assert.equal(Array.from(y.dataSync()), Array.from(x.dataSync()));
    if (x.size > 0) {
      x.copy_(
        tensor(
          Array.from({ length: x.size }, () => 7),
          { dtype: 'float64' },
        ).reshape(shape),
      );
      assert.not.equal(Array.from(y.dataSync()), Array.from(x.dataSync()), 'y follows x');
    }
  });
});

test('clone: the gradient passes through (gradcheck)', () => {
  const x = randn([3, 4], { dtype: 'float64', requiresGrad: true });
  const r = gradcheck((a) => sum(mul(a.clone(), a)), [x]);
  assert.ok(r.ok, r.message);
});

test('copy_: in place, across dtypes, shape checked', () => {
  const target = tensor([1, 2, 3], { dtype: 'float64' });
  const before = target.storage;
  const returned = copy_(target, tensor([0.5, 0.25, 4]));
  assert.is(returned, target);
  assert.is.not(target.storage, before);
  assert.equal(Array.from(target.dataSync()), [0.5, 0.25, 4]);
  assert.is(target.dtype, 'float64');
  assert.throws(
    () => target.copy_(tensor([1, 2])),
    /copy_: shapes differ: target is \[3\] and value is \[2\]/,
  );
});

test('copy_: values survive the source being disposed', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), (n) => {
      const target = randn([n], { dtype: 'float64' });
      const src = randn([n], { dtype: 'float64' });
      const want = Array.from(src.dataSync());
      target.copy_(src);
      src.dispose();
      assert.equal(Array.from(target.dataSync()), want);
    }),
    { numRuns: 20 },
  );
});

test.run();
