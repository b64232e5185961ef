// wasm vs cpu: one AdamW step and the teacher EMA run in float64 lanes with the cpu's order of
// operations, so they match it exactly, for random sizes, steps and hyper-parameters.
import fc from 'fast-check';
import { test } from 'uvu';
import { assertClose, BACKENDS, both, exact, normals, RUNS } from './setup.js';

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
            const o = b.adamw(sp, sg, sm, sv, hp);
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

test.run();
