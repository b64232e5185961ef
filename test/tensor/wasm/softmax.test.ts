// wasm vs cpu: softmax, logSoftmax and their backward kernels over [rows, n], rows and lengths
// random (tails of 1–3 elements after the vectors), split over threads by rows.
// Tolerances (u = 2⁻²⁴; d = |x − max of the row|, which exp amplifies): softmax 8u·(1 + d)·|y|
// + 2⁻¹⁴⁸ (subnormal results are spaced 2⁻¹⁴⁹ apart);
// logSoftmax 8u·(|x| + |max| + log n + 1); softmaxBackward |y|·(4u·Σ|dy·y| + 4u·(|dy| + |Σ dy·y|));
// logSoftmaxBackward 4u·(|dy| + e^y·(Σ|dy| + |Σ dy|)) + 4u·e^y·|y|·|Σ dy| (exp's error).
import fc from 'fast-check';
import { test } from 'uvu';
import { assertClose, BACKENDS, both, normals, RUNS, U } from './setup.js';

const shape = fc.record({
  rows: fc.integer({ min: 1, max: 30 }),
  n: fc.oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1001, max: 2500 })),
  seed: fc.integer(),
  scale: fc.double({ min: 0.1, max: 30, noNaN: true }),
});

function rowMax(x: Float32Array, rows: number, n: number) {
  const m = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    m[r] = -Infinity;
    for (let j = 0; j < n; j++) m[r] = Math.max(m[r], x[r * n + j]);
  }
  return m;
}

const rowSum = (v: Float32Array, rows: number, n: number, f: (a: number, i: number) => number) => {
  const s = new Float64Array(rows);
  for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) s[r] += f(v[r * n + j], r * n + j);
  return s;
};

for (const { label, k } of BACKENDS) {
  test(`softmax (${label}): wasm equals cpu`, () => {
    fc.assert(
      fc.property(shape, ({ rows, n, seed, scale }) => {
        const x = normals(rows * n, seed, scale);
        const m = rowMax(x, rows, n);
        const { got, want } = both(k, [x], (b, [s]) => b.softmax(s, rows, n));
        const tol = (i: number) =>
          8 * U * (1 + m[Math.floor(i / n)] - x[i]) * Math.abs(want[0][i]) + 2 ** -148;
        assertClose(`softmax [${rows}, ${n}]`, got[0], want[0], tol);
      }),
      RUNS,
    );
  });

  test(`logSoftmax (${label}): wasm equals cpu`, () => {
    fc.assert(
      fc.property(shape, ({ rows, n, seed, scale }) => {
        const x = normals(rows * n, seed, scale);
        const m = rowMax(x, rows, n);
        const { got, want } = both(k, [x], (b, [s]) => b.logSoftmax(s, rows, n));
        const tol = (i: number) =>
          8 * U * (Math.abs(x[i]) + Math.abs(m[Math.floor(i / n)]) + Math.log(n) + 1);
        assertClose(`logSoftmax [${rows}, ${n}]`, got[0], want[0], tol);
      }),
      RUNS,
    );
  });

  test(`softmax and logSoftmax (${label}): rows with NaN, ±∞ and all equal values`, () => {
    const n = 7;
    const x = Float32Array.from([
      ...[1, 2, NaN, 4, 5, 6, 7],
      ...[-Infinity, 0, 1, 2, 3, 4, 5],
      ...[Infinity, 0, 1, 2, 3, 4, 5],
      ...[3, 3, 3, 3, 3, 3, 3],
      ...[-1e30, 1e30, 0, 0, 0, 0, 0],
    ]);
    for (const op of ['softmax', 'logSoftmax'] as const) {
      const { got, want } = both(k, [x], (b, [s]) => b[op](s, 5, n));
      assertClose(`${op} specials`, got[0], want[0], (i) => 8 * U * (1 + Math.abs(want[0][i])));
    }
  });

  test(`softmaxBackward (${label}): wasm equals cpu`, () => {
    fc.assert(
      fc.property(shape, ({ rows, n, seed }) => {
        const y = normals(rows * n, seed).map((v) => Math.abs(v) / n);
        const dy = normals(rows * n, seed + 1);
        const dot = rowSum(dy, rows, n, (a, i) => a * y[i]);
        const absDot = rowSum(dy, rows, n, (a, i) => Math.abs(a * y[i]));
        const { got, want } = both(k, [y, dy], (b, [a, c]) => b.softmaxBackward(a, c, rows, n));
        const tol = (i: number) => {
          const r = Math.floor(i / n);
          return (
            Math.abs(y[i]) * (4 * U * absDot[r] + 4 * U * (Math.abs(dy[i]) + Math.abs(dot[r])))
          );
        };
        assertClose(`softmaxBackward [${rows}, ${n}]`, got[0], want[0], tol);
      }),
      RUNS,
    );
  });

  test(`logSoftmaxBackward (${label}): wasm equals cpu`, () => {
    fc.assert(
      fc.property(shape, ({ rows, n, seed }) => {
        const y = normals(rows * n, seed).map((v) => -Math.abs(v) - Math.log(n));
        const dy = normals(rows * n, seed + 1);
        const sum = rowSum(dy, rows, n, (a) => a);
        const absSum = rowSum(dy, rows, n, (a) => Math.abs(a));
        const { got, want } = both(k, [y, dy], (b, [a, c]) => b.logSoftmaxBackward(a, c, rows, n));
        const tol = (i: number) => {
          const r = Math.floor(i / n);
          const e = Math.exp(y[i]);
          return (
            4 * U * (Math.abs(dy[i]) + e * (absSum[r] + Math.abs(sum[r]))) +
            4 * U * e * Math.abs(sum[r])
          );
        };
        assertClose(`logSoftmaxBackward [${rows}, ${n}]`, got[0], want[0], tol);
      }),
      RUNS,
    );
  });
}

test.run();
