// wasm vs cpu, exactly: copyStrided (permute, slice, expand views of rank 0–6), pad, concat,
// gather and scatterAdd (duplicate indices add in index order), full and cast, on random
// shapes; rows split over threads.
import fc from 'fast-check';
import { test } from 'uvu';
import { assertClose, BACKENDS, both, exact, normals, prod, RUNS } from './setup.js';

const shapeArb = (maxRank: number) =>
  fc
    .integer({ min: 0, max: maxRank })
    .chain((r) => fc.array(fc.integer({ min: 1, max: 7 }), { minLength: r, maxLength: r }));

for (const { label, k } of BACKENDS) {
  test(`copyStrided (${label}): permuted, sliced and expanded views`, () => {
    fc.assert(
      fc.property(shapeArb(6), fc.integer(), fc.integer({ min: 0, max: 3 }), (shape, seed, off) => {
        // a random view of a larger buffer: per dim a stride (0 = expand) and an offset
        const g = normals(shape.length * 2 + 1, seed);
        const strides = shape.map((_, d) => (g[d] > 1 ? 0 : 1 + Math.floor(Math.abs(g[d]) * 5)));
        const span = shape.reduce((m, d, i) => m + (d - 1) * strides[i], 0) + 1 + off;
        const x = normals(span, seed + 1);
        const { got, want } = both(k, [x], (b, [s]) => b.copyStrided(s, shape, strides, off));
        assertClose(`copyStrided [${shape}] strides [${strides}]`, got[0], want[0], exact);
      }),
      RUNS,
    );
  });

  test(`pad (${label}): x embedded in zeros`, () => {
    fc.assert(
      fc.property(shapeArb(5), fc.integer(), (inShape, seed) => {
        const g = normals(2 * inShape.length, seed);
        const before = inShape.map((_, d) => Math.floor(Math.abs(g[d]) * 2));
        const after = inShape.map((_, d) => Math.floor(Math.abs(g[inShape.length + d]) * 2));
        const outShape = inShape.map((d, i) => d + before[i] + after[i]);
        const x = normals(prod(inShape), seed + 1);
        const { got, want } = both(k, [x], (b, [s]) => b.pad(s, inShape, outShape, before));
        assertClose(`pad [${inShape}] into [${outShape}]`, got[0], want[0], exact);
      }),
      RUNS,
    );
  });

  test(`concat (${label}): parts along a middle axis`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer(),
        (outer, sizes, inner, seed) => {
          const parts = sizes.map((s, i) => normals(outer * s * inner, seed + i));
          const { got, want } = both(k, parts, (b, ss) => b.concat(ss, outer, sizes, inner));
          assertClose(`concat ${outer}×[${sizes}]×${inner}`, got[0], want[0], exact);
        },
      ),
      RUNS,
    );
  });

  test(`gather and scatterAdd (${label}): random and repeated indices`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.nat(), { minLength: 0, maxLength: 12 }),
        fc.integer(),
        (outer, n, inner, raw, seed) => {
          const index = Int32Array.from(raw.map((v) => v % n));
          const m = index.length;
          const x = normals(outer * n * inner, seed);
          const g = normals(outer * m * inner, seed + 1);
          const a = both(k, [x], (b, [s]) => b.gather(s, index, outer, n, inner));
          assertClose('gather', a.got[0], a.want[0], exact);
          const s = both(k, [g], (b, [gs]) => b.scatterAdd(gs, index, outer, n, inner));
          assertClose('scatterAdd', s.got[0], s.want[0], exact);
        },
      ),
      RUNS,
    );
  });

  test(`full and cast (${label})`, () => {
    for (const n of [0, 1, 17, 1000]) {
      const f = both(k, [], (b) => b.full('float32', n, -2.5));
      assertClose('full', f.got[0], f.want[0], exact);
      const c = both(k, [normals(n, n)], (b, [s]) => b.cast(s, 'float32'));
      assertClose('cast', c.got[0], c.want[0], exact);
    }
  });
}

test.run();
