// wasm vs cpu: layerNorm (y, mean, rstd), layerNormBackward and layerNormParamGrads on random
// [rows, n] (rows split over threads; the parameter gradients by groups of four columns, with
// the scalar path for a partial last group).
// Tolerances (u = 2⁻²⁴, x̂ = (x − μ)·rstd): mean and rstd are the cpu's float64 statistics in
// another summation order, rounded once: u·|value| + n·2⁻⁵²·(mean|x| resp. rstd); y 8u·(|x̂|·|w| +
// |b|) + |w|·rstd·u·|μ| (μ is rounded to float32 before x − μ); dx 16u·rstd·(|dy·w| + mean|dy·w| +
// |x̂|·mean|dy·w·x̂|) + 16u·|x̂|·|dx|; dweight and dbias 4u·Σ_rows |dy|·(1 + |x̂|).
import fc from 'fast-check';
import { test } from 'uvu';
import { assertClose, BACKENDS, both, normals, RUNS, U } from './setup.js';

const shape = fc.record({
  rows: fc.integer({ min: 1, max: 40 }),
  n: fc.oneof(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 190, max: 400 })),
  seed: fc.integer(),
});

function stats(x: Float32Array, rows: number, n: number) {
  const mu = new Float64Array(rows);
  const rs = new Float64Array(rows);
  const absMean = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0,
      a = 0;
    for (let j = 0; j < n; j++) {
      s += x[r * n + j];
      a += Math.abs(x[r * n + j]);
    }
    mu[r] = s / n;
    absMean[r] = a / n;
    let v = 0;
    for (let j = 0; j < n; j++) v += (x[r * n + j] - mu[r]) ** 2;
    rs[r] = 1 / Math.sqrt(v / n + 1e-5);
  }
  return { mu, rs, absMean };
}

for (const { label, k } of BACKENDS) {
  test(`layerNorm (${label}): wasm equals cpu (y, mean, rstd)`, () => {
    fc.assert(
      fc.property(shape, ({ rows, n, seed }) => {
        const x = normals(rows * n, seed, 2).map((v, i) => v + (i % 7)); // a non-zero mean
        const w = normals(n, seed + 1);
        const b = normals(n, seed + 2);
        const { mu, rs, absMean } = stats(x, rows, n);
        const { got, want } = both(k, [x, w, b], (bk, [sx, sw, sb]) => {
          const o = bk.layerNorm(sx, sw, sb, rows, n, 1e-5);
          return [o.y, o.mean, o.rstd];
        });
        const slack = n * 2 ** -52;
        assertClose('mean', got[1], want[1], (r) => U * Math.abs(mu[r]) + slack * absMean[r]);
        assertClose('rstd', got[2], want[2], (r) => U * rs[r] + slack * rs[r] * 8);
        assertClose(`layerNorm y [${rows}, ${n}]`, got[0], want[0], (i) => {
          const r = Math.floor(i / n),
            j = i % n;
          const xh = Math.abs((x[i] - mu[r]) * rs[r]);
          return (
            8 * U * (xh * Math.abs(w[j]) + Math.abs(b[j])) +
            Math.abs(w[j]) * rs[r] * U * Math.abs(mu[r])
          );
        });
      }),
      RUNS,
    );
  });

  test(`layerNormBackward and layerNormParamGrads (${label}): wasm equals cpu`, () => {
    fc.assert(
      fc.property(shape, ({ rows, n, seed }) => {
        const x = normals(rows * n, seed, 2);
        const w = normals(n, seed + 1);
        const dy = normals(rows * n, seed + 2);
        const { mu, rs } = stats(x, rows, n);
        const mean = Float32Array.from(mu);
        const rstd = Float32Array.from(rs);
        const { got, want } = both(k, [dy, x, w, mean, rstd], (bk, [sdy, sx, sw, sm, sr]) => {
          const p = bk.layerNormParamGrads(sdy, sx, sm, sr, rows, n);
          return [bk.layerNormBackward(sdy, sx, sw, sm, sr, rows, n), p.dweight, p.dbias];
        });
        const xh = (i: number) => (x[i] - mean[Math.floor(i / n)]) * rstd[Math.floor(i / n)];
        const mg = new Float64Array(rows);
        const mgx = new Float64Array(rows);
        const colW = new Float64Array(n);
        const colB = new Float64Array(n);
        for (let i = 0; i < rows * n; i++) {
          const r = Math.floor(i / n),
            j = i % n;
          mg[r] += Math.abs(dy[i] * w[j]) / n;
          mgx[r] += Math.abs(dy[i] * w[j] * xh(i)) / n;
          colW[j] += Math.abs(dy[i] * xh(i));
          colB[j] += Math.abs(dy[i]);
        }
        assertClose(`layerNormBackward [${rows}, ${n}]`, got[0], want[0], (i) => {
          const r = Math.floor(i / n),
            j = i % n;
          return (
            16 *
            U *
            (rs[r] * (Math.abs(dy[i] * w[j]) + mg[r] + Math.abs(xh(i)) * mgx[r]) +
              Math.abs(xh(i) * want[0][i]))
          );
        });
        assertClose('dweight', got[1], want[1], (j) => 4 * U * (colW[j] + colB[j]));
        assertClose('dbias', got[2], want[2], (j) => U * Math.abs(want[2][j]) + 2 ** -40 * colB[j]);
      }),
      RUNS,
    );
  });
}

test.run();
