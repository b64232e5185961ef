// gpu vs cpu: sum and max over x viewed as [outer, n, inner], on random views and on the three
// kernel paths: rows (inner = 1), columns, and the chunked two-stage reduction (few outputs, long
// axis). Reduced lengths above 1000 catch gpu.js's silent loop cap (loopMaxIterations).
// Tolerances: max is exact; sum (Kahan-compensated float32 vs the cpu's float64 accumulation) is
// within 4u·Σ|x| of the reduced elements, u = 2⁻²⁴.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose, both, exact, normals, RUNS, U } from './setup.js';

/** Σ|x| over the elements that output (o, i) reduces. */
function absSums(x: Float32Array, outer: number, n: number, inner: number): Float64Array {
  const s = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < n; j++)
      for (let i = 0; i < inner; i++) s[o * inner + i] += Math.abs(x[(o * n + j) * inner + i]);
  return s;
}

async function check(
  op: 'sum' | 'max',
  outer: number,
  n: number,
  inner: number,
  seed: number,
): Promise<void> {
  const x = normals(outer * n * inner, seed, 3);
  const { got, want } = await both([x], (k, [s]) => k[op](s, outer, n, inner));
  const abs = op === 'sum' ? absSums(x, outer, n, inner) : null;
  assertClose(
    `${op} [${outer}, ${n}, ${inner}]`,
    got[0],
    want[0],
    abs ? (i) => 4 * U * abs[i] : exact,
  );
}

const view = fc.record({
  outer: fc.integer({ min: 1, max: 12 }),
  n: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 900, max: 3000 })),
  inner: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 9 })),
  seed: fc.integer(),
});

for (const op of ['sum', 'max'] as const) {
  test(`${op}: gpu equals cpu on random [outer, n, inner] views`, async () => {
    await fc.assert(
      fc.asyncProperty(view, (v) => check(op, v.outer, v.n, v.inner, v.seed)),
      RUNS,
    );
  });

  test(
    `${op}: a long row without the chunked path (n = 1500, 4096 outputs), ` +
      `a full reduction of 70 000`,
    async () => {
      // columns kernel, loop of 1500 > gpu.js's default cap of 1000
      await check(op, 64, 1500, 64, 11);
      await check(op, 4096, 1500, 1, 12); // rows kernel
      await check(op, 1, 70000, 1, 13); // chunked twice: 70000 → 274 → 2 → 1
      await check(op, 3, 5000, 7, 14); // chunked, with inner > 1
    },
  );
}

test('sum over an empty axis is zero, as on the cpu', async () => {
  const { got, want } = await both([new Float32Array(0)], (k, [s]) => k.sum(s, 3, 0, 2));
  assertClose('sum n=0', got[0], want[0], exact);
});

test('max propagates NaN (as torch.amax), on short and long axes; −∞ rows stay −∞', async () => {
  const x = Float32Array.from([1, NaN, 3, 4, 5, 6]);
  const { got, want } = await both([x], (k, [s]) => k.max(s, 2, 3, 1));
  assertClose('max NaN', got[0], want[0], exact);
  // [2, 1000, 3]: the long-axis path (one launch per output on webgpu)
  const long = new Float32Array(6000).fill(-Infinity);
  long[3 * 777 + 1] = NaN;
  long[3 * 999 + 2] = 5;
  long[3000 + 3 * 5] = NaN;
  const r = await both([long], (k, [s]) => k.max(s, 2, 1000, 3));
  assertClose('max NaN, long axis', r.got[0], r.want[0], exact);
  assert.equal(Array.from(r.want[0]), [-Infinity, NaN, 5, NaN, -Infinity, -Infinity]);
});

test('sumSquares: gpu equals cpu, from one element to several chunk levels', async () => {
  // Kahan sums of float32 squares, then a tree (webgpu: 8 levels) or a second Kahan sum of the
  // partial sums: within 16u·Σx²
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 600, max: 5000 }),
        fc.integer({ min: 65000, max: 140000 }),
      ),
      fc.integer(),
      async (n, seed) => {
        const x = normals(n, seed, 2);
        const { got, want } = await both([x], (k, [s]) => k.sumSquares(s));
        const total = x.reduce((a, v) => a + v * v, 0);
        assertClose(`sumSquares n=${n}`, got[0], want[0], () => 16 * U * total);
      },
    ),
    { ...RUNS, numRuns: Math.min(RUNS.numRuns, 10) },
  );
  const empty = await both([new Float32Array(0)], (k, [s]) => k.sumSquares(s));
  assertClose('sumSquares of nothing', empty.got[0], empty.want[0], exact);
});

test.run();
