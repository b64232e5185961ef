// Autograd semantics: gradient accumulation, diamonds, backward twice, released graphs, noGrad,
// detach, a 10 000-deep chain, the shape assertion after a backward rule, seed gradients.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  add,
  backward,
  detach,
  exp,
  isGradEnabled,
  mul,
  noGrad,
  pow,
  setGradEnabled,
  sum,
  tensor,
  tidy,
  zeroGrad,
  type Tensor,
} from '../../src/index.js';
import type { GradNode } from '../../src/tensor/tensor.js';
import { assertClose } from './helpers.js';

const f64 = (data: number[], requiresGrad = true) =>
  tensor(data, { dtype: 'float64', requiresGrad });
const grad = (t: Tensor) => [...t.grad!.dataSync()];

test('a leaf used twice: a + a gives gradient 2; a reused non-leaf accumulates too', () => {
  const a = f64([1, 2, 3]);
  sum(add(a, a)).backward();
  assert.equal(grad(a), [2, 2, 2]);
  const x = f64([1, 2]);
  const b = mul(x, 3); // non-leaf
  sum(add(b, mul(b, b))).backward(); // d/dx (3x + 9x²) = 3 + 18x
  assert.equal(grad(x), [21, 39]);
  const y = f64([2]);
  sum(mul(y, y)).backward(); // the same tensor as both inputs of one op
  assert.equal(grad(y), [4]);
});

test('diamond graphs: a shared intermediate feeding two branches', () => {
  const x = f64([0.5, -1, 2]);
  const h = mul(x, 2);
  const y = sum(add(exp(h), pow(h, 2))); // dy/dx = 2·(e^h + 2h)
  y.backward();
  assertClose(
    grad(x),
    [0.5, -1, 2].map((v) => 2 * (Math.exp(2 * v) + 4 * v)),
    { rtol: 1e-15 },
    'diamond',
  );
  // a deeper diamond: two paths of different lengths that meet again
  const z = f64([1.5]);
  const p = exp(z);
  const q = mul(exp(mul(p, 0.5)), p); // e^(p/2)·p, p = e^z
  sum(q).backward();
  const pz = Math.exp(1.5);
  assertClose(grad(z), [Math.exp(pz / 2) * pz * (pz / 2 + 1)], { rtol: 1e-14 }, 'deep diamond');
});

test('backward twice accumulates into .grad: with retainGraph, and with a rebuilt graph', () => {
  const x = f64([1, 2]);
  const y = sum(mul(x, x));
  y.backward(undefined, { retainGraph: true });
  assert.equal(grad(x), [2, 4]);
  y.backward();
  assert.equal(grad(x), [4, 8]);
  sum(mul(x, x)).backward();
  assert.equal(grad(x), [6, 12]);
  zeroGrad([x]);
  assert.is(x.grad, null);
  sum(mul(x, 5)).backward();
  assert.equal(grad(x), [5, 5]);
});

test('a second backward through a released graph says so', () => {
  const x = f64([1, 2]);
  const h = mul(x, x);
  const y = sum(h);
  y.backward();
  assert.throws(
    () => y.backward(),
    (e: Error) =>
      e.message ===
      'backward: the graph through sum was already released by an earlier ' +
        'backward(); pass { retainGraph: true } to the first call to backward ' +
        'through it twice',
  );
  // a new loss that reaches the released part of the graph fails the same way
  assert.throws(
    () => sum(mul(h, 2)).backward(),
    /backward: the graph through mul was already released/,
  );
});

test('noGrad builds no graph and restores the mode, even on throw', () => {
  const x = f64([1, 2]);
  const y = noGrad(() => exp(mul(x, 2)));
  assert.is(y.node, null);
  assert.is(y.requiresGrad, false);
  assert.throws(() => y.backward(), /backward: the tensor does not require grad/);
  assert.ok(isGradEnabled());
  assert.throws(
    () =>
      noGrad(() => {
        throw new Error('inside');
      }),
    /inside/,
  );
  assert.ok(isGradEnabled());
  noGrad(() => noGrad(() => 0));
  assert.ok(isGradEnabled());
  const prev = setGradEnabled(false);
  assert.is(mul(x, 2).requiresGrad, false);
  setGradEnabled(prev);
  assert.ok(mul(x, 2).requiresGrad);
});

test('detach stops gradients and shares storage', () => {
  const x = f64([1, 2, 3]);
  const d = detach(x);
  assert.is(d.requiresGrad, false);
  assert.is(d.node, null);
  assert.is(d.storage, x.storage);
  sum(mul(d, x)).backward(); // only the second factor is differentiated: grad = x
  assert.equal(grad(x), [1, 2, 3]);
  const e = x.detach();
  assert.is(e.requiresGrad, false);
  // inputs that do not require grad get no .grad
  const c = f64([4], false);
  sum(mul(c, x)).backward();
  assert.is(c.grad, null);
});

test('a 10 000-deep chain backpropagates without overflowing the stack', () => {
  const x = f64([1]);
  let y: Tensor = x;
  for (let i = 0; i < 5000; i++) y = add(mul(y, 1.0001), x); // tensor–number and tensor–tensor ops
  sum(y).backward();
  // y_n = 1.0001·y_(n−1) + x, so dy/dx = Σ_{k=0}^{n} 1.0001^k
  const expected = (Math.pow(1.0001, 5001) - 1) / 0.0001;
  assertClose(grad(x), [expected], { rtol: 1e-10 }, '10 000 ops');
  // and a chain of 10 000 tensor–tensor ops
  const z = f64([0.5]);
  let w: Tensor = z;
  const one = f64([1], false);
  for (let i = 0; i < 10000; i++) w = mul(w, one);
  sum(w).backward();
  assert.equal(grad(z), [1]);
});

test('the shape assertion after a backward rule names the op and both shapes', () => {
  const x = f64([1, 2, 3]);
  const y = tensor([0, 0, 0], { dtype: 'float64' });
  y.requiresGrad = true;
  const bad: GradNode = {
    op: 'bogus',
    inputs: [x],
    backward: () => [tensor([1, 2], { dtype: 'float64' })],
  };
  y.node = bad;
  assert.throws(
    () => sum(y).backward(),
    (e: Error) =>
      e.message === 'bogus backward: the gradient for input 0 has shape [2] but the input is [3]',
  );
});

test('seed gradients: a non-scalar output needs one of its own shape', () => {
  const x = f64([1, 2, 3]);
  const y = mul(x, 2);
  assert.throws(
    () => y.backward(),
    (e: Error) =>
      e.message === 'backward: a seed gradient is needed for a non-scalar tensor of shape [3]',
  );
  assert.throws(
    () => backward(y, tensor([1, 1], { dtype: 'float64' })),
    (e: Error) => e.message === 'backward: the seed has shape [2] but the tensor is [3]',
  );
  // the seed's dtype must match too, or the leaves' gradients would come out in the wrong dtype
  assert.throws(
    () => y.backward(tensor([1, 1, 1])),
    (e: Error) =>
      e.message === 'backward: the seed is float32 on cpu but the tensor is float64 on cpu',
  );
  y.backward(tensor([1, 10, 100], { dtype: 'float64' }));
  assert.equal(grad(x), [2, 20, 200]);
  // a one-element tensor of any rank is seeded with 1; a leaf root gets the seed itself
  const s = f64([4]);
  mul(s, 3).backward();
  assert.equal(grad(s), [3]);
  const leaf = f64([7]);
  leaf.backward();
  assert.equal(grad(leaf), [1]);
});

test('the method syntax runs the same ops', () => {
  const x = f64([1, 2]);
  x.mul(x).add(1).sum().backward();
  assert.equal(grad(x), [2, 4]);
});

test(
  'backward through a tensor that a scope disposed is an error, not ' +
    'a silently missing gradient',
  () => {
    const p = f64([1, 2]);
    // backward outside the tidy: the intermediate mul(p, 2) was disposed when the scope ended
    const y = tidy(() => add(mul(p, 2), 1));
    assert.throws(
      () => sum(y).backward(),
      (e: Error) =>
        e.message ===
        'backward: the output [2] of mul on the way to the inputs was disposed ' +
          '(its scope ended, or dispose() was called) before ' +
          'backward() reached it; call backward() inside the scope that built ' +
          'the graph (see the memory rule in docs/ARCHITECTURE.md)',
    );
    assert.is(p.grad, null);
    // inside the scope it works; the gradient is created by the step, so it is released with it
    // (a training step reads it — optimizer, clipping — before the scope ends)
    const g = tidy(() => {
      sum(add(mul(p, 2), 1)).backward();
      return [...p.grad!.dataSync()];
    });
    assert.equal(g, [2, 2]);
    assert.ok(p.grad!.isDisposed);
  },
);

test.run();
