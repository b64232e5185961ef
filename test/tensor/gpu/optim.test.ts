// gpu vs cpu: one AdamW update (new p, m, v) and the teacher EMA on random sizes and settings.
// Tolerances (u = 2⁻²⁴): m and v 6u· (β and 1 − β rounded to float32, two products, a sum) ·(|β·m|
// + |(1 − β)·g|) (resp. g²); ema 4u·(|t·m| + |s·(1 − m)|);
// p 6u·|p·decay| + the step's own error, 8u·|lr/(1−β₁ⁿ)·m̂ / (√v̂ + ε)| (float32 scalars, √, ÷).
import fc from 'fast-check';
import { test } from 'uvu';
import { assertClose, both, normals, RUNS, U, WEBGPU } from './setup.js';

const K = WEBGPU ? 2 : 1;

test('adamw: gpu equals cpu (p, m, v)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 3000 }),
      fc.integer(),
      fc.integer({ min: 1, max: 500 }),
      fc.constantFrom(0, 0.04, 0.1),
      async (n, seed, step, weightDecay) => {
        const hp = { lr: 5e-4, weightDecay, beta1: 0.9, beta2: 0.999, eps: 1e-8, step };
        const p = normals(n, seed);
        const g = normals(n, seed + 1, 0.1);
        const m = normals(n, seed + 2, 0.05);
        const v = normals(n, seed + 3, 0.01).map((x) => x * x);
        const { got, want } = await both([p, g, m, v], (k, [sp, sg, sm, sv]) => {
          const o = k.adamw(sp, sg, sm, sv, hp);
          return [o.p, o.m, o.v];
        });
        assertClose(
          'adamw m',
          got[1],
          want[1],
          (i) => 6 * U * (Math.abs(0.9 * m[i]) + Math.abs(0.1 * g[i])),
        );
        assertClose(
          'adamw v',
          got[2],
          want[2],
          (i) => 6 * U * (Math.abs(0.999 * v[i]) + 0.001 * g[i] * g[i]),
        );
        const stepSize = hp.lr / (1 - 0.9 ** step);
        const bc2 = Math.sqrt(1 - 0.999 ** step);
        assertClose('adamw p', got[0], want[0], (i) => {
          const upd = Math.abs(stepSize * (want[1][i] / (Math.sqrt(want[2][i]) / bc2 + 1e-8)));
          return 6 * U * Math.abs(p[i]) + 8 * K * U * upd;
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
