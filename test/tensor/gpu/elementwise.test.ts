// gpu vs cpu: unary kernels, affine, powScalar, geluBackward, and the eight binary kernels on
// random broadcast shapes of rank 0–6 (merged by collapseDims exactly as the op does).
// Tolerances (u = 2⁻²⁴): +, −, ×, ÷, comparisons, neg/abs/sign, x², exp, log, sqrt are exact on
// webasm (one correctly rounded float32 operation, or the same Math function as the cpu, rounded
// once; webgpu adds the WGSL spec's ulp bound for ÷, exp, log, sqrt); erf within 2⁻²² absolute
// (float32 Clenshaw vs float64: 1.2e-7 measured); affine 4u·(|x·scale| + |shift|) (scale and
// shift are rounded to float32).
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend, BinaryKernel, Storage, UnaryKernel } from '../../../src/tensor/backend.js';
import { broadcastShapes, broadcastStrides, collapseDims } from '../../../src/tensor/shape.js';
import { assertClose, both, exact, normals, prod, RUNS, U, wgsl } from './setup.js';

const ERF_ABS = 2 ** -22;
const ulps = (k: number, v: number) => k * 2 * U * Math.abs(v);

const UNARY_TOL: Record<UnaryKernel, (x: number, want: number) => number> = {
  neg: exact,
  abs: exact,
  sign: exact,
  exp: (x, w) => ulps(wgsl(3 + 2 * Math.abs(x)), w),
  log: (x, w) => ulps(wgsl(3), w) + (x > 0.5 && x < 2 ? wgsl(2 ** -21) : 0),
  sqrt: (_x, w) => ulps(wgsl(3), w),
  erf: () => ERF_ABS,
  gelu: (x, w) => Math.abs(x) * ERF_ABS + ulps(2, w),
};

for (const op of Object.keys(UNARY_TOL) as UnaryKernel[]) {
  test(`${op}: gpu equals cpu on random sizes and values`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3000 }),
        fc.integer(),
        fc.double({ min: 0.1, max: 8, noNaN: true }),
        async (n, seed, scale) => {
          const x = normals(n, seed, scale);
          const { got, want } = await both([x], (k, [s]) => k[op](s));
          assertClose(`${op} n=${n}`, got[0], want[0], (i) => UNARY_TOL[op](x[i], want[0][i]));
        },
      ),
      RUNS,
    );
  });
}

test('affine: gpu equals cpu', async () => {
  // the op passes any double (1/3 for a division by 3): the kernel rounds it to float32
  const param = fc
    .tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 999 }))
    .map(([a, b]) => a / b);
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 2000 }),
      fc.integer(),
      param,
      param,
      async (n, seed, scale, shift) => {
        const x = normals(n, seed, 3);
        const { got, want } = await both([x], (k, [s]) => k.affine(s, scale, shift));
        assertClose(
          'affine',
          got[0],
          want[0],
          (i) => 4 * U * (Math.abs(x[i] * scale) + Math.abs(shift)),
        );
      },
    ),
    RUNS,
  );
});

test(
  'powScalar: gpu equals cpu for the special exponents and general ' + 'ones (negative bases too)',
  async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer(),
        fc.constantFrom(2, 1, -1, 0.5, 3, -2, 1.7, 0.3, 4),
        async (n, seed, p) => {
          const x = normals(n, seed, 2);
          const { got, want } = await both([x], (k, [s]) => k.powScalar(s, p));
          const tol = (i: number) => {
            if (p === 2 || p === 1) return 0;
            if (p === -1 || p === 0.5) return ulps(wgsl(3), want[0][i]);
            // p is rounded to float32 (relative error u·|p·ln x| in x^p); WGSL pow is exp2(p·log2
            // x)
            return ulps(
              2 +
                2 * Math.abs(p * Math.log(Math.abs(x[i]))) +
                wgsl(8 + 4 * Math.abs(p * Math.log2(Math.abs(x[i])))),
              want[0][i],
            );
          };
          assertClose(`pow ${p}`, got[0], want[0], tol);
        },
      ),
      RUNS,
    );
  },
);

test('log, sqrt, pow at the edges of their domains: 0, −0, negatives, ±∞, NaN', async () => {
  // WGSL leaves log/sqrt/pow undefined there (SwiftShader: log(−1) = 0, log(0) = −88), so the
  // kernels handle the edges themselves and must give what the cpu (and PyTorch) gives
  const x = Float32Array.from([0, -0, -1, -2.5, Infinity, -Infinity, NaN, 1e-30, 4]);
  const calls: [string, (k: Backend, s: Storage) => Storage][] = [
    ['log', (k, s) => k.log(s)],
    ['sqrt', (k, s) => k.sqrt(s)],
    ['pow 0.5', (k, s) => k.powScalar(s, 0.5)],
    ['pow 1.5', (k, s) => k.powScalar(s, 1.5)],
    ['pow 3', (k, s) => k.powScalar(s, 3)],
    ['pow -2', (k, s) => k.powScalar(s, -2)],
    ['pow 0', (k, s) => k.powScalar(s, 0)],
  ];
  for (const [label, call] of calls) {
    const { got, want } = await both([x], (k, [s]) => call(k, s));
    // finite results carry the WGSL ulp bounds of the random tests above; WGSL may flush a
    // subnormal result (1e-30^1.5) to zero
    assertClose(`${label} at [${Array.from(x)}]`, got[0], want[0], (i) =>
      Number.isFinite(want[0][i]) ? ulps(wgsl(12), want[0][i]) + wgsl(2 ** -126) : 0,
    );
  }
});

test('maximum and minimum propagate NaN from either side (as torch)', async () => {
  const a = Float32Array.from([NaN, 1, NaN, -Infinity, 2]);
  const b = Float32Array.from([1, NaN, NaN, NaN, Infinity]);
  for (const op of ['maximum', 'minimum'] as const) {
    const { got, want } = await both([a, b], (k, [sa, sb]) => k[op](sa, sb, [5], [1], [1]));
    assertClose(`${op} NaN`, got[0], want[0], exact);
  }
});

test('geluBackward: gpu equals cpu', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 3000 }), fc.integer(), async (n, seed) => {
      const x = normals(n, seed, 3);
      const dy = normals(n, seed + 1);
      const { got, want } = await both([x, dy], (k, [a, b]) => k.geluBackward(a, b));
      // Φ carries the erf error; x·φ(x) ≤ 0.25 carries exp's (1 + WGSL) ulp; then two roundings
      const tol = (i: number) =>
        Math.abs(dy[i]) * (ERF_ABS + ulps(4 + wgsl(3 + x[i] * x[i]), 0.25)) + ulps(3, want[0][i]);
      assertClose('geluBackward', got[0], want[0], tol);
    }),
    RUNS,
  );
});

/** A broadcast pair: an output shape of rank 0–6 and operands that keep or squeeze each dim. */
const broadcastCase = fc.integer({ min: 0, max: 6 }).chain((rank) =>
  fc.record({
    shape: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: rank, maxLength: rank }),
    aKeep: fc.array(fc.boolean(), { minLength: rank, maxLength: rank }),
    bKeep: fc.array(fc.boolean(), { minLength: rank, maxLength: rank }),
    aDrop: fc.integer({ min: 0, max: rank }),
    bDrop: fc.integer({ min: 0, max: rank }),
    seed: fc.integer(),
  }),
);

const BINARY_TOL: Record<BinaryKernel, (w: number) => number> = {
  add: exact,
  sub: exact,
  mul: exact,
  maximum: exact,
  minimum: exact,
  greater: exact,
  equal: exact,
  div: (w) => ulps(wgsl(2.5), w),
};

for (const op of Object.keys(BINARY_TOL) as BinaryKernel[]) {
  test(`${op}: gpu equals cpu with broadcasting, ranks 0–6`, async () => {
    await fc.assert(
      fc.asyncProperty(broadcastCase, async (c) => {
        const aShape = c.shape.map((d, i) => (c.aKeep[i] ? d : 1)).slice(c.aDrop);
        const bShape = c.shape.map((d, i) => (c.bKeep[i] ? d : 1)).slice(c.bDrop);
        const out = broadcastShapes(op, aShape, bShape);
        const merged = collapseDims(out, [
          broadcastStrides(aShape, out),
          broadcastStrides(bShape, out),
        ]);
        // integers in a small range make ties for maximum/minimum/equal likely
        const a = normals(prod(aShape), c.seed, 2).map(Math.round);
        const b = normals(prod(bShape), c.seed + 7, 2).map((v) =>
          op === 'div' ? v : Math.round(v),
        );
        const { got, want } = await both([a, b], (k, [sa, sb]) =>
          k[op](sa, sb, merged.shape, merged.strides[0], merged.strides[1]),
        );
        assertClose(
          `${op} [${aShape}] with [${bShape}] merged to [${merged.shape}]`,
          got[0],
          want[0],
          (i) => BINARY_TOL[op](want[0][i]),
        );
      }),
      RUNS,
    );
  });
}

test(
  'binary: a rank-5 broadcast that cannot merge (the leading dims go ' + 'through thread.z)',
  async () => {
    const aShape = [2, 1, 3, 1, 5];
    const bShape = [1, 4, 1, 6, 1];
    const out = broadcastShapes('add', aShape, bShape);
    const merged = collapseDims(out, [
      broadcastStrides(aShape, out),
      broadcastStrides(bShape, out),
    ]);
    if (merged.shape.length !== 5)
      throw new Error(`expected rank 5 after merging, got [${merged.shape}]`);
    const { got, want } = await both([normals(30, 1), normals(24, 2)], (k, [a, b]) =>
      k.sub(a, b, merged.shape, merged.strides[0], merged.strides[1]),
    );
    assertClose('sub rank 5', got[0], want[0], exact);
  },
);

test('full: gpu equals cpu for any size and value (zero, special and unrounded values)', async () => {
  const special = fc.constantFrom(0, -0, 1, 0.1, -2.5e-40, 3.4e38, 1e39, Infinity, -Infinity, NaN);
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 70_000 })),
      fc.oneof(fc.double({ noNaN: false }), special),
      async (size, value) => {
        const { got, want } = await both([], (k) => k.full('float32', size, value));
        assertClose(`full(${size}, ${value})`, got[0], want[0], exact);
      },
    ),
    RUNS,
  );
});

test('cast to float32: gpu equals cpu, a copy bit for bit (−0, subnormals, ±∞, NaN)', async () => {
  const special = [0, -0, 1e-40, -1e-45, 3.4e38, Infinity, -Infinity, NaN];
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 3000 }), fc.integer(), async (n, seed) => {
      const x = normals(n, seed, 1e3);
      special.forEach((v, i) => i < n && (x[(i * 7919) % n] = v));
      const { got, want } = await both([x], (k, [s]) => k.cast(s, 'float32'));
      assertClose(`cast n=${n}`, got[0], want[0], exact);
      assert.ok(
        got[0].every((v, i) => Object.is(v, x[i])),
        `cast n=${n}: not a bit-for-bit copy`,
      );
    }),
    RUNS,
  );
});

test.run();
