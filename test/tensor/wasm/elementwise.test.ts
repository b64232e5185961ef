// wasm vs cpu: unary kernels, affine, powScalar, geluBackward, and the eight binary kernels on
// random broadcast shapes of rank 0–6 (merged by collapseDims exactly as the op does), on both
// module variants, each result also bit-identical on 1, 2 and 3 threads (setup.ts).
// Tolerances (u = 2⁻²⁴): neg/abs/sign/sqrt, log and general powers (the host's Math.log and
// Math.pow, as the cpu), x², 1/x and every binary op are exact (one correctly rounded float32
// operation); exp within 3 ulp (Cephes' polynomial, ~1 ulp, then 2ⁿ; subnormal results within
// 2⁻¹⁴⁹); erf within 2⁻²² absolute (the cpu's float32 Chebyshev series evaluated in float32, as
// the gpu twin); affine 4u·(|x·scale| + |shift|) (scale and shift are rounded to float32).
import fc from 'fast-check';
import { test } from 'uvu';
import type { BinaryKernel, UnaryKernel } from '../../../src/tensor/backend.js';
import { broadcastShapes, broadcastStrides, collapseDims } from '../../../src/tensor/shape.js';
import { assertClose, BACKENDS, both, exact, normals, prod, RUNS, U } from './setup.js';

const ERF_ABS = 2 ** -22;
const ulps = (k: number, v: number) => k * 2 * U * Math.abs(v);
const SUBNORMAL = 2 ** -149;

const UNARY_TOL: Record<UnaryKernel, (x: number, want: number) => number> = {
  neg: exact,
  abs: exact,
  sign: exact,
  sqrt: exact,
  log: exact,
  exp: (_x, w) => ulps(3, w) + SUBNORMAL,
  erf: () => ERF_ABS,
  gelu: (x, w) => Math.abs(x) * ERF_ABS + ulps(2, w),
};

/** Awkward values: zeros of both signs, infinities, NaN, huge and tiny, around exp's limits. */
const SPECIALS = [0, -0, Infinity, -Infinity, NaN, 88.7, 88.73, 89, -87.3, -103, -104, -110];
const SPECIALS_ERF = [1, -1, 2, 3.5, 6, 6.0001, -6.5, 1e-30, 0.99999994];

for (const { label, k } of BACKENDS) {
  for (const op of Object.keys(UNARY_TOL) as UnaryKernel[]) {
    test(`${op} (${label}): wasm equals cpu on random sizes and values`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 3000 }),
          fc.integer(),
          fc.double({ min: 0.1, max: 40, noNaN: true }),
          (n, seed, scale) => {
            const x = normals(n, seed, op === 'log' || op === 'sqrt' ? 1 : scale);
            if (op === 'log' || op === 'sqrt') x.forEach((v, i) => (x[i] = Math.abs(v) * scale));
            const { got, want } = both(k, [x], (b, [s]) => b[op](s));
            assertClose(`${op} n=${n}`, got[0], want[0], (i) => UNARY_TOL[op](x[i], want[0][i]));
          },
        ),
        RUNS,
      );
    });
  }

  test(`unary kernels (${label}) on special values`, () => {
    const x = Float32Array.from([...SPECIALS, ...SPECIALS_ERF, ...SPECIALS_ERF.map((v) => -v)]);
    for (const op of Object.keys(UNARY_TOL) as UnaryKernel[]) {
      const { got, want } = both(k, [x], (b, [s]) => b[op](s));
      assertClose(`${op} specials`, got[0], want[0], (i) => UNARY_TOL[op](x[i], want[0][i]));
    }
  });

  test(`affine (${label}): wasm equals cpu`, () => {
    // the op passes any double (1/3 for a division by 3): the kernel rounds it to float32
    const param = fc
      .tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 999 }))
      .map(([a, b]) => a / b);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer(),
        param,
        param,
        (n, seed, a, c) => {
          const x = normals(n, seed, 3);
          const { got, want } = both(k, [x], (b, [s]) => b.affine(s, a, c));
          assertClose('affine', got[0], want[0], (i) => 4 * U * (Math.abs(x[i] * a) + Math.abs(c)));
        },
      ),
      RUNS,
    );
  });

  test(`powScalar (${label}): exact for the special and the general exponents`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer(),
        fc.constantFrom(2, 1, -1, 0.5, 3, -2, 1.7, 0.3, 4),
        (n, seed, p) => {
          const x = normals(n, seed, 2);
          const { got, want } = both(k, [x], (b, [s]) => b.powScalar(s, p));
          assertClose(`pow ${p}`, got[0], want[0], exact);
        },
      ),
      RUNS,
    );
  });

  test(`geluBackward (${label}): wasm equals cpu`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer(), (n, seed) => {
        const x = normals(n, seed, 3);
        const dy = normals(n, seed + 1);
        const { got, want } = both(k, [x, dy], (b, [a, c]) => b.geluBackward(a, c));
        // Φ carries the erf error, x·φ(x) ≤ 0.25 exp's 3 ulp; then a few roundings
        const tol = (i: number) =>
          Math.abs(dy[i]) * (ERF_ABS + ulps(4, 0.25)) + ulps(3, want[0][i]);
        assertClose('geluBackward', got[0], want[0], tol);
      }),
      RUNS,
    );
  });

  /** A broadcast pair: an output shape of rank 0–6 and operands that keep or squeeze each dim. */
  const broadcastCase = fc.integer({ min: 0, max: 6 }).chain((rank) =>
    fc.record({
      shape: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: rank, maxLength: rank }),
      aKeep: fc.array(fc.boolean(), { minLength: rank, maxLength: rank }),
      bKeep: fc.array(fc.boolean(), { minLength: rank, maxLength: rank }),
      aDrop: fc.integer({ min: 0, max: rank }),
      bDrop: fc.integer({ min: 0, max: rank }),
      seed: fc.integer(),
    }),
  );

  for (const op of [
    'add',
    'sub',
    'mul',
    'div',
    'maximum',
    'minimum',
    'greater',
    'equal',
  ] as BinaryKernel[]) {
    test(`${op} (${label}): wasm equals cpu with broadcasting, ranks 0–6`, () => {
      fc.assert(
        fc.property(broadcastCase, (c) => {
          const aShape = c.shape.map((d, i) => (c.aKeep[i] ? d : 1)).slice(c.aDrop);
          const bShape = c.shape.map((d, i) => (c.bKeep[i] ? d : 1)).slice(c.bDrop);
          const out = broadcastShapes(op, aShape, bShape);
          const merged = collapseDims(out, [
            broadcastStrides(aShape, out),
            broadcastStrides(bShape, out),
          ]);
          // integers in a small range make ties for maximum/minimum/equal likely; some NaN
          const a = normals(prod(aShape), c.seed, 2).map((v) => (v > 2.5 ? NaN : Math.round(v)));
          const b = normals(prod(bShape), c.seed + 7, 2).map((v) =>
            op === 'div' ? v : v < -2.5 ? NaN : Math.round(v),
          );
          const { got, want } = both(k, [a, b], (bk, [sa, sb]) =>
            bk[op](sa, sb, merged.shape, merged.strides[0], merged.strides[1]),
          );
          assertClose(`${op} [${aShape}] with [${bShape}]`, got[0], want[0], exact);
        }),
        RUNS,
      );
    });
  }

  test(`binary (${label}): long rows, a rank-6 view that does not merge, 2^17 + 5 elements`, () => {
    for (const [aShape, bShape] of [
      [
        [3, 1, 2, 1, 3, 1],
        [1, 2, 1, 3, 1, 5],
      ],
      [[131077], [1]],
      [
        [7, 1, 1003],
        [7, 5, 1],
      ],
    ]) {
      const out = broadcastShapes('sub', aShape, bShape);
      const merged = collapseDims(out, [
        broadcastStrides(aShape, out),
        broadcastStrides(bShape, out),
      ]);
      const { got, want } = both(
        k,
        [normals(prod(aShape), 1), normals(prod(bShape), 2)],
        (b, [x, y]) => b.sub(x, y, merged.shape, merged.strides[0], merged.strides[1]),
      );
      assertClose(`sub [${aShape}] − [${bShape}]`, got[0], want[0], exact);
    }
  });
}

test.run();
