// gradcheck itself: it passes correct rules, catches wrong ones, reports the worst element, and
// honours wrt / tolerances. (The op suites rely on it, so it gets its own oracle.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exp, gradcheck, mul, sum, tensor, type Tensor } from '../../src/index.js';
import { record, run } from '../../src/autograd/function.js';

/** exp with a deliberately wrong backward rule: d exp(x) = dx (missing the factor exp(x)). */
function badExp(x: Tensor): Tensor {
  const y = run('badExp', x, x.shape, (k) => k.exp(x.storage));
  return record('badExp', y, [x], (g) => [g]);
}

/** x² whose gradient is wrong in one element only (index 2 gets 0). */
function badSquare(x: Tensor): Tensor {
  const y = mul(x, x);
  return record(
    'badSquare',
    run('copy', y, y.shape, (k) => k.affine(y.storage, 1, 0)),
    [x],
    (g) => {
      const mask = tensor([1, 1, 0, 1], { dtype: 'float64' });
      return [mul(mul(mul(g, x), 2), mask)];
    },
  );
}

test('passes correct rules (scalar and non-scalar outputs, float32 inputs are widened)', () => {
  const x = tensor(
    [
      [0.1, -0.5],
      [1.2, 0.3],
    ],
    { dtype: 'float64' },
  );
  const r = gradcheck((t) => sum(exp(t)), [x]);
  assert.ok(r.ok, r.message);
  assert.ok(r.worst!.ratio < 1e-2);
  assert.match(r.message, /^gradcheck passed: worst element is input 0 \[2, 2\] at \[\d, \d\]/);
  assert.ok(gradcheck((t) => exp(t), [x]).ok);
  assert.ok(
    gradcheck((t) => exp(t), [tensor([0.5, 1])]).ok,
    'a float32 input is checked in float64',
  );
});

test('catches a wrong rule and names the worst element, its analytic and numeric values', () => {
  const x = tensor([0.1, 2, -1], { dtype: 'float64' });
  const r = gradcheck((t) => sum(badExp(t)), [x]);
  assert.not.ok(r.ok);
  // the error is |1 − eˣ| against a tolerance 1e-6 + 1e-4·eˣ: relatively worst at x = −1
  assert.equal(r.worst!.index, [2]);
  assert.is(r.worst!.analytic, 1);
  assert.ok(Math.abs(r.worst!.numeric - Math.exp(-1)) < 1e-8);
  assert.match(
    r.message,
    /^gradcheck failed: worst element is input 0 \[3\] at \[2\]: analytic 1 vs numeric 0\.36787944/,
  );
  // an error in one element of a vector–Jacobian product is found through the random weights
  const s = gradcheck((t) => badSquare(t), [tensor([0.5, -1, 1.5, 2], { dtype: 'float64' })]);
  assert.not.ok(s.ok);
  assert.equal(s.worst!.index, [2]);
  assert.is(s.worst!.analytic, 0);
});

test('wrt limits the inputs checked; an output that does not depend on them is an error', () => {
  const a = tensor([1, 2], { dtype: 'float64' });
  const b = tensor([3, 4], { dtype: 'float64' });
  // the wrong rule is on b only, so checking a alone passes
  const f = (x: Tensor, y: Tensor) => sum(mul(x, badExp(y)));
  assert.ok(gradcheck(f, [a, b], { wrt: [0] }).ok);
  assert.not.ok(gradcheck(f, [a, b], { wrt: [1] }).ok);
  assert.throws(
    () => gradcheck(() => tensor([1], { dtype: 'float64' }), [a]),
    /gradcheck: the output does not depend on any checked input/,
  );
});

test('tolerances: a looser rtol accepts a small, consistent error', () => {
  // 1.001·x² has derivative 2.002x; the rule claims 2x: a 0.1% error
  const f = (t: Tensor) => {
    const y = mul(mul(t, t), 1.001);
    return record(
      'almost',
      run('copy', y, y.shape, (k) => k.affine(y.storage, 1, 0)),
      [t],
      (g) => [mul(mul(g, t), 2)],
    );
  };
  const x = tensor([1, 2], { dtype: 'float64' });
  assert.not.ok(gradcheck(f, [x]).ok);
  assert.ok(gradcheck(f, [x], { rtol: 2e-3 }).ok);
});

test.run();
