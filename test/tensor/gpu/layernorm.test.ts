// gpu vs cpu: layerNorm (y, mean, rstd), layerNormBackward and layerNormParamGrads on random
// [rows, n], with rows of more than 1000 elements (loop cap) and more than 1000 rows (the
// parameter gradients reduce over rows, through the chunked path).
// Tolerances (u = 2⁻²⁴, x̂ = (x − μ)·rstd): mean 4u·mean|x|; rstd 16u·rstd; y 16u·(|x̂|·|w| + |b|)
// + |w|·rstd·4u·mean|x|; dx 16u·rstd·(|dy·w| + mean|dy·w| + |x̂|·mean|dy·w·x̂|) + 16u·|x̂|·|dx|;
// dweight and dbias 8u·Σ_rows |dy|·(1 + |x̂|). On webgpu ÷ and sqrt add their WGSL ulp (×2).
import fc from 'fast-check';
import { test } from 'uvu';
import { assertClose, both, normals, RUNS, U, WEBGPU } from './setup.js';

const K = WEBGPU ? 2 : 1;
const shape = fc
  .record({
    rows: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1001, max: 1300 })),
    n: fc.oneof(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1001, max: 1500 })),
    seed: fc.integer(),
  })
  .filter(({ rows, n }) => rows * n < 400000);

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

test('layerNorm: gpu equals cpu (y, mean, rstd)', async () => {
  await fc.assert(
    fc.asyncProperty(shape, async ({ rows, n, seed }) => {
      const x = normals(rows * n, seed, 2).map((v, i) => v + (i % 7)); // a non-zero mean
      const w = normals(n, seed + 1);
      const b = normals(n, seed + 2);
      const { mu, rs, absMean } = stats(x, rows, n);
      const { got, want } = await both([x, w, b], (k, [sx, sw, sb]) => {
        const o = k.layerNorm(sx, sw, sb, rows, n, 1e-5);
        return [o.y, o.mean, o.rstd];
      });
      assertClose('layerNorm mean', got[1], want[1], (r) => 4 * U * absMean[r]);
      assertClose('layerNorm rstd', got[2], want[2], (r) => 16 * K * U * rs[r]);
      assertClose(`layerNorm y [${rows}, ${n}]`, got[0], want[0], (i) => {
        const r = Math.floor(i / n),
          j = i % n;
        const xh = Math.abs((x[i] - mu[r]) * rs[r]);
        return (
          16 * K * U * (xh * Math.abs(w[j]) + Math.abs(b[j])) +
          Math.abs(w[j]) * rs[r] * 4 * U * absMean[r]
        );
      });
    }),
    RUNS,
  );
});

test('layerNormBackward and layerNormParamGrads: gpu equals cpu', async () => {
  await fc.assert(
    fc.asyncProperty(shape, async ({ rows, n, seed }) => {
      const x = normals(rows * n, seed, 2);
      const w = normals(n, seed + 1);
      const dy = normals(rows * n, seed + 2);
      const { mu, rs } = stats(x, rows, n);
      const mean = Float32Array.from(mu);
      const rstd = Float32Array.from(rs);
      const { got, want } = await both([dy, x, w, mean, rstd], (k, [sdy, sx, sw, sm, sr]) => {
        const p = k.layerNormParamGrads(sdy, sx, sm, sr, rows, n);
        return [k.layerNormBackward(sdy, sx, sw, sm, sr, rows, n), p.dweight, p.dbias];
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
          K *
          U *
          (rs[r] * (Math.abs(dy[i] * w[j]) + mg[r] + Math.abs(xh(i)) * mgx[r]) +
            Math.abs(xh(i) * want[0][i]))
        );
      });
      assertClose(
        'layerNormParamGrads dweight',
        got[1],
        want[1],
        (j) => 8 * U * (colW[j] + colB[j]),
      );
      assertClose('layerNormParamGrads dbias', got[2], want[2], (j) => 8 * U * colB[j]);
    }),
    RUNS,
  );
});

test.run();
