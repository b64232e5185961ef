// The memory rule (docs/ARCHITECTURE.md): tidy/beginScope/endScope dispose what a step creates,
// keep() exempts long-lived tensors, storage is reference-counted across views, the cpu pool
// reuses released buffers, and a disposed tensor says so clearly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  add,
  beginScope,
  cpu,
  endScope,
  exp,
  full,
  keep,
  layerNorm,
  linear,
  logSoftmax,
  matmul,
  mean,
  mul,
  randn,
  reshape,
  softmax,
  sum,
  tensor,
  tidy,
  tidyAsync,
  Generator,
  gelu,
  type Tensor,
} from '../../src/index.js';

const disposedMessage = (shape: string, name = '') =>
  `tensor ${shape}${name ? ` (${name})` : ''} was disposed: it was ` +
  `created inside a scope that has ended, or dispose() was called ` +
  '(see the memory rule in docs/ARCHITECTURE.md)';

test('tidy disposes intermediates, keeps the result (and tensors created outside)', () => {
  const a = tensor([1, 2, 3]);
  let b!: Tensor;
  const c = tidy(() => {
    b = mul(a, 2);
    return add(b, 1);
  });
  assert.ok(b.isDisposed);
  assert.not.ok(c.isDisposed);
  assert.not.ok(a.isDisposed);
  assert.equal([...c.dataSync()], [3, 5, 7]);
});

test('tidy keeps every tensor in a returned array or plain object, and kept tensors', () => {
  let k!: Tensor, lost!: Tensor;
  const out = tidy(() => {
    const x = tensor([1, 2]);
    k = keep(mul(x, 3));
    lost = mul(x, 4);
    return { y: add(x, 1), list: [exp(x), { z: mul(x, 2) }] };
  });
  assert.not.ok(out.y.isDisposed);
  assert.not.ok((out.list[0] as Tensor).isDisposed);
  assert.not.ok((out.list[1] as { z: Tensor }).z.isDisposed);
  assert.not.ok(k.isDisposed);
  assert.ok(lost.isDisposed);
  assert.ok(k.kept);
});

test('nested tidy: the inner result moves to the outer scope and is disposed with it', () => {
  let inner!: Tensor;
  const r = tidy(() => {
    inner = tidy(() => mul(tensor([1]), 2));
    assert.not.ok(inner.isDisposed);
    return tensor([0]);
  });
  assert.ok(inner.isDisposed);
  assert.not.ok(r.isDisposed);
});

test('nested tidy returning a tensor created outside both scopes does not dispose it', () => {
  const x = tensor([1, 2]);
  tidy(() => {
    const y = tidy(() => x);
    assert.is(y, x);
    return null;
  });
  assert.not.ok(x.isDisposed, 'the outer scope disposed a tensor it did not create');
  // same with a tensor of the enclosing scope returned from an inner one: disposed by its owner
  // only
  let mid!: Tensor;
  const kept = tidy(() => {
    mid = mul(x, 2);
    tidy(() => mid);
    assert.not.ok(mid.isDisposed);
    return mid;
  });
  assert.is(kept, mid);
  assert.not.ok(mid.isDisposed);
});

test(
  'a throwing tidy disposes what it created and rethrows; beginScope/endScope; ' + 'tidyAsync',
  async () => {
    let t!: Tensor;
    assert.throws(
      () =>
        tidy(() => {
          t = tensor([1]);
          throw new Error('boom');
        }),
      /boom/,
    );
    assert.ok(t.isDisposed);
    beginScope();
    const u = tensor([1]);
    const v = tensor([2]);
    endScope(v);
    assert.ok(u.isDisposed);
    assert.not.ok(v.isDisposed);
    assert.throws(() => endScope(), /endScope: no scope is open/);
    assert.throws(
      () => tidy(() => Promise.resolve(1) as unknown as number),
      /tidy: fn returned a Promise; use tidyAsync/,
    );
    let w!: Tensor;
    const r = await tidyAsync(async () => {
      w = tensor([1]);
      await Promise.resolve();
      return tensor([5]);
    });
    assert.ok(w.isDisposed);
    assert.is(r.itemSync(), 5);
  },
);

test('refcounted views: disposing a tensor does not break a reshape of it, and vice versa', () => {
  const x = tensor([1, 2, 3, 4, 5, 6]);
  const v = reshape(x, [2, 3]);
  x.dispose();
  assert.ok(x.isDisposed);
  assert.equal(v.toArraySync(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const w = reshape(v, [3, 2]);
  w.dispose();
  assert.equal(v.toArraySync(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  // a view returned from tidy outlives the disposed base it was made from
  const r = tidy(() => reshape(mul(tensor([1, 2, 3, 4]), 10), [2, 2]));
  assert.equal(r.toArraySync(), [
    [10, 20],
    [30, 40],
  ]);
  // dispose is idempotent
  v.dispose();
  v.dispose();
});

test('using a disposed tensor gives the documented error', async () => {
  const x = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  x.dispose();
  assert.throws(
    () => x.dataSync(),
    (e: Error) => e.message === disposedMessage('[2, 3]'),
  );
  assert.throws(
    () => add(x, 1),
    (e: Error) => e.message === disposedMessage('[2, 3]'),
  );
  const p = tensor([1]);
  p.name = 'blocks.0.norm1.weight';
  p.dispose();
  assert.throws(
    () => p.itemSync(),
    (e: Error) => e.message === disposedMessage('[1]', 'blocks.0.norm1.weight'),
  );
  try {
    await p.data();
    assert.unreachable('data() of a disposed tensor');
  } catch (e) {
    assert.is((e as Error).message, disposedMessage('[1]', 'blocks.0.norm1.weight'));
  }
  const y = tidy(() => tensor([1]));
  assert.not.ok(y.isDisposed);
  let z!: Tensor;
  tidy(() => {
    z = tensor([1, 2]);
  });
  assert.throws(
    () => mul(z, z),
    (e: Error) => e.message === disposedMessage('[2]'),
  );
});

test(
  'an asynchronous read sees the values at the time of the call, even ' + 'if the buffer is reused',
  async () => {
    const t = tidy(() => mul(tensor([1, 2, 3]), 1)); // a pooled buffer
    const data = t.data();
    const item = tidy(() => mul(tensor([5]), 1)).item();
    t.dispose(); // the buffer goes back to the pool ...
    full([3], 9); // ... and is handed to the next kernel of that size before the awaits resume
    full([1], 9);
    assert.equal([...(await data)], [1, 2, 3]);
    assert.is(await item, 5);
  },
);

test('assign replaces storage in place; views keep the old values', () => {
  const p = tensor([1, 2, 3, 4]);
  const v = reshape(p, [2, 2]);
  const fresh = cpu.full('float32', 4, 7);
  p.assign(fresh);
  assert.equal([...p.dataSync()], [7, 7, 7, 7]);
  assert.equal(v.toArraySync(), [
    [1, 2],
    [3, 4],
  ]);
  assert.throws(
    () => p.assign(cpu.full('float32', 3, 0)),
    /assign: storage of 3 float32 elements cannot replace \[4\] float32/,
  );
});

/** A training-like step: forward, loss, backward; many same-size intermediates. */
function step(params: Tensor[], x: Tensor): number {
  const [w1, b1, g, bb, w2, b2] = params;
  return tidy(() => {
    let h = x;
    // 12 identical blocks: more intermediates of one size than a small per-size pool would hold
    for (let i = 0; i < 12; i++) h = add(h, gelu(layerNorm(linear(h, w1, b1), g, bb)));
    const logits = linear(h, w2, b2);
    const loss = mean(mul(softmax(logits), logSoftmax(logits)));
    loss.backward();
    const l = loss.itemSync();
    for (const p of params) p.grad = null; // the grads were created in the step and die with it
    return l;
  });
}

test('the cpu pool reuses buffers: a second identical tidy step allocates nothing new', () => {
  const gen = new Generator(1);
  const params = [
    randn([8, 8], { generator: gen }),
    randn([8], { generator: gen }),
    randn([8], { generator: gen }),
    randn([8], { generator: gen }),
    randn([3, 8], { generator: gen }),
    randn([3], { generator: gen }),
  ].map((p) => keep(p.requiresGrad_()));
  const x = randn([5, 8], { generator: gen });
  const l1 = step(params, x);
  const before = cpu.pool.freshAllocations;
  const l2 = step(params, x);
  assert.is(
    cpu.pool.freshAllocations - before,
    0,
    'the second step should be served from the pool',
  );
  assert.is(l1, l2);
  // and a plain tidy of simple ops, with its result disposed
  const f = () => tidy(() => sum(matmul(exp(x), randn([8, 4], { generator: new Generator(2) }))));
  f().dispose();
  const mid = cpu.pool.freshAllocations;
  f().dispose();
  assert.is(cpu.pool.freshAllocations, mid);
});

test(
  'backward frees each intermediate gradient once its node has run ' +
    '(peak memory ~ the forward)',
  () => {
    // 40 scaled copies of x: the forward holds 40 buffers of this (unique) size; a backward that
    // kept every intermediate gradient until the end would allocate 40 more
    tidy(() => {
      const x = randn([7, 1113], { generator: new Generator(3) }).requiresGrad_();
      let h = x;
      for (let i = 0; i < 40; i++) h = mul(h, 1.01);
      const loss = sum(h);
      const before = cpu.pool.freshAllocations;
      loss.backward();
      const fresh = cpu.pool.freshAllocations - before;
      assert.ok(
        fresh <= 3,
        `backward allocated ${fresh} fresh buffers; gradients are not being released`,
      );
      const g = x.grad!.dataSync();
      assert.ok(
        Math.abs(g[0] - 1.01 ** 40) < 1e-4 && Math.abs(g[g.length - 1] - 1.01 ** 40) < 1e-4,
      );
    });
  },
);

test(
  'backward: a rule that hands the same gradient to two inputs, and ' +
    'a seed of the caller, survive',
  () => {
    tidy(() => {
      const a = tensor([1, 2, 3]).requiresGrad_();
      const b = mul(a, 2);
      const y = add(b, b); // add's rule returns g for both inputs
      const seed = tensor([1, 10, 100]);
      y.backward(seed);
      assert.not.ok(seed.isDisposed);
      assert.equal([...a.grad!.dataSync()], [4, 40, 400]);
    });
  },
);

test.run();
