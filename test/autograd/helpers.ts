// Shared test helpers for the engine suites (test/tensor, test/autograd): fast-check settings and
// arbitraries for shapes, seeded data, naive index-by-index reference implementations (written
// here, independent of the kernels), and assertions for closeness, gradcheck and float32 agreement.
//
// Oracles used by the op suites, for each op:
//   1. forward in float64 against a naive loop over multi-indices (never the same kernel);
//   2. gradcheck in float64 (central differences, src/autograd/gradcheck.ts);
//   3. float32 forward against the float64 forward on the same (float32-representable) inputs,
//      within a tolerance stated per op in units of u = 2^-24 (half an ulp of float32).
//
// FC_RUNS scales the number of fast-check runs; FC_SEED replays a failing run.

import fc from 'fast-check';
import * as assert from 'uvu/assert';
import {
  Generator,
  gradcheck,
  tensor,
  type Tensor,
  type GradcheckOptions,
} from '../../src/index.js';

// ---------------------------------------------------------------------------------------------
// fast-check

const RUN_SCALE = Number(process.env.FC_RUNS ?? 1);
const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : undefined;

/** fc.assert with a capped number of runs (scaled by FC_RUNS) and an optional fixed seed. */
export function check<T>(arb: fc.Arbitrary<T>, body: (v: T) => void, numRuns = 30): void {
  const details = fc.check(fc.property(arb, body), {
    numRuns: Math.max(1, Math.round(numRuns * RUN_SCALE)),
    ...(SEED !== undefined ? { seed: SEED } : {}),
  });
  if (details.failed) {
    const cause =
      details.errorInstance instanceof Error
        ? details.errorInstance.message
        : String(details.errorInstance);
    throw new Error(
      `${cause}\n  counterexample ${fc.stringify(details.counterexample)} ` +
        `(FC_SEED=${details.seed} replays the run)`,
    );
  }
}

/** A shape with rank in [minRank, maxRank] and dimensions in [1, maxDim] (size 1 is frequent). */
export function shapeArb(minRank: number, maxRank: number, maxDim = 5): fc.Arbitrary<number[]> {
  const dimArb = fc.oneof(fc.constant(1), fc.integer({ min: 1, max: maxDim }));
  return fc.array(dimArb, { minLength: minRank, maxLength: maxRank });
}

/** A shape that broadcasts to `out`: some leading axes dropped, some axes set to 1. */
export function broadcastableTo(out: readonly number[]): fc.Arbitrary<number[]> {
  return fc
    .tuple(
      fc.integer({ min: 0, max: out.length }),
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
    )
    .map(([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
}

/** Two shapes that broadcast together (NumPy rules), with size-1 and missing leading axes. */
export function broadcastPairArb(
  maxRank = 4,
  maxDim = 4,
): fc.Arbitrary<{ a: number[]; b: number[] }> {
  return shapeArb(0, maxRank, maxDim).chain((out) =>
    fc.record({ a: broadcastableTo(out), b: broadcastableTo(out) }),
  );
}

/** A seed for seededData. */
export const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });

// ---------------------------------------------------------------------------------------------
// data

export const prod = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

/**
 * Float64 data, normal(0, 1) scaled, from a seed, rounded to float32-representable values so that
 * the float32 and float64 runs of an op see identical inputs. `lo`/`hi` give uniform data instead;
 * `awayFrom` pushes values at least that far from the given points (for kinks: abs at 0, clamp).
 */
export function seededData(
  n: number,
  seed: number,
  opts: { scale?: number; lo?: number; hi?: number; awayFrom?: number[]; gap?: number } = {},
): Float64Array {
  const g = new Generator(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v =
      opts.lo !== undefined
        ? g.uniformRange(opts.lo, opts.hi ?? opts.lo + 1)
        : g.normal() * (opts.scale ?? 1);
    for (const p of opts.awayFrom ?? []) {
      const gap = opts.gap ?? 0.05;
      if (Math.abs(v - p) < gap) v = p + (v >= p ? gap : -gap);
    }
    out[i] = Math.fround(v);
  }
  return out;
}

export interface Arr {
  data: Float64Array;
  shape: number[];
}

export function arr(
  shape: readonly number[],
  seed: number,
  opts?: Parameters<typeof seededData>[2],
): Arr {
  return { data: seededData(prod(shape), seed, opts), shape: [...shape] };
}

export function t64(a: Arr, requiresGrad = false): Tensor {
  return tensor(a.data, { shape: a.shape, dtype: 'float64', requiresGrad });
}

export function t32(a: Arr, requiresGrad = false): Tensor {
  return tensor(a.data, { shape: a.shape, dtype: 'float32', requiresGrad });
}

// ---------------------------------------------------------------------------------------------
// naive reference implementations (index by index)

export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let o = 0;
  for (let d = 0; d < shape.length; d++) o = o * shape[d] + idx[d];
  return o;
}

/** NumPy broadcast of two shapes, written out plainly (throws on a mismatch). */
export function naiveBroadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error('not broadcastable');
    out.push(Math.max(da, db));
  }
  return out;
}

/** The flat index in `inShape` read by output multi-index `outIdx` under broadcasting. */
export function broadcastSource(outIdx: readonly number[], inShape: readonly number[]): number {
  const lead = outIdx.length - inShape.length;
  return ravel(
    inShape.map((d, i) => (d === 1 ? 0 : outIdx[i + lead])),
    inShape,
  );
}

export function naiveBroadcastTo(a: Arr, shape: readonly number[]): Arr {
  const n = prod(shape);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = a.data[broadcastSource(unravel(i, shape), a.shape)];
  return { data, shape: [...shape] };
}

export function naiveBinary(f: (x: number, y: number) => number, a: Arr, b: Arr): Arr {
  const shape = naiveBroadcastShape(a.shape, b.shape);
  const n = prod(shape);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    data[i] = f(a.data[broadcastSource(idx, a.shape)], b.data[broadcastSource(idx, b.shape)]);
  }
  return { data, shape };
}

export function naiveUnary(f: (x: number) => number, a: Arr): Arr {
  return { data: a.data.map(f), shape: [...a.shape] };
}

/** Reduction over `axes` by visiting every input element and adding it into its output slot. */
export function naiveReduce(
  a: Arr,
  axes: readonly number[],
  keepdim: boolean,
  op: 'sum' | 'max' | 'mean' | 'abssum',
): Arr {
  const ax = axes.map((x) => (x < 0 ? x + a.shape.length : x));
  const kept = a.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const out = new Float64Array(prod(kept)).fill(op === 'max' ? -Infinity : 0);
  for (let i = 0; i < a.data.length; i++) {
    const idx = unravel(i, a.shape).map((v, d) => (ax.includes(d) ? 0 : v));
    const o = ravel(idx, kept);
    const v = a.data[i];
    if (op === 'max') out[o] = Math.max(out[o], v);
    else out[o] += op === 'abssum' ? Math.abs(v) : v;
  }
  if (op === 'mean') {
    const n = ax.reduce((p, d) => p * a.shape[d], 1);
    for (let i = 0; i < out.length; i++) out[i] /= n;
  }
  return { data: out, shape: keepdim ? kept : a.shape.filter((_, i) => !ax.includes(i)) };
}

/** out[j] = a[perm-ed index]: output axis i is input axis perm[i]. */
export function naivePermute(a: Arr, perm: readonly number[]): Arr {
  const shape = perm.map((p) => a.shape[p]);
  const data = new Float64Array(a.data.length);
  for (let i = 0; i < data.length; i++) {
    const oi = unravel(i, shape);
    const ii = new Array<number>(a.shape.length);
    perm.forEach((p, k) => (ii[p] = oi[k]));
    data[i] = a.data[ravel(ii, a.shape)];
  }
  return { data, shape };
}

/** Plain triple loop with NumPy semantics: batch broadcasting and 1-D operands. */
export function naiveMatmul(a: Arr, b: Arr): Arr {
  const aS = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const bS = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  const M = aS[aS.length - 2],
    K = aS[aS.length - 1],
    N = bS[bS.length - 1];
  if (bS[bS.length - 2] !== K) throw new Error('inner dims');
  const batch = naiveBroadcastShape(aS.slice(0, -2), bS.slice(0, -2));
  const nb = prod(batch);
  const data = new Float64Array(nb * M * N);
  for (let t = 0; t < nb; t++) {
    const bi = unravel(t, batch);
    const aOff = broadcastSource(bi, aS.slice(0, -2)) * M * K;
    const bOff = broadcastSource(bi, bS.slice(0, -2)) * K * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a.data[aOff + i * K + k] * b.data[bOff + k * N + j];
        data[(t * M + i) * N + j] = s;
      }
    }
  }
  let shape = [...batch, M, N];
  if (a.shape.length === 1) shape = shape.filter((_, i) => i !== shape.length - 2);
  if (b.shape.length === 1) shape = shape.slice(0, -1);
  return { data, shape };
}

/** Applies a row function along `axis` (gathering each 1-D fibre). */
export function naiveAlongAxis(a: Arr, axis: number, f: (row: number[]) => number[]): Arr {
  const ax = axis < 0 ? axis + a.shape.length : axis;
  const n = a.shape[ax];
  const data = new Float64Array(a.data.length);
  const outerShape = a.shape.map((d, i) => (i === ax ? 1 : d));
  for (let o = 0; o < prod(outerShape); o++) {
    const base = unravel(o, outerShape);
    const flat = (j: number) =>
      ravel(
        base.map((v, i) => (i === ax ? j : v)),
        a.shape,
      );
    const row = Array.from({ length: n }, (_, j) => a.data[flat(j)]);
    const out = f(row);
    out.forEach((v, j) => (data[flat(j)] = v));
  }
  return { data, shape: [...a.shape] };
}

/**
 * erf by its everywhere-positive series erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1))
 * (Abramowitz & Stegun 7.1.6), and for |x| ≥ 2 by 1 − erfc(|x|) with erfc's continued fraction
 * (A&S 7.1.14). No cancellation either way, so it is good to a few ulps (checked against
 * mpmath), and independent of the Chebyshev fit in src/tensor/cpu/erf.ts.
 */
export function naiveErf(x: number): number {
  if (Math.abs(x) >= 2) return Math.sign(x) * (1 - naiveErfc(Math.abs(x)));
  let term = x;
  let s = x;
  for (let n = 0; n < 500 && Math.abs(term) > 1e-17 * Math.abs(s); n++) {
    term *= (2 * x * x) / (2 * n + 3);
    s += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * s;
}

/** erfc(x) for x ≥ 2: e^(−x²)/√π · 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + …)))). */
function naiveErfc(x: number): number {
  let f = x;
  for (let n = 400; n >= 1; n--) f = x + n / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** GELU x·Φ(x); for x/√2 ≤ −2 as x/2 · erfc(−x/√2), avoiding the cancellation in 1 + erf. */
export function naiveGelu(x: number): number {
  const z = x / Math.SQRT2;
  return z <= -2 ? 0.5 * x * naiveErfc(-z) : 0.5 * x * (1 + naiveErf(z));
}

// ---------------------------------------------------------------------------------------------
// assertions

/** Float32 rounding unit: half an ulp at 1. */
export const U32 = 2 ** -24;

/** Every element within atol + rtol·|expected| (NaN only matches NaN). Prints the worst one. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: { atol?: number; rtol?: number } = {},
  what = '',
): void {
  const { atol = 1e-12, rtol = 1e-12 } = tol;
  assert.is(actual.length, expected.length, `${what}: length`);
  let worst = -1;
  let worstRatio = 1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i],
      e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue; // infinities
    const r = Math.abs(a - e) / (atol + rtol * Math.abs(e));
    if (!(r <= worstRatio)) {
      worstRatio = Number.isNaN(r) ? Infinity : r;
      worst = i;
    }
  }
  if (worst >= 0) {
    assert.unreachable(
      `${what}: element ${worst}: got ${actual[worst]}, expected ${expected[worst]} ` +
        `(|diff| ${Math.abs(actual[worst] - expected[worst])}, atol ${atol}, rtol ${rtol})`,
    );
  }
}

/** Asserts shape and values of a tensor against a naive result. */
export function assertTensor(
  t: Tensor,
  expected: Arr,
  tol?: { atol?: number; rtol?: number },
  what = '',
): void {
  assert.equal([...t.shape], expected.shape, `${what}: shape`);
  assertClose(t.dataSync(), expected.data, tol, what);
}

/** gradcheck in float64 must pass; the message names the worst element on failure. */
export function assertGradcheck(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: Arr[],
  opts: GradcheckOptions = {},
  what = '',
): void {
  const r = gradcheck(
    fn,
    inputs.map((a) => t64(a)),
    opts,
  );
  assert.ok(r.ok, `${what}: ${r.message}`);
}

/**
 * The float32 forward agrees with the float64 forward on the same inputs:
 * |y32 − y64| ≤ ulps·u·|y64| + atol, u = 2^-24. For a kernel that computes in float64 and rounds
 * once (ulps = 1) this says y32 is the correctly rounded y64.
 */
export function assertF32Agrees(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: Arr[],
  tol: { ulps: number; atol?: number },
  what = '',
): void {
  const y64 = fn(...inputs.map((a) => t64(a)));
  const y32 = fn(...inputs.map((a) => t32(a)));
  assert.is(y64.dtype, 'float64');
  assert.is(y32.dtype, 'float32', `${what}: float32 in, float32 out`);
  assert.equal([...y32.shape], [...y64.shape]);
  assertClose(
    y32.dataSync(),
    y64.dataSync(),
    { atol: tol.atol ?? 0, rtol: tol.ulps * U32 * (1 + 1e-9) },
    `${what} f32 vs f64`,
  );
}

/** Runs fn and returns the ShapeError / Error message it throws. */
export function throwsMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  assert.unreachable('expected an error');
  return '';
}
