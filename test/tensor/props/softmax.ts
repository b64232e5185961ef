// The softmax kernel properties, written once for every backend tested against the cpu reference
// (test/tensor/wasm/softmax.test.ts, test/tensor/gpu/softmax.test.ts): softmax, logSoftmax and
// their backward kernels over random [rows, n], with rows longer than 1000 (the gpu's loop cap,
// several vectors and a tail on wasm), and optionally rows holding NaN, ±∞, equal values and
// ±1e30. Each backend brings its tolerances (how it computes exp, log and ÷ sets them) and the
// largest input scale it is held to; this file computes the magnitudes they are written in, in
// float64: per row the max of x (forward), Σ dy·y and Σ|dy·y| (softmaxBackward), Σ dy and Σ|dy|
// (logSoftmaxBackward).

import fc from 'fast-check';
import { test } from 'uvu';
import { type Harness, normals, title } from './harness.js';

export interface SoftmaxBounds {
  /** The largest scale of the inputs of the forward properties (normal values times it). */
  maxScale: number;
  /** softmax y = softmax(x)[i] from d = max of the row − x[i] and the cpu's |y|. */
  softmax(d: number, y: number): number;
  /** logSoftmax[i] from |x[i]|, |max of the row| and n. */
  logSoftmax(x: number, max: number, n: number): number;
  /** softmaxBackward[i] from |y|, |dy|, Σ_row |dy·y| and |Σ_row dy·y|. */
  softmaxBackward(y: number, dy: number, absDot: number, dot: number): number;
  /** logSoftmaxBackward[i] from y (a log-probability), |dy|, Σ_row |dy| and |Σ_row dy|. */
  logSoftmaxBackward(y: number, dy: number, absSum: number, sum: number): number;
  /** When given, also the rows of special values, within this bound of the cpu's |out|. */
  specials?: (out: number) => number;
}

function rowMax(x: Float32Array, rows: number, n: number): Float64Array {
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

/** Registers the softmax properties of one backend. */
export function softmaxProperties(h: Harness, tol: SoftmaxBounds): void {
  const equals = `${h.backend} equals cpu`;
  const shape = fc.record({
    rows: fc.integer({ min: 1, max: 30 }),
    n: fc.oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1001, max: 2500 })),
    seed: fc.integer(),
    scale: fc.double({ min: 0.1, max: tol.maxScale, noNaN: true }),
  });

  test(title(h, 'softmax', equals), async () => {
    await fc.assert(
      fc.asyncProperty(shape, async ({ rows, n, seed, scale }) => {
        const x = normals(rows * n, seed, scale);
        const m = rowMax(x, rows, n);
        const { got, want } = await h.both([x], (k, [s]) => k.softmax(s, rows, n));
        const bound = (i: number) => tol.softmax(m[Math.floor(i / n)] - x[i], Math.abs(want[0][i]));
        h.assertClose(`softmax [${rows}, ${n}]`, got[0], want[0], bound);
      }),
      h.runs,
    );
  });

  test(title(h, 'logSoftmax', equals), async () => {
    await fc.assert(
      fc.asyncProperty(shape, async ({ rows, n, seed, scale }) => {
        const x = normals(rows * n, seed, scale);
        const m = rowMax(x, rows, n);
        const { got, want } = await h.both([x], (k, [s]) => k.logSoftmax(s, rows, n));
        const bound = (i: number) =>
          tol.logSoftmax(Math.abs(x[i]), Math.abs(m[Math.floor(i / n)]), n);
        h.assertClose(`logSoftmax [${rows}, ${n}]`, got[0], want[0], bound);
      }),
      h.runs,
    );
  });

  const specials = tol.specials;
  if (specials)
    test(title(h, 'softmax and logSoftmax', 'rows with NaN, ±∞ and all equal values'), async () => {
      const n = 7;
      const x = Float32Array.from([
        ...[1, 2, NaN, 4, 5, 6, 7],
        ...[-Infinity, 0, 1, 2, 3, 4, 5],
        ...[Infinity, 0, 1, 2, 3, 4, 5],
        ...[3, 3, 3, 3, 3, 3, 3],
        ...[-1e30, 1e30, 0, 0, 0, 0, 0],
      ]);
      for (const op of ['softmax', 'logSoftmax'] as const) {
        const { got, want } = await h.both([x], (k, [s]) => k[op](s, 5, n));
        h.assertClose(`${op} specials`, got[0], want[0], (i) => specials(Math.abs(want[0][i])));
      }
    });

  test(title(h, 'softmaxBackward', equals), async () => {
    await fc.assert(
      fc.asyncProperty(shape, async ({ rows, n, seed }) => {
        const y = normals(rows * n, seed).map((v) => Math.abs(v) / n); // probabilities
        const dy = normals(rows * n, seed + 1);
        const dot = rowSum(dy, rows, n, (a, i) => a * y[i]);
        const absDot = rowSum(dy, rows, n, (a, i) => Math.abs(a * y[i]));
        const { got, want } = await h.both([y, dy], (k, [a, b]) =>
          k.softmaxBackward(a, b, rows, n),
        );
        const bound = (i: number) => {
          const r = Math.floor(i / n);
          return tol.softmaxBackward(Math.abs(y[i]), Math.abs(dy[i]), absDot[r], Math.abs(dot[r]));
        };
        h.assertClose(`softmaxBackward [${rows}, ${n}]`, got[0], want[0], bound);
      }),
      h.runs,
    );
  });

  test(title(h, 'logSoftmaxBackward', equals), async () => {
    await fc.assert(
      fc.asyncProperty(shape, async ({ rows, n, seed }) => {
        // log-probabilities
        const y = normals(rows * n, seed).map((v) => -Math.abs(v) - Math.log(n));
        const dy = normals(rows * n, seed + 1);
        const sum = rowSum(dy, rows, n, (a) => a);
        const absSum = rowSum(dy, rows, n, (a) => Math.abs(a));
        const { got, want } = await h.both([y, dy], (k, [a, b]) =>
          k.logSoftmaxBackward(a, b, rows, n),
        );
        const bound = (i: number) => {
          const r = Math.floor(i / n);
          return tol.logSoftmaxBackward(y[i], Math.abs(dy[i]), absSum[r], Math.abs(sum[r]));
        };
        h.assertClose(`logSoftmaxBackward [${rows}, ${n}]`, got[0], want[0], bound);
      }),
      h.runs,
    );
  });
}
