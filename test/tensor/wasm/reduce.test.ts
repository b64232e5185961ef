// wasm vs cpu: sum and max over x viewed as [outer, n, inner], on the row kernel (inner = 1) and
// the column kernel (blocks of 16 columns, then 4-column vectors and single columns), split over
// threads by rows or column blocks; reduced lengths up to 3000 and a full reduction of 70 000.
// Tolerances: max is exact; sum accumulates in float64 like the cpu, in another order, so it is
// within u·|sum| (the final rounding may land on the other side) + n·2⁻⁵²·Σ|x|.
import fc from 'fast-check';
import { test } from 'uvu';
import { assertClose, BACKENDS, both, exact, normals, RUNS, U } from './setup.js';

/** Σ|x| over the elements that output (o, i) reduces. */
function absSums(x: Float32Array, outer: number, n: number, inner: number): Float64Array {
  const s = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < n; j++)
      for (let i = 0; i < inner; i++) s[o * inner + i] += Math.abs(x[(o * n + j) * inner + i]);
  return s;
}

for (const { label, k } of BACKENDS) {
  const check = (op: 'sum' | 'max', outer: number, n: number, inner: number, seed: number) => {
    const x = normals(outer * n * inner, seed, 3);
    if (seed % 5 === 0 && x.length > 3) x[seed % x.length] = NaN; // NaN propagates through both
    const { got, want } = both(k, [x], (b, [s]) => b[op](s, outer, n, inner));
    const abs = op === 'sum' ? absSums(x, outer, n, inner) : null;
    assertClose(
      `${op} [${outer}, ${n}, ${inner}]`,
      got[0],
      want[0],
      abs ? (i) => U * Math.abs(want[0][i]) + n * 2 ** -52 * abs[i] : exact,
    );
  };

  const view = fc.record({
    outer: fc.integer({ min: 1, max: 12 }),
    n: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 900, max: 3000 })),
    inner: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 40 })),
    seed: fc.integer(),
  });

  for (const op of ['sum', 'max'] as const) {
    test(`${op} (${label}): wasm equals cpu on random [outer, n, inner] views`, () => {
      fc.assert(
        fc.property(view, (v) => check(op, v.outer, v.n, v.inner, v.seed)),
        RUNS,
      );
    });

    test(`${op} (${label}): long columns, many rows, a full reduction of 70 000`, () => {
      check(op, 3, 1500, 67, 11);
      check(op, 4096, 150, 1, 12);
      check(op, 1, 70000, 1, 13);
    });
  }

  test(`sum (${label}) over an empty axis is 0; max of -0 and +0 is a zero`, () => {
    const { got } = both(k, [new Float32Array(0)], (b, [s]) => b.sum(s, 3, 0, 2));
    assertClose('sum of nothing', got[0], new Float32Array(6), exact);
  });
}

test.run();
