// Fused and composite neural-network ops: softmax and logSoftmax (any axis), layerNorm, norm,
// l2Normalize, dropout and dropPath (seeded), and cast.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Generator,
  cast,
  dropPath,
  dropout,
  l2Normalize,
  layerNorm,
  logSoftmax,
  mul,
  norm,
  ones,
  softmax,
  sum,
  tensor,
  type Tensor,
} from '../../src/index.js';
import {
  arr,
  assertClose,
  assertF32Agrees,
  assertGradcheck,
  assertTensor,
  check,
  naiveAlongAxis,
  naiveReduce,
  prod,
  seedArb,
  shapeArb,
  t32,
  t64,
} from './helpers.js';

/** A shape of rank ≥ 1 and one of its axes (maybe negative). */
const axisCase = (maxRank: number, maxDim: number) =>
  shapeArb(1, maxRank, maxDim).chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      axis: fc.integer({ min: -shape.length, max: shape.length - 1 }),
      scale: fc.constantFrom(1, 3, 30),
      seed: seedArb,
    }),
  );

function naiveSoftmaxRow(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

test('softmax along any axis: naive rows, rows sum to 1, float32, gradcheck', () => {
  check(
    axisCase(4, 5),
    ({ shape, axis, scale, seed }) => {
      const x = arr(shape, seed, { scale });
      const f = (t: Tensor) => softmax(t, axis);
      assertTensor(
        f(t64(x)),
        naiveAlongAxis(x, axis, naiveSoftmaxRow),
        { atol: 1e-15, rtol: 1e-14 },
        `softmax axis ${axis}`,
      );
      const rowSums = sum(f(t64(x)), axis).dataSync();
      assertClose(rowSums, new Float64Array(rowSums.length).fill(1), { atol: 1e-14 }, 'row sums');
      // float32: exp(x − max) is stored (rounded), then multiplied by 1/Σ and rounded again: 2 u;
      // plus 2^-149 absolute, the spacing of float32 subnormals (tiny probabilities underflow)
      assertF32Agrees(f, [x], { ulps: 2.001, atol: 2 ** -149 }, 'softmax');
      if (x.data.length <= 40) assertGradcheck(f, [x], {}, `softmax axis ${axis}`);
    },
    50,
  );
});

test('logSoftmax along any axis: naive rows, float32, gradcheck', () => {
  check(
    axisCase(4, 5),
    ({ shape, axis, scale, seed }) => {
      const x = arr(shape, seed, { scale });
      const f = (t: Tensor) => logSoftmax(t, axis);
      const naive = naiveAlongAxis(x, axis, (row) => {
        const m = Math.max(...row);
        const lse = Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
        return row.map((v) => v - m - lse);
      });
      // the kernel subtracts m + lse in one step: rounding relative to |x| + |lse| (≤ ~150 here)
      assertTensor(f(t64(x)), naive, { atol: 1e-13, rtol: 1e-14 }, `logSoftmax axis ${axis}`);
      // float32: x − (m + log Σ) is computed in float64 and rounded once: 1 u
      assertF32Agrees(f, [x], { ulps: 1 }, 'logSoftmax');
      if (x.data.length <= 40) assertGradcheck(f, [x], {}, `logSoftmax axis ${axis}`);
    },
    50,
  );
});

test('softmax and logSoftmax do not overflow on large inputs', () => {
  const x = tensor([
    [1000, 1001, 1002],
    [-1000, -1000, -1000],
  ]);
  assertClose(
    softmax(x).dataSync(),
    [...naiveSoftmaxRow([0, 1, 2]), 1 / 3, 1 / 3, 1 / 3],
    { atol: 1e-7, rtol: 1e-6 },
    'softmax',
  );
  const ls = logSoftmax(x).dataSync();
  assert.ok(ls.every(Number.isFinite));
  assertClose(
    ls.slice(3),
    [-Math.log(3), -Math.log(3), -Math.log(3)],
    { atol: 1e-6 },
    'logSoftmax',
  );
});

test('layerNorm: naive mean/biased variance, float32, gradcheck of x, weight and bias', () => {
  const arb = fc.record({
    lead: fc.array(fc.constantFrom(1, 2, 3), { maxLength: 2 }),
    D: fc.constantFrom(1, 2, 3, 5, 8),
    eps: fc.constantFrom(1e-5, 1e-6, 0.1),
    scale: fc.constantFrom(1, 10),
    sx: seedArb,
    sw: seedArb,
    sb: seedArb,
  });
  check(
    arb,
    ({ lead, D, eps, scale, sx, sw, sb }) => {
      const x = arr([...lead, D], sx, { scale });
      const w = arr([D], sw);
      const b = arr([D], sb);
      const f = (xt: Tensor, wt: Tensor, bt: Tensor) => layerNorm(xt, wt, bt, eps);
      const R = prod(lead);
      const y = new Float64Array(R * D);
      for (let r = 0; r < R; r++) {
        const row = Array.from(x.data.subarray(r * D, (r + 1) * D));
        const mu = row.reduce((a, v) => a + v, 0) / D;
        const v = row.reduce((a, u) => a + (u - mu) ** 2, 0) / D;
        row.forEach(
          (u, j) => (y[r * D + j] = ((u - mu) / Math.sqrt(v + eps)) * w.data[j] + b.data[j]),
        );
      }
      assertTensor(
        f(t64(x), t64(w), t64(b)),
        { data: y, shape: x.shape },
        { atol: 1e-13, rtol: 1e-13 },
        'layerNorm',
      );
      // float32: the whole row is normalised in float64 and each output rounded once: 1 u
      assertF32Agrees(f, [x, w, b], { ulps: 1 }, 'layerNorm');
      // D = 1 is constant in x (x̂ = 0): gradcheck still holds (zero gradient)
      if (R * D <= 24) assertGradcheck(f, [x, w, b], {}, `layerNorm D=${D} eps=${eps}`);
    },
    50,
  );
});

test('layerNorm: a constant row gives the bias; shape errors', () => {
  const y = layerNorm(tensor([[2, 2, 2]]), tensor([5, 5, 5]), tensor([1, 2, 3]));
  assert.equal(y.toArraySync(), [[1, 2, 3]]);
  assert.throws(
    () => layerNorm(tensor([[1, 2]]), tensor([1, 1, 1]), tensor([0, 0])),
    /layerNorm: weight \[3\] and bias \[2\] must both be \[2\] for x \[1, 2\]/,
  );
});

test(
  'norm along an axis (keepdim): naive √Σx², float32, gradcheck; gradient ' + '0 at a zero vector',
  () => {
    check(
      axisCase(3, 4).chain((c) => fc.record({ c: fc.constant(c), keepdim: fc.boolean() })),
      ({ c, keepdim }) => {
        const x = arr(c.shape, c.seed);
        const f = (t: Tensor) => norm(t, c.axis, keepdim);
        const sq = naiveReduce(
          { data: x.data.map((v) => v * v), shape: x.shape },
          [c.axis],
          keepdim,
          'sum',
        );
        assertTensor(
          f(t64(x)),
          { data: sq.data.map(Math.sqrt), shape: sq.shape },
          { atol: 1e-15, rtol: 1e-14 },
          'norm',
        );
        // float32: x² rounded (u), the sum rounded (u), √ halves those and rounds (u): 2 u
        assertF32Agrees(f, [x], { ulps: 2.001 }, 'norm');
        if (x.data.length <= 36) assertGradcheck(f, [x], {}, 'norm');
      },
      40,
    );
    const z = tensor(
      [
        [0, 0, 0],
        [3, 4, 0],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    norm(z).sum().backward();
    assertClose(z.grad!.dataSync(), [0, 0, 0, 0.6, 0.8, 0], {}, 'norm gradient');
  },
);

test(
  'l2Normalize: x / max(‖x‖, eps) as F.normalize; unit rows; zero rows ' + 'stay 0; gradcheck',
  () => {
    check(
      axisCase(3, 4),
      ({ shape, axis, seed }) => {
        const x = arr(shape, seed);
        const f = (t: Tensor) => l2Normalize(t, axis);
        const expected = naiveAlongAxis(x, axis, (row) => {
          const n = Math.sqrt(row.reduce((a, v) => a + v * v, 0));
          return row.map((v) => v / Math.max(n, 1e-12));
        });
        assertTensor(f(t64(x)), expected, { atol: 1e-15, rtol: 1e-14 }, 'l2Normalize');
        // float32: the norm's 2 u, then the division's 1 u
        assertF32Agrees(f, [x], { ulps: 3.001 }, 'l2Normalize');
        if (x.data.length <= 36) assertGradcheck(f, [x], {}, 'l2Normalize');
      },
      40,
    );
    const z = tensor(
      [
        [0, 0],
        [3, 4],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const y = l2Normalize(z);
    assert.equal(y.toArraySync(), [
      [0, 0],
      [0.6, 0.8],
    ]);
    mul(
      y,
      tensor(
        [
          [1, 2],
          [1, 2],
        ],
        { dtype: 'float64' },
      ),
    )
      .sum()
      .backward();
    assert.ok(z.grad!.dataSync().every(Number.isFinite));
  },
);

test(
  'dropout: seeded and reproducible on float32 and float64, statistics, ' +
    'eval identity, gradcheck',
  () => {
    const n = 20000;
    for (const p of [0.1, 0.5, 0.9]) {
      const y32 = dropout(ones([n]), p, { generator: new Generator(11) }).dataSync();
      const y64 = dropout(ones([n], { dtype: 'float64' }), p, {
        generator: new Generator(11),
      }).dataSync();
      let zeros = 0;
      for (let i = 0; i < n; i++) {
        // the same elements dropped on both dtypes; kept ones scaled by 1/(1 − p)
        assert.is(y32[i] === 0, y64[i] === 0);
        if (y64[i] === 0) zeros++;
        else assert.is(y64[i], 1 / (1 - p));
        if (y32[i] !== 0) assert.is(y32[i], Math.fround(1 / (1 - p)));
      }
      // the fraction dropped is p within 5 standard deviations
      const sd = Math.sqrt((p * (1 - p)) / n);
      assert.ok(Math.abs(zeros / n - p) < 5 * sd, `dropout ${p}: dropped ${zeros / n}`);
      const again = dropout(ones([n]), p, { generator: new Generator(11) }).dataSync();
      assert.equal(again, y32);
      assert.not.equal(dropout(ones([n]), p, { generator: new Generator(12) }).dataSync(), y32);
    }
    const x = tensor([1, 2, 3]);
    assert.is(dropout(x, 0.5, { training: false }), x);
    assert.is(dropout(x, 0), x);
    assert.equal([...dropout(x, 1).dataSync()], [0, 0, 0]);
    assert.throws(() => dropout(x, 1.5), /dropout: probability must be in \[0, 1\], got 1.5/);
    // a fresh generator with the same seed inside fn gives the same mask at every evaluation
    check(
      fc.record({ shape: shapeArb(0, 3, 4), seed: seedArb }),
      ({ shape, seed }) => {
        assertGradcheck(
          (t) => dropout(t, 0.4, { generator: new Generator(seed) }),
          [arr(shape, seed)],
          {},
          'dropout',
        );
      },
      10,
    );
  },
);

test('dropPath: whole samples dropped, seeded, statistics, eval identity, gradcheck', () => {
  const B = 4000;
  const p = 0.25;
  const y = dropPath(ones([B, 2, 3], { dtype: 'float64' }), p, {
    generator: new Generator(3),
  }).dataSync();
  let dropped = 0;
  for (let b = 0; b < B; b++) {
    const s = y.subarray(b * 6, (b + 1) * 6);
    const v = s[0];
    assert.ok(
      s.every((u) => u === v),
      'one decision per sample',
    );
    assert.ok(v === 0 || v === 1 / (1 - p));
    if (v === 0) dropped++;
  }
  assert.ok(Math.abs(dropped / B - p) < 5 * Math.sqrt((p * (1 - p)) / B), `dropped ${dropped / B}`);
  const y32 = dropPath(ones([B, 2, 3]), p, { generator: new Generator(3) }).dataSync();
  y.forEach((v, i) => assert.is(y32[i] === 0, v === 0));
  const x = tensor([[1, 2]]);
  assert.is(dropPath(x, 0.3, { training: false }), x);
  assert.throws(() => dropPath(tensor(1), 0.3), /dropPath: x needs a batch axis, got \[\]/);
  check(
    fc.record({ shape: shapeArb(1, 3, 4), seed: seedArb }),
    ({ shape, seed }) => {
      assertGradcheck(
        (t) => dropPath(t, 0.5, { generator: new Generator(seed) }),
        [arr(shape, seed)],
        {},
        'dropPath',
      );
    },
    10,
  );
});

test(
  'cast: float64 → float32 rounds, float32 → float64 is exact, gradient ' +
    'comes back in the input dtype',
  () => {
    check(
      fc.record({ shape: shapeArb(0, 3, 4), seed: seedArb }),
      ({ shape, seed }) => {
        const x = arr(shape, seed);
        const wide = Float64Array.from(x.data, (v) => v + 1e-12); // not float32-representable
        const down = cast(tensor(wide, { shape, dtype: 'float64' }), 'float32');
        assert.is(down.dtype, 'float32');
        assert.equal(down.dataSync(), Float32Array.from(wide));
        const up = cast(t32(x), 'float64');
        assert.is(up.dtype, 'float64');
        assert.equal(up.dataSync(), x.data);
        // the float32 round trip quantises the input at ~6e-8 relative, so the finite-difference
        // step
        // must be far larger than that: eps 1e-2 (the function is linear, so the step costs
        // nothing)
        assertGradcheck(
          (t) => mul(cast(cast(t, 'float32'), 'float64'), 2),
          [x],
          { eps: 1e-2, atol: 1e-5, rtol: 1e-5 },
          'cast',
        );
      },
      20,
    );
    const x = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    assert.is(cast(x, 'float32'), x);
    sum(mul(cast(x, 'float64'), tensor([3, 4], { dtype: 'float64' }))).backward();
    assert.is(x.grad!.dtype, 'float32');
    assert.equal([...x.grad!.dataSync()], [3, 4]);
  },
);

test.run();
