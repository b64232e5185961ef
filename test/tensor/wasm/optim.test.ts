// wasm vs cpu: one AdamW step and the teacher EMA run in float64 lanes with the cpu's order of
// operations, so they match it exactly, for random sizes, steps and hyper-parameters.
import fc from 'fast-check';
import { test } from 'uvu';
import { assertClose, BACKENDS, both, exact, normals, RUNS, U } from './setup.js';

for (const { label, k } of BACKENDS) {
  test(`adamw (${label}): wasm equals cpu exactly`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.integer(),
        fc.integer({ min: 1, max: 500 }),
        fc.double({ min: 1e-6, max: 0.1, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (n, seed, step, lr, weightDecay) => {
          const p = normals(n, seed);
          const g = normals(n, seed + 1, 0.1);
          const m = normals(n, seed + 2, 0.01);
          const v = normals(n, seed + 3, 0.01).map((x) => x * x);
          const hp = { lr, weightDecay, beta1: 0.9, beta2: 0.999, eps: 1e-8, step };
          const { got, want } = both(k, [p, g, m, v], (b, [sp, sg, sm, sv]) => {
            const o = b.adamw(sp, sg, sm, sv, hp, null);
            return [o.p, o.m, o.v];
          });
          for (let i = 0; i < 3; i++) assertClose(`adamw ${'pmv'[i]}`, got[i], want[i], exact);
        },
      ),
      RUNS,
    );
  });

  test(`ema (${label}): wasm equals cpu exactly`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.integer(),
        fc.double({ min: 0.9, max: 1, noNaN: true }),
        (n, seed, momentum) => {
          const { got, want } = both(k, [normals(n, seed), normals(n, seed + 1)], (b, [t, s]) =>
            b.ema(t, s, momentum),
          );
          assertClose('ema', got[0], want[0], exact);
        },
      ),
      RUNS,
    );
  });
}

// the contract's fused clip: sumSquares (the squares rounded to float32, then summed) and AdamW on
// g scaled by utils.clip_gradients' factor (g·factor rounded to float32 before the update)
test('sumSquares and adamw with the clip folded in: wasm equals cpu within float32', () => {
  const k = BACKENDS[0].k;
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer(), (n, seed) => {
      const p = normals(n, seed);
      const g = normals(n, seed + 1, 0.5);
      const m = normals(n, seed + 2, 0.01);
      const v = normals(n, seed + 3, 0.01).map((x) => x * x);
      const hp = { lr: 1e-3, weightDecay: 0.04, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 3 };
      const { got, want } = both(k, [p, g, m, v], (b, [sp, sg, sm, sv]) => {
        const ss = b.sumSquares(sg);
        const o = b.adamw(sp, sg, sm, sv, hp, { sumSquares: ss, maxNorm: 1 });
        return [ss, o.p, o.m, o.v];
      });
      const sq = g.reduce((s, x) => s + x * x, 0);
      assertClose('sumSquares', got[0], want[0], () => (n + 2) * U * sq);
      // g·factor rounds once more than the cpu's float64 product: a few ulp of each term. The
      // step of p is measured on the reference, not bounded by a multiple of lr: random m and v
      // are no real history, and a tiny v gives steps of 100·lr (n 4990, seed -177200440)
      const tol = [
        (e: number) => 8 * U * (Math.abs(p[e]) + Math.abs(want[1][e] - p[e])),
        (e: number) => 8 * U * (0.9 * Math.abs(m[e]) + 0.1 * Math.abs(g[e])),
        (e: number) => 8 * U * (0.999 * v[e] + 0.001 * g[e] * g[e]),
      ];
      for (let i = 1; i < 4; i++) assertClose(`adamw ${'pmv'[i - 1]}`, got[i], want[i], tol[i - 1]);
    }),
    { ...RUNS, examples: [[4990, -177200440]] },
  );
});

test.run();
