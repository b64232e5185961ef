// gpu vs cpu: copyStrided on random permuted / sliced / expanded views of rank 0–6, pad (the
// slice backward) of rank 0–6, concat of 1–9 parts (some empty), gather and scatterAdd with
// repeated indices. All exact: these kernels only move float32 values, and scatterAdd adds in the
// same order as its cpu twin.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend } from '../../../src/tensor/backend.js';
import { collapseDims } from '../../../src/tensor/shape.js';
import { assertClose, both, exact, gpu, normals, prod, RUNS, stridesOf } from './setup.js';

/** A strided view: a permutation of a source shape, sliced per axis, with expanded (stride 0) axes.
 * */
const viewCase = fc.integer({ min: 0, max: 6 }).chain((rank) =>
  fc.record({
    src: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: rank, maxLength: rank }),
    perm: fc.shuffledSubarray([...Array(rank).keys()], { minLength: rank, maxLength: rank }),
    cuts: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: rank, maxLength: rank }),
    expandAt: fc.array(fc.integer({ min: 0, max: rank }), { maxLength: 2 }),
    expandBy: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer(),
  }),
);

test('copyStrided: gpu equals cpu on random views (permute, slice, expand)', async () => {
  await fc.assert(
    fc.asyncProperty(viewCase, async (c) => {
      const srcStrides = stridesOf(c.src);
      let offset = 0;
      const shape: number[] = [];
      const strides: number[] = [];
      c.perm.forEach((d, k) => {
        const [u, v] = c.cuts[k];
        const start = u % c.src[d];
        const len = 1 + (v % (c.src[d] - start));
        offset += start * srcStrides[d];
        shape.push(len);
        strides.push(srcStrides[d]);
      });
      for (const at of c.expandAt) {
        const i = Math.min(at, shape.length);
        shape.splice(i, 0, c.expandBy);
        strides.splice(i, 0, 0);
      }
      const merged = collapseDims(shape, [strides]);
      const x = normals(prod(c.src), c.seed);
      if (merged.shape.length > 6) {
        // a rank-6 view with two expanded axes can keep 7 or 8 dimensions after merging: past
        // the gpu kernels' 6 it is a clear error (found by this property, seed -1281786451)
        const g = gpu as unknown as Backend;
        const s = g.upload(x, true);
        assert.throws(
          () => g.copyStrided(s, merged.shape, merged.strides[0], offset),
          /copyStrided: the gpu backend handles at most 6 dimensions after merging, got \[/,
        );
        g.release(s);
        return;
      }
      const { got, want } = await both([x], (k, [s]) =>
        k.copyStrided(s, merged.shape, merged.strides[0], offset),
      );
      assertClose(
        `copyStrided [${merged.shape}] strides [${merged.strides[0]}] + ${offset}`,
        got[0],
        want[0],
        exact,
      );
    }),
    {
      ...RUNS,
      // 7 dimensions after merging (see above)
      examples: [
        [
          {
            src: [2, 3, 2, 2, 2],
            perm: [4, 2, 1, 3, 0],
            cuts: [
              [0, 7],
              [0, 1],
              [0, 1],
              [0, 1],
              [0, 1],
            ] as [number, number][],
            expandAt: [0, 2],
            expandBy: 2,
            seed: 0,
          },
        ],
      ],
    },
  );
});

test('pad: gpu equals cpu on random boxes of rank 0–6', async () => {
  const padCase = fc.integer({ min: 0, max: 6 }).chain((rank) =>
    fc.record({
      inShape: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: rank, maxLength: rank }),
      before: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: rank, maxLength: rank }),
      after: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: rank, maxLength: rank }),
      seed: fc.integer(),
    }),
  );
  await fc.assert(
    fc.asyncProperty(padCase, async ({ inShape, before, after, seed }) => {
      const outShape = inShape.map((d, i) => d + before[i] + after[i]);
      const x = normals(prod(inShape), seed);
      const { got, want } = await both([x], (k, [s]) => k.pad(s, inShape, outShape, before));
      assertClose(`pad [${inShape}] in [${outShape}] at [${before}]`, got[0], want[0], exact);
    }),
    RUNS,
  );
});

test('concat: gpu equals cpu for 1–9 parts, empty parts included', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 5 }),
      fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 9 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer(),
      async (outer, sizes, inner, seed) => {
        const parts = sizes.map((s, p) => normals(outer * s * inner, seed + p));
        const { got, want } = await both(parts, (k, ss) => k.concat(ss, outer, sizes, inner));
        assertClose(`concat ${outer} x [${sizes}] x ${inner}`, got[0], want[0], exact);
      },
    ),
    RUNS,
  );
});

test('gather and scatterAdd: gpu equals cpu with repeated and missing indices', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 5 }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 12 }),
      fc.integer(),
      async (outer, n, inner, raw, seed) => {
        const index = Int32Array.from(raw, (v) => v % n);
        const x = normals(outer * n * inner, seed);
        const g = normals(outer * index.length * inner, seed + 1);
        const fwd = await both([x], (k, [s]) => k.gather(s, index, outer, n, inner));
        assertClose(`gather [${index}]`, fwd.got[0], fwd.want[0], exact);
        const bwd = await both([g], (k, [s]) => k.scatterAdd(s, index, outer, n, inner));
        assertClose(`scatterAdd [${index}]`, bwd.got[0], bwd.want[0], exact);
      },
    ),
    RUNS,
  );
});

test.run();
