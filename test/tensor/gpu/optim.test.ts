// gpu vs cpu: one AdamW update (new p, m, v; with the per-tensor clip folded in or not) and the
// teacher EMA on random sizes and settings. A clipped gradient carries the float32 clip factor
// (√, +, ÷, min on the gpu: ≤ 8·K u off the cpu's float64 factor).
// Tolerances (u = 2⁻²⁴): m and v 6u· (β and 1 − β rounded to float32, two products, a sum) ·(|β·m|
// + |(1 − β)·g|) (resp. g²); ema 4u·(|t·m| + |s·(1 − m)|);
// p 6u·|p·decay| + the step's own error, 8u·|lr/(1−β₁ⁿ)·m̂ / (√v̂ + ε)| (float32 scalars, √, ÷).
import fc from 'fast-check';
import { test } from 'uvu';
import { assertClose, both, normals, RUNS, U, WEBGPU } from './setup.js';

const K = WEBGPU ? 2 : 1;

test('adamw: gpu equals cpu (p, m, v), with and without the clip folded in', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 3000 }),
      fc.integer(),
      fc.integer({ min: 1, max: 500 }),
      fc.constantFrom(0, 0.04, 0.1),
      fc.constantFrom(0, 0.05, 1, 100),
      async (n, seed, step, weightDecay, clipNorm) => {
        const hp = { lr: 5e-4, weightDecay, beta1: 0.9, beta2: 0.999, eps: 1e-8, step };
        const p = normals(n, seed);
        const g0 = normals(n, seed + 1, 0.1);
        const m = normals(n, seed + 2, 0.05);
        const v = normals(n, seed + 3, 0.01).map((x) => x * x);
        // the clip factor min(clip/(‖g‖ + 1e-6), 1), computed in float32 on the gpu (≤ 6u off)
        const norm = Math.sqrt(g0.reduce((a, x) => a + x * x, 0));
        const c = clipNorm > 0 ? Math.min(clipNorm / (norm + 1e-6), 1) : 1;
        const { got, want } = await both([p, g0, m, v], (k, [sp, sg, sm, sv]) => {
          const clip = clipNorm > 0 ? { sumSquares: k.sumSquares(sg), maxNorm: clipNorm } : null;
          const o = k.adamw(sp, sg, sm, sv, hp, clip);
          if (clip) k.release(clip.sumSquares);
          return [o.p, o.m, o.v];
        });
        const g = g0.map((x) => x * c); // the gradient the update sees
        const cu = c < 1 ? 8 * K : 0; // extra ulps of the clipped gradient
        assertClose(
          `adamw m (clip factor ${c})`,
          got[1],
          want[1],
          (i) =>
            6 * U * (Math.abs(0.9 * m[i]) + Math.abs(0.1 * g[i])) + cu * U * 0.1 * Math.abs(g[i]),
        );
        assertClose(
          'adamw v',
          got[2],
          want[2],
          (i) =>
            6 * U * (Math.abs(0.999 * v[i]) + 0.001 * g[i] * g[i]) +
            2 * cu * U * 0.001 * g[i] * g[i],
        );
        const stepSize = hp.lr / (1 - 0.9 ** step);
        const bc2 = Math.sqrt(1 - 0.999 ** step);
        assertClose('adamw p', got[0], want[0], (i) => {
          const upd = Math.abs(stepSize * (want[1][i] / (Math.sqrt(want[2][i]) / bc2 + 1e-8)));
          return 6 * U * Math.abs(p[i]) + (8 * K + 2 * cu) * U * upd;
        });
      },
    ),
    RUNS,
  );
});

test('ema: gpu equals cpu', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 3000 }),
      fc.integer(),
      fc.double({ min: 0.9, max: 1, noNaN: true }),
      async (n, seed, momentum) => {
        const t = normals(n, seed);
        const s = normals(n, seed + 1);
        const { got, want } = await both([t, s], (k, [a, b]) => k.ema(a, b, momentum));
        assertClose(
          'ema',
          got[0],
          want[0],
          (i) => 4 * U * (Math.abs(t[i] * momentum) + Math.abs(s[i] * (1 - momentum))),
        );
      },
    ),
    RUNS,
  );
});

test.run();
