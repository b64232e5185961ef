// The layerNorm kernel properties, written once for every backend tested against the cpu
// reference (test/tensor/wasm/layernorm.test.ts, test/tensor/gpu/layernorm.test.ts): layerNorm's
// y, mean and rstd on rows with a non-zero mean, then layerNormBackward and layerNormParamGrads,
// on random [rows, n]. Each backend brings the shapes that reach its code paths and its
// tolerances (how it computes sets them: float64 statistics on wasm, float32 on gpu); this file
// computes the magnitudes they are written in, in float64: per row μ, rstd and mean|x| (forward),
// mean|dy·w| and mean|dy·w·x̂| (backward), per column Σ_rows |dy·x̂| and Σ_rows |dy|.

import fc from 'fast-check';
import { test } from 'uvu';
import { type Harness, normals, title } from './harness.js';

/** A row's statistics of x in float64, the magnitudes of the forward tolerances. */
export interface ForwardRow {
  n: number;
  mu: number;
  rs: number;
  absMean: number;
}

/** A row's magnitudes of the backward tolerance: rstd, mean|dy·w| and mean|dy·w·x̂|. */
export interface BackwardRow {
  rs: number;
  mg: number;
  mgx: number;
}

export interface LayerNormBounds {
  /** The [rows, n] problems drawn. */
  shape: fc.Arbitrary<{ rows: number; n: number; seed: number }>;
  mean(row: ForwardRow): number;
  rstd(row: ForwardRow): number;
  /** y[r, j] from |x̂|, |w[j]| and |b[j]|. */
  y(row: ForwardRow, xh: number, w: number, b: number): number;
  /** dx[r, j] from |dy·w|, |x̂| and the cpu's |dx|. */
  dx(row: BackwardRow, dyw: number, xh: number, dx: number): number;
  /** dweight[j] from Σ_rows |dy·x̂| and Σ_rows |dy|. */
  dweight(sumDyXh: number, sumDy: number): number;
  /** dbias[j] from Σ_rows |dy| and the cpu's |dbias|. */
  dbias(sumDy: number, dbias: number): number;
}

function stats(x: Float32Array, rows: number, n: number): ForwardRow[] {
  const out: ForwardRow[] = [];
  for (let r = 0; r < rows; r++) {
    let s = 0,
      a = 0;
    for (let j = 0; j < n; j++) {
      s += x[r * n + j];
      a += Math.abs(x[r * n + j]);
    }
    const mu = s / n;
    let v = 0;
    for (let j = 0; j < n; j++) v += (x[r * n + j] - mu) ** 2;
    out.push({ n, mu, rs: 1 / Math.sqrt(v / n + 1e-5), absMean: a / n });
  }
  return out;
}

/** Registers the layerNorm properties of one backend. */
export function layerNormProperties(h: Harness, tol: LayerNormBounds): void {
  const equals = `${h.backend} equals cpu`;

  test(title(h, 'layerNorm', `${equals} (y, mean, rstd)`), async () => {
    await fc.assert(
      fc.asyncProperty(tol.shape, async ({ rows, n, seed }) => {
        const x = normals(rows * n, seed, 2).map((v, i) => v + (i % 7)); // a non-zero mean
        const w = normals(n, seed + 1);
        const b = normals(n, seed + 2);
        const row = stats(x, rows, n);
        const { got, want } = await h.both([x, w, b], (k, [sx, sw, sb]) => {
          const o = k.layerNorm(sx, sw, sb, rows, n, 1e-5);
          return [o.y, o.mean, o.rstd];
        });
        h.assertClose('layerNorm mean', got[1], want[1], (r) => tol.mean(row[r]));
        h.assertClose('layerNorm rstd', got[2], want[2], (r) => tol.rstd(row[r]));
        h.assertClose(`layerNorm y [${rows}, ${n}]`, got[0], want[0], (i) => {
          const r = Math.floor(i / n),
            j = i % n;
          const xh = Math.abs((x[i] - row[r].mu) * row[r].rs);
          return tol.y(row[r], xh, Math.abs(w[j]), Math.abs(b[j]));
        });
      }),
      h.runs,
    );
  });

  test(title(h, 'layerNormBackward and layerNormParamGrads', equals), async () => {
    await fc.assert(
      fc.asyncProperty(tol.shape, async ({ rows, n, seed }) => {
        const x = normals(rows * n, seed, 2);
        const w = normals(n, seed + 1);
        const dy = normals(rows * n, seed + 2);
        const fwd = stats(x, rows, n);
        const mean = Float32Array.from(fwd, (s) => s.mu);
        const rstd = Float32Array.from(fwd, (s) => s.rs);
        const { got, want } = await h.both([dy, x, w, mean, rstd], (k, [sdy, sx, sw, sm, sr]) => {
          const p = k.layerNormParamGrads(sdy, sx, sm, sr, rows, n);
          return [k.layerNormBackward(sdy, sx, sw, sm, sr, rows, n), p.dweight, p.dbias];
        });
        const xh = (i: number) => (x[i] - mean[Math.floor(i / n)]) * rstd[Math.floor(i / n)];
        const row: BackwardRow[] = fwd.map((s) => ({ rs: s.rs, mg: 0, mgx: 0 }));
        const colW = new Float64Array(n);
        const colB = new Float64Array(n);
        for (let i = 0; i < rows * n; i++) {
          const r = Math.floor(i / n),
            j = i % n;
          row[r].mg += Math.abs(dy[i] * w[j]) / n;
          row[r].mgx += Math.abs(dy[i] * w[j] * xh(i)) / n;
          colW[j] += Math.abs(dy[i] * xh(i));
          colB[j] += Math.abs(dy[i]);
        }
        h.assertClose(`layerNormBackward [${rows}, ${n}]`, got[0], want[0], (i) => {
          const r = Math.floor(i / n),
            j = i % n;
          return tol.dx(row[r], Math.abs(dy[i] * w[j]), Math.abs(xh(i)), Math.abs(want[0][i]));
        });
        h.assertClose('layerNormParamGrads dweight', got[1], want[1], (j) =>
          tol.dweight(colW[j], colB[j]),
        );
        h.assertClose('layerNormParamGrads dbias', got[2], want[2], (j) =>
          tol.dbias(colB[j], Math.abs(want[2][j])),
        );
      }),
      h.runs,
    );
  });
}
