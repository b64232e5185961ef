// gpu vs cpu: softmax, logSoftmax and their backward kernels over [rows, n], rows and lengths
// random, including rows longer than 1000 (the loopMaxIterations trap).
// Tolerances (u = 2⁻²⁴; d = |x − max of the row|, which exp amplifies): softmax 8u·(1 + d)·|y|;
// logSoftmax 8u·(|x| + |max| + log n + 1); softmaxBackward |y|·(4u·Σ|dy·y| + 4u·(|dy| + |Σ dy·y|));
// logSoftmaxBackward 4u·(|dy| + e^y·(Σ|dy| + |Σ dy|)). On webgpu exp, log and ÷ add their WGSL ulp.
import fc from 'fast-check';
import { test } from 'uvu';
import { assertClose, both, normals, RUNS, U, wgsl } from './setup.js';

const shape = fc.record({
  rows: fc.integer({ min: 1, max: 30 }),
  n: fc.oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1001, max: 2500 })),
  seed: fc.integer(),
  scale: fc.double({ min: 0.1, max: 6, noNaN: true }),
});

/** Per row: max, Σ dy, Σ|dy|, Σ dy·y, Σ|dy·y|. */
function rowStats(x: Float32Array, rows: number, n: number) {
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

test('softmax: gpu equals cpu', async () => {
  await fc.assert(
    fc.asyncProperty(shape, async ({ rows, n, seed, scale }) => {
      const x = normals(rows * n, seed, scale);
      const m = rowStats(x, rows, n);
      const { got, want } = await both([x], (k, [s]) => k.softmax(s, rows, n));
      const tol = (i: number) => {
        const d = m[Math.floor(i / n)] - x[i];
        return 8 * U * (1 + d + wgsl(3 + 2 * d)) * Math.abs(want[0][i]);
      };
      assertClose(`softmax [${rows}, ${n}]`, got[0], want[0], tol);
    }),
    RUNS,
  );
});

test('logSoftmax: gpu equals cpu', async () => {
  await fc.assert(
    fc.asyncProperty(shape, async ({ rows, n, seed, scale }) => {
      const x = normals(rows * n, seed, scale);
      const m = rowStats(x, rows, n);
      const { got, want } = await both([x], (k, [s]) => k.logSoftmax(s, rows, n));
      const tol = (i: number) =>
        8 * U * (Math.abs(x[i]) + Math.abs(m[Math.floor(i / n)]) + Math.log(n) + 1) +
        wgsl(2 ** -19);
      assertClose(`logSoftmax [${rows}, ${n}]`, got[0], want[0], tol);
    }),
    RUNS,
  );
});

test('softmaxBackward: gpu equals cpu', async () => {
  await fc.assert(
    fc.asyncProperty(shape, async ({ rows, n, seed }) => {
      const y = normals(rows * n, seed).map((v) => Math.abs(v) / n);
      const dy = normals(rows * n, seed + 1);
      const dot = rowSum(dy, rows, n, (a, i) => a * y[i]);
      const absDot = rowSum(dy, rows, n, (a, i) => Math.abs(a * y[i]));
      const { got, want } = await both([y, dy], (k, [a, b]) => k.softmaxBackward(a, b, rows, n));
      const tol = (i: number) => {
        const r = Math.floor(i / n);
        return Math.abs(y[i]) * (4 * U * absDot[r] + 4 * U * (Math.abs(dy[i]) + Math.abs(dot[r])));
      };
      assertClose(`softmaxBackward [${rows}, ${n}]`, got[0], want[0], tol);
    }),
    RUNS,
  );
});

test('logSoftmaxBackward: gpu equals cpu', async () => {
  await fc.assert(
    fc.asyncProperty(shape, async ({ rows, n, seed }) => {
      const y = normals(rows * n, seed).map((v) => -Math.abs(v) - Math.log(n)); // log-probabilities
      const dy = normals(rows * n, seed + 1);
      const s = rowSum(dy, rows, n, (a) => a);
      const abs = rowSum(dy, rows, n, (a) => Math.abs(a));
      const { got, want } = await both([y, dy], (k, [a, b]) => k.logSoftmaxBackward(a, b, rows, n));
      const tol = (i: number) => {
        const r = Math.floor(i / n);
        const e = Math.exp(y[i]);
        return (
          4 * U * (Math.abs(dy[i]) + e * (abs[r] + Math.abs(s[r]))) +
          wgsl(8 * U * e * Math.abs(s[r]) * (3 + 2 * Math.abs(y[i])))
        );
      };
      assertClose(`logSoftmaxBackward [${rows}, ${n}]`, got[0], want[0], tol);
    }),
    RUNS,
  );
});

test.run();
