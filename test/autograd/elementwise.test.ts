// Elementwise ops: add, sub, mul, div, maximum, minimum (broadcasting, tensor–number forms), neg,
// exp, log, sqrt, abs, pow, erf, gelu, clamp. Each: forward against a naive index-by-index loop,
// gradcheck in float64, float32 against float64.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  abs,
  add,
  clamp,
  div,
  erf,
  exp,
  gelu,
  log,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  sign,
  sqrt,
  sub,
  tensor,
  type Tensor,
} from '../../src/index.js';
import {
  arr,
  assertF32Agrees,
  assertGradcheck,
  assertTensor,
  broadcastPairArb,
  check,
  naiveBinary,
  naiveErf,
  naiveGelu,
  naiveUnary,
  seedArb,
  shapeArb,
  t64,
} from './helpers.js';

interface BinaryCase {
  name: string;
  op: (a: Tensor, b: Tensor) => Tensor;
  naive: (x: number, y: number) => number;
  /** Data for b (a is standard normal). */
  bData?: { lo: number; hi: number };
  /** Float32 tolerance in units of u = 2^-24. */
  ulps: number;
}

const binaries: BinaryCase[] = [
  // one float64 operation rounded once to float32: the correctly rounded result (≤ 1 u)
  { name: 'add', op: add, naive: (x, y) => x + y, ulps: 1 },
  { name: 'sub', op: sub, naive: (x, y) => x - y, ulps: 1 },
  { name: 'mul', op: mul, naive: (x, y) => x * y, ulps: 1 },
  { name: 'div', op: div, naive: (x, y) => x / y, bData: { lo: 0.5, hi: 3 }, ulps: 1 },
  // a selection: exact (0 u)
  { name: 'maximum', op: maximum, naive: Math.max, ulps: 0 },
  { name: 'minimum', op: minimum, naive: Math.min, ulps: 0 },
];

for (const c of binaries) {
  test(`${c.name}: broadcasting forward vs naive, float32 vs float64`, () => {
    // magnitudes from tiny to large (the relative tolerances hold at any scale)
    const arb = fc.record({
      shapes: broadcastPairArb(4, 4),
      sa: seedArb,
      sb: seedArb,
      scale: fc.constantFrom(1, 1e-3, 1e4),
    });
    check(
      arb,
      ({ shapes, sa, sb, scale }) => {
        const a = arr(shapes.a, sa, { scale });
        const b = c.bData
          ? arr(shapes.b, sb, { lo: c.bData.lo * scale, hi: c.bData.hi * scale })
          : arr(shapes.b, sb, { scale });
        assertTensor(c.op(t64(a), t64(b)), naiveBinary(c.naive, a, b), {}, c.name);
        assertF32Agrees(c.op, [a, b], { ulps: c.ulps }, c.name);
      },
      60,
    );
  });

  test(`${c.name}: gradcheck with broadcasting`, () => {
    check(
      fc.record({ shapes: broadcastPairArb(3, 3), sa: seedArb, sb: seedArb }),
      ({ shapes, sa, sb }) => {
        // b is negated for half the cases so that div sees negative divisors too
        const b = arr(shapes.b, sb, c.bData);
        if (c.bData && sb % 2 === 1) b.data.forEach((v, i) => (b.data[i] = -v));
        assertGradcheck(c.op, [arr(shapes.a, sa), b], {}, c.name);
      },
      20,
    );
  });
}

test('tensor–number forms: forward, gradcheck, float32', () => {
  // s is a number; div(s, x) is s · x⁻¹ (two roundings in float32, 2 u); the others round once
  const cases: {
    name: string;
    f: (x: Tensor, s: number) => Tensor;
    naive: (x: number, s: number) => number;
    ulps: number;
  }[] = [
    { name: 'x + s', f: (x, s) => add(x, s), naive: (x, s) => x + s, ulps: 1 },
    { name: 's + x', f: (x, s) => add(s, x), naive: (x, s) => s + x, ulps: 1 },
    { name: 'x - s', f: (x, s) => sub(x, s), naive: (x, s) => x - s, ulps: 1 },
    { name: 's - x', f: (x, s) => sub(s, x), naive: (x, s) => s - x, ulps: 1 },
    { name: 'x * s', f: (x, s) => mul(x, s), naive: (x, s) => x * s, ulps: 1 },
    { name: 's * x', f: (x, s) => mul(s, x), naive: (x, s) => s * x, ulps: 1 },
    // x / s is computed as x · (1/s): within 1 ulp of x / s in float64, so 1 u + 1 float64 ulp
    { name: 'x / s', f: (x, s) => div(x, s), naive: (x, s) => x / s, ulps: 2 },
    { name: 's / x', f: (x, s) => div(s, x), naive: (x, s) => s / x, ulps: 2 },
    { name: 'max(x, s)', f: (x, s) => maximum(x, s), naive: (x, s) => Math.max(x, s), ulps: 0 },
    { name: 'min(s, x)', f: (x, s) => minimum(s, x), naive: (x, s) => Math.min(s, x), ulps: 0 },
  ];
  check(
    fc.record({ shape: shapeArb(0, 3, 4), seed: seedArb, s: fc.constantFrom(-2.5, -1, 0.75, 3) }),
    ({ shape, seed, s }) => {
      // away from 0 (s / x) and from s (max/min kinks)
      const x = arr(shape, seed, { awayFrom: [0, s], gap: 0.1 });
      for (const c of cases) {
        assertTensor(
          c.f(t64(x), s),
          naiveUnary((v) => c.naive(v, s), x),
          { rtol: 1e-15, atol: 0 },
          c.name,
        );
        assertGradcheck((t) => c.f(t, s), [x], {}, c.name);
        assertF32Agrees((t) => c.f(t, s), [x], { ulps: c.ulps }, c.name);
      }
    },
    15,
  );
});

test('maximum/minimum: a tie splits the gradient equally (torch.maximum)', () => {
  const a = tensor([1, 2, 5], { dtype: 'float64', requiresGrad: true });
  const b = tensor([1, 3, 4], { dtype: 'float64', requiresGrad: true });
  maximum(a, b).sum().backward();
  assert.equal([...a.grad!.dataSync()], [0.5, 0, 1]);
  assert.equal([...b.grad!.dataSync()], [0.5, 1, 0]);
  const c = tensor([1, 2, 5], { dtype: 'float64', requiresGrad: true });
  minimum(c, 2).sum().backward();
  assert.equal([...c.grad!.dataSync()], [1, 0.5, 0]);
});

test('maximum/minimum propagate NaN from either side', () => {
  const a = tensor([NaN, 1, 2]);
  const b = tensor([0, NaN, 1]);
  assert.equal(
    maximum(a, b)
      .dataSync()
      .map((v) => (Number.isNaN(v) ? -99 : v)),
    new Float32Array([-99, -99, 2]),
  );
  assert.equal(
    minimum(a, b)
      .dataSync()
      .map((v) => (Number.isNaN(v) ? -99 : v)),
    new Float32Array([-99, -99, 1]),
  );
});

interface UnaryCase {
  name: string;
  op: (x: Tensor) => Tensor;
  naive: (x: number) => number;
  data?: Parameters<typeof arr>[2];
  /** Forward tolerance against the naive formula in float64. */
  tol?: { atol?: number; rtol?: number };
  f32: { ulps: number; atol?: number };
}

const unaries: UnaryCase[] = [
  // Math.* in float64, rounded once: 1 u
  { name: 'neg', op: neg, naive: (x) => -x, f32: { ulps: 0 } },
  { name: 'exp', op: exp, naive: Math.exp, data: { scale: 2 }, f32: { ulps: 1 } },
  { name: 'log', op: log, naive: Math.log, data: { lo: 0.05, hi: 5 }, f32: { ulps: 1 } },
  { name: 'sqrt', op: sqrt, naive: Math.sqrt, data: { lo: 0.05, hi: 5 }, f32: { ulps: 1 } },
  { name: 'abs', op: abs, naive: Math.abs, data: { awayFrom: [0] }, f32: { ulps: 0 } },
  // erf: float32 outputs use the cheaper erf32 table, documented at ≤ 3e-10 absolute, then 1 u
  {
    name: 'erf',
    op: erf,
    naive: naiveErf,
    data: { scale: 2.5 },
    tol: { atol: 1e-15, rtol: 1e-14 },
    f32: { ulps: 1, atol: 3e-10 },
  },
  // gelu = x·½(1 + erf(x/√2)), as torch: for x < 0, 1 + erf cancels, so the kernel is only good
  // to |x|/2 times (erf's 1.1e-16 + the rounding of 1 + erf, 1.1e-16) absolute, and the naive
  // oracle has the same loss for −2√2 < x < 0 (it switches to erfc below): |x|·2.5e-16 in all,
  // with |x| ≤ ~12 here: atol 3e-15 in float64.
  // Float32: the erf32 error (3e-10) times |x|/2 → 2e-9, then 1 u.
  {
    name: 'gelu',
    op: gelu,
    naive: naiveGelu,
    data: { scale: 3 },
    tol: { atol: 3e-15, rtol: 1e-14 },
    f32: { ulps: 1, atol: 2e-9 },
  },
];

const pows = [2, 3, 1, 0, -1, 0.5, -1.5, 2.5];
for (const p of pows) {
  const integer = Number.isInteger(p);
  unaries.push({
    name: `pow ${p}`,
    op: (x) => pow(x, p),
    naive: (x) => Math.pow(x, p),
    // negative bases only for integer exponents; away from 0 for negative exponents
    data: integer && p > 0 ? {} : { lo: 0.2, hi: 3 },
    tol: { rtol: 1e-15, atol: 0 },
    f32: { ulps: 1 },
  });
}

const clamps: [number | undefined, number | undefined][] = [
  [-0.5, 0.8],
  [0, undefined],
  [undefined, 0.3],
  [1, 1],
];
for (const [lo, hi] of clamps) {
  unaries.push({
    name: `clamp(${lo}, ${hi})`,
    op: (x) => clamp(x, lo, hi),
    naive: (x) => Math.min(Math.max(x, lo ?? -Infinity), hi ?? Infinity),
    // away from the bounds, where the derivative jumps
    data: { awayFrom: [lo, hi].filter((v): v is number => v !== undefined) },
    // clamped elements equal the bound, which float32 rounds (0.3 → 0.30000001): 1 u
    f32: { ulps: 1 },
  });
}

for (const c of unaries) {
  test(`${c.name}: forward vs naive, gradcheck, float32 vs float64`, () => {
    check(
      fc.record({ shape: shapeArb(0, 4, 4), seed: seedArb }),
      ({ shape, seed }) => {
        const x = arr(shape, seed, c.data);
        assertTensor(c.op(t64(x)), naiveUnary(c.naive, x), c.tol, c.name);
        assertF32Agrees(c.op, [x], c.f32, c.name);
        if (x.data.length <= 48) assertGradcheck(c.op, [x], {}, c.name);
      },
      25,
    );
  });
}

test('erf and gelu: float64 accuracy across the piecewise ranges, tails and symmetry', () => {
  const xs: number[] = [];
  for (let x = -7; x <= 7; x += 0.0625) xs.push(x);
  xs.push(0.999999, 1, 1.000001, 2, 3.5, 6, 6.000001, -1e-8, 1e-300, 30, -30);
  const x = tensor(xs, { dtype: 'float64' });
  const e = erf(x).dataSync();
  const g = gelu(x).dataSync();
  xs.forEach((v, i) => {
    // erf64: ~1 ulp; the naive oracle a few more
    assert.ok(Math.abs(e[i] - naiveErf(v)) <= 5e-16, `erf(${v}) = ${e[i]} vs ${naiveErf(v)}`);
    // gelu: the cancellation in 1 + erf for x < 0, in the kernel and the oracle (see above), plus
    // 2 ulps of the result
    const tol = 2.5e-16 * (1 + Math.abs(v)) + 4.5e-16 * Math.abs(g[i]);
    assert.ok(Math.abs(g[i] - naiveGelu(v)) <= tol, `gelu(${v}) = ${g[i]} vs ${naiveGelu(v)}`);
  });
  assert.equal(erf(neg(x)).dataSync(), neg(erf(x)).dataSync());
  // float32 erf against the float64 one over the same grid
  const e32 = erf(tensor(xs, { dtype: 'float32' })).dataSync();
  xs.forEach((v, i) =>
    assert.ok(Math.abs(e32[i] - e[i]) <= 3e-10 + U * Math.abs(e[i]) * 1.0001, `erf32(${v})`),
  );
});
const U = 2 ** -24;

test('erf and gelu against 25-digit reference values (mpmath)', () => {
  // 25 digits as mpmath printed them; each literal rounds to the nearest double.
  /* eslint-disable no-loss-of-precision */
  const erfRef: [number, number][] = [
    [1e-8, 1.12837916709551253628352e-8],
    [0.3, 0.328626759459127427638914],
    [1, 0.8427007929497148693412206],
    [1.5, 0.9661051464753107270669763],
    [2, 0.9953222650189527341620693],
    [-2.9, -0.9999589021219005411420041],
    [3.5, 0.9999992569016276585872545],
    [4, 0.9999999845827420997199811],
    [-5.5, -0.999999999999992642152082],
    [5.9, 0.9999999999999999280959022],
    [6.1, 0.9999999999999999936853978],
  ];
  const e = erf(
    tensor(
      erfRef.map(([x]) => x),
      { dtype: 'float64' },
    ),
  ).dataSync();
  // erf64 is documented at ~1 ulp (1.1e-16 absolute): allow 2 ulps (relative where erf is tiny)
  erfRef.forEach(([x, v], i) =>
    assert.ok(
      Math.abs(e[i] - v) <= 2.3e-16 * Math.max(Math.abs(v), 1e-7),
      `erf(${x}) = ${e[i]}, want ${v}`,
    ),
  );
  const geluRef: [number, number][] = [
    [-5, -0.000001433257859395969558368762],
    [-3, -0.004049694094890283579955444],
    [-0.5, -0.1542687693629934481811477],
    [0.5, 0.3457312306370065518188523],
    [2, 1.954499736103641585599435],
  ];
  /* eslint-enable no-loss-of-precision */
  const g = gelu(
    tensor(
      geluRef.map(([x]) => x),
      { dtype: 'float64' },
    ),
  ).dataSync();
  // the erf error (1.1e-16) times |x|/2, from the cancellation in 1 + erf for x < 0
  geluRef.forEach(([x, v], i) =>
    assert.ok(
      Math.abs(g[i] - v) <= 1.2e-16 * Math.max(1, Math.abs(x)) * 2,
      `gelu(${x}) = ${g[i]}, want ${v}`,
    ),
  );
});

test('sign: −1, 0, 1 and no gradient; abs has gradient 0 at 0 (as torch)', () => {
  assert.equal([...sign(tensor([-2, 0, 3])).dataSync()], [-1, 0, 1]);
  const x = tensor([-2, 0, 3], { dtype: 'float64', requiresGrad: true });
  assert.is(sign(x).requiresGrad, false);
  abs(x).sum().backward();
  assert.equal([...x.grad!.dataSync()], [-1, 0, 1]);
});

test('clamp: gradient passes at the bound itself (torch.clamp); min > max is an error', () => {
  const x = tensor([-1, 0, 0.5, 1, 2], { dtype: 'float64', requiresGrad: true });
  clamp(x, 0, 1).sum().backward();
  assert.equal([...x.grad!.dataSync()], [0, 1, 1, 1, 0]);
  assert.throws(() => clamp(x, 2, 1), /clamp: min 2 is greater than max 1/);
});

test('pow: rejects a non-finite exponent; special values follow Math.pow', () => {
  assert.throws(() => pow(tensor([1]), NaN), /pow: the exponent must be a finite number, got NaN/);
  const x = tensor([0, 4, -8], { dtype: 'float64' });
  assert.equal([...pow(x, 0.5).dataSync()].slice(0, 2), [0, 2]);
  assert.ok(Number.isNaN(pow(x, 0.5).dataSync()[2]));
  assert.equal([...pow(x, -1).dataSync()], [Infinity, 0.25, -0.125]);
  assert.equal([...pow(x, 0).dataSync()], [1, 1, 1]);
});

test('exp, log and sqrt at the edges of their domains', () => {
  const x = tensor([-Infinity, 0, Infinity, -1], { dtype: 'float64' });
  assert.equal([...exp(x).dataSync()], [0, 1, Infinity, Math.exp(-1)]);
  const l = [...log(x).dataSync()];
  assert.equal(l.slice(1, 3), [-Infinity, Infinity]);
  assert.ok(Number.isNaN(l[3]));
  assert.ok(Number.isNaN(sqrt(x).dataSync()[3]));
  // huge float32 exp overflows to Infinity, not garbage
  assert.is(exp(tensor([100])).dataSync()[0], Infinity);
});

test.run();
