// Movement ops: reshape, flatten, squeeze/unsqueeze, permute/transpose, slice, select, concat,
// split/chunk, expand, indexSelect. They move elements without arithmetic, so the
// float32 forward must equal the float64 one exactly (tolerance 0) on float32-representable data.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  chunk,
  concat,
  expand,
  flatten,
  indexSelect,
  mul,
  permute,
  reshape,
  select,
  slice,
  split,
  squeeze,
  tensor,
  transpose,
  unsqueeze,
  type Range,
  type Tensor,
} from '../../src/index.js';
import {
  type Arr,
  arr,
  assertF32Agrees,
  assertGradcheck,
  assertTensor,
  broadcastableTo,
  check,
  naiveBroadcastTo,
  naivePermute,
  prod,
  ravel,
  seedArb,
  shapeArb,
  t64,
  unravel,
} from './helpers.js';

const exact = { atol: 0, rtol: 0 };
const small = (a: Arr) => a.data.length <= 48;

/** Checks forward (exact), float32 (exact) and, for small inputs, gradcheck. */
function checkOp(f: (x: Tensor) => Tensor, x: Arr, expected: Arr, what: string): void {
  assertTensor(f(t64(x)), expected, exact, what);
  assertF32Agrees(f, [x], { ulps: 0 }, what);
  if (small(x)) assertGradcheck(f, [x], {}, what);
}

test('reshape: regrouped dimensions, a -1, size-1 axes; a view that shares storage', () => {
  const arb = shapeArb(0, 4, 4).chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      // the same dimensions in another order, some merged, with 1s sprinkled in
      order: fc.shuffledSubarray(shape, { minLength: shape.length, maxLength: shape.length }),
      merges: fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      ones: fc.integer({ min: 0, max: 2 }),
      free: fc.option(fc.nat(), { nil: undefined }),
      seed: seedArb,
    }),
  );
  check(
    arb,
    ({ shape, order, merges, ones, free, seed }) => {
      const target: number[] = [];
      order.forEach((d, i) =>
        merges[i] && target.length > 0 ? (target[target.length - 1] *= d) : target.push(d),
      );
      for (let i = 0; i < ones; i++) target.splice(i % (target.length + 1), 0, 1);
      const spec = [...target];
      if (free !== undefined && spec.length > 0) spec[free % spec.length] = -1;
      const x = arr(shape, seed);
      checkOp(
        (t) => reshape(t, spec),
        x,
        { data: x.data, shape: target },
        `reshape ${JSON.stringify(spec)}`,
      );
    },
    50,
  );
  const x = tensor([1, 2, 3, 4, 5, 6]);
  const y = x.reshape([2, 3]);
  assert.is(x.storage, y.storage);
});

test('flatten, squeeze, unsqueeze', () => {
  const arb = shapeArb(0, 4, 3).chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      a: fc.integer({ min: -6, max: 6 }),
      b: fc.integer({ min: -6, max: 6 }),
      seed: seedArb,
    }),
  );
  check(
    arb,
    ({ shape, a, b, seed }) => {
      const x = arr(shape, seed);
      const r = shape.length;
      // unsqueeze: any axis in [-(r+1), r]
      const u = ((a % (r + 1)) + (r + 1)) % (r + 1);
      const uAxis = a < 0 ? u - (r + 1) : u;
      checkOp(
        (t) => unsqueeze(t, uAxis),
        x,
        { data: x.data, shape: [...shape.slice(0, u), 1, ...shape.slice(u)] },
        `unsqueeze ${uAxis}`,
      );
      // squeeze all, and one size-1 axis if any
      checkOp(
        (t) => squeeze(t),
        x,
        { data: x.data, shape: shape.filter((d) => d !== 1) },
        'squeeze',
      );
      const one = shape.indexOf(1);
      if (one >= 0)
        checkOp(
          (t) => squeeze(t, one - r),
          x,
          { data: x.data, shape: shape.filter((_, i) => i !== one) },
          'squeeze axis',
        );
      if (r === 0) {
        checkOp((t) => flatten(t), x, { data: x.data, shape: [1] }, 'flatten scalar');
        return;
      }
      const s = ((a % r) + r) % r;
      const e = s + ((((b % r) + r) % r) % (r - s));
      const merged = shape.slice(s, e + 1).reduce((p, d) => p * d, 1);
      checkOp(
        (t) => flatten(t, s, e - r),
        x,
        { data: x.data, shape: [...shape.slice(0, s), merged, ...shape.slice(e + 1)] },
        `flatten ${s}..${e}`,
      );
    },
    50,
  );
});

test('permute and transpose: forward vs naive index mapping, gradcheck', () => {
  const arb = shapeArb(1, 5, 4).chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      perm: fc.shuffledSubarray(
        shape.map((_, i) => i),
        { minLength: shape.length, maxLength: shape.length },
      ),
      neg: fc.boolean(),
      t: fc.tuple(fc.nat(), fc.nat()),
      seed: seedArb,
    }),
  );
  check(
    arb,
    ({ shape, perm, neg, t, seed }) => {
      const x = arr(shape, seed);
      const dims = neg ? perm.map((p) => p - shape.length) : perm;
      checkOp((v) => permute(v, dims), x, naivePermute(x, perm), `permute ${JSON.stringify(dims)}`);
      const [i, j] = [t[0] % shape.length, t[1] % shape.length];
      const swap = shape.map((_, k) => (k === i ? j : k === j ? i : k));
      checkOp(
        (v) => transpose(v, i, j - shape.length),
        x,
        naivePermute(x, swap),
        `transpose ${i} ${j}`,
      );
    },
    50,
  );
});

/** Naive slice: output element at idx reads input at idx + starts. */
function naiveSlice(x: Arr, starts: number[], ends: number[]): Arr {
  const shape = starts.map((s, d) => ends[d] - s);
  const data = new Float64Array(prod(shape));
  for (let i = 0; i < data.length; i++)
    data[i] =
      x.data[
        ravel(
          unravel(i, shape).map((v, d) => v + starts[d]),
          x.shape,
        )
      ];
  return { data, shape };
}

test('slice: random ranges (negative, open-ended, empty, missing), gradcheck', () => {
  const arb = shapeArb(1, 4, 5).chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      ranges: fc.tuple(
        ...shape.map((d) =>
          fc.record({
            s: fc.integer({ min: 0, max: d }),
            len: fc.nat(),
            form: fc.constantFrom('pos', 'neg', 'open', 'null'),
          }),
        ),
      ),
      drop: fc.nat({ max: 2 }),
      seed: seedArb,
    }),
  );
  check(
    arb,
    ({ shape, ranges, drop, seed }) => {
      const starts: number[] = [];
      const ends: number[] = [];
      const spec: Range[] = ranges.map((r, d) => {
        const dim = shape[d];
        const e = r.s + (r.len % (dim - r.s + 1));
        if (r.form === 'null') {
          starts.push(0);
          ends.push(dim);
          return null;
        }
        if (r.form === 'open') {
          starts.push(r.s);
          ends.push(dim);
          return [r.s] as const;
        }
        starts.push(r.s);
        ends.push(e);
        // negative form counts from the end (−0 is not expressible: a bound equal to dim stays
        // positive)
        return r.form === 'neg'
          ? ([r.s === dim ? dim : r.s - dim, e === dim ? dim : e - dim] as const)
          : ([r.s, e] as const);
      });
      // trailing ranges may be left out
      const given = spec.slice(0, Math.max(0, spec.length - drop));
      for (let d = given.length; d < shape.length; d++) {
        starts[d] = 0;
        ends[d] = shape[d];
      }
      const x = arr(shape, seed);
      checkOp(
        (t) => slice(t, given),
        x,
        naiveSlice(x, starts, ends),
        `slice ${JSON.stringify(given)}`,
      );
    },
    60,
  );
});

test('select: index along an axis, negative index, gradcheck', () => {
  const arb = shapeArb(1, 4, 4).chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      axis: fc.nat({ max: shape.length - 1 }),
      i: fc.nat(),
      neg: fc.boolean(),
      seed: seedArb,
    }),
  );
  check(
    arb,
    ({ shape, axis, i, neg, seed }) => {
      const x = arr(shape, seed);
      const idx = i % shape[axis];
      const starts = shape.map((_, d) => (d === axis ? idx : 0));
      const ends = shape.map((dim, d) => (d === axis ? idx + 1 : dim));
      const sl = naiveSlice(x, starts, ends);
      const expected = { data: sl.data, shape: shape.filter((_, d) => d !== axis) };
      checkOp(
        (t) => select(t, neg ? axis - shape.length : axis, neg ? idx - shape[axis] : idx),
        x,
        expected,
        'select',
      );
    },
    40,
  );
});

test(
  'concat: parts of different sizes along any axis (size 0 included), ' + 'gradcheck for each part',
  () => {
    const arb = shapeArb(1, 4, 3).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        axis: fc.nat({ max: shape.length - 1 }),
        sizes: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
        seed: seedArb,
      }),
    );
    check(
      arb,
      ({ shape, axis, sizes, seed }) => {
        const parts = sizes.map((n, p) =>
          arr(
            shape.map((d, i) => (i === axis ? n : d)),
            seed + p,
          ),
        );
        const outShape = shape.map((d, i) => (i === axis ? sizes.reduce((a, b) => a + b, 0) : d));
        // naive: output index along axis j belongs to the part whose range contains j
        const data = new Float64Array(prod(outShape));
        for (let o = 0; o < data.length; o++) {
          const idx = unravel(o, outShape);
          let j = idx[axis];
          let p = 0;
          while (j >= sizes[p]) j -= sizes[p++];
          data[o] =
            parts[p].data[
              ravel(
                idx.map((v, d) => (d === axis ? j : v)),
                parts[p].shape,
              )
            ];
        }
        const f = (...ts: Tensor[]) => concat(ts, axis - (seed % 2) * shape.length);
        assertTensor(f(...parts.map((p) => t64(p))), { data, shape: outShape }, exact, 'concat');
        assertF32Agrees(f, parts, { ulps: 0 }, 'concat');
        if (data.length <= 48 && data.length > 0)
          assertGradcheck(
            f,
            parts,
            { wrt: parts.map((p, i) => i).filter((i) => parts[i].data.length > 0) },
            'concat',
          );
      },
      50,
    );
  },
);

test(
  'split and chunk: pieces are the naive slices, concat restores x, ' + 'gradcheck of each piece',
  () => {
    const arb = shapeArb(1, 3, 6).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        axis: fc.nat({ max: shape.length - 1 }),
        size: fc.integer({ min: 1, max: 7 }),
        chunks: fc.integer({ min: 1, max: 7 }),
        cuts: fc.array(fc.nat(), { maxLength: 3 }),
        seed: seedArb,
      }),
    );
    check(
      arb,
      ({ shape, axis, size, chunks, cuts, seed }) => {
        const x = arr(shape, seed);
        const dim = shape[axis];
        const piecesOf = (lens: number[]) => {
          let s = 0;
          return lens.map((n) => {
            const starts = shape.map((_, d) => (d === axis ? s : 0));
            const ends = shape.map((D, d) => (d === axis ? s + n : D));
            s += n;
            return naiveSlice(x, starts, ends);
          });
        };
        // split by a size: pieces of `size`, the last smaller
        const bySize: number[] = [];
        for (let s = 0; s < dim; s += size) bySize.push(Math.min(size, dim - s));
        // split by explicit sizes that add up to dim (zeros allowed)
        const bounds = [0, ...cuts.map((c) => c % (dim + 1)).sort((a, b) => a - b), dim];
        const explicit = bounds.slice(1).map((b, i) => b - bounds[i]);
        // chunk: size ⌈dim / chunks⌉ (torch.chunk), so there may be fewer than `chunks` pieces
        const c = Math.ceil(dim / chunks);
        const byChunk: number[] = [];
        for (let s = 0; s < dim; s += c) byChunk.push(Math.min(c, dim - s));
        const variants: [string, (t: Tensor) => Tensor[], number[]][] = [
          [`split ${size}`, (t) => split(t, size, axis), bySize],
          [`split [${explicit}]`, (t) => split(t, explicit, axis - shape.length), explicit],
          [`chunk ${chunks}`, (t) => chunk(t, chunks, axis), byChunk],
        ];
        for (const [what, f, lens] of variants) {
          const got = f(t64(x));
          const want = piecesOf(lens);
          assert.is(got.length, want.length, `${what}: number of pieces`);
          got.forEach((p, k) => assertTensor(p, want[k], exact, `${what} piece ${k}`));
          assertTensor(concat(got, axis), x, exact, `${what}: concat of the pieces`);
          if (small(x))
            got.forEach(
              (p, k) =>
                p.size > 0 && assertGradcheck((t) => f(t)[k], [x], {}, `${what} piece ${k}`),
            );
        }
      },
      40,
    );
  },
);

test('expand: forward vs naive broadcasting, gradient sums back', () => {
  const arb = shapeArb(0, 4, 4).chain((out) =>
    fc.record({ out: fc.constant(out), x: broadcastableTo(out), seed: seedArb }),
  );
  check(
    arb,
    ({ out, x: xs, seed }) => {
      const x = arr(xs, seed);
      const expected = naiveBroadcastTo(x, out);
      checkOp(
        (t) => expand(t, out),
        x,
        expected,
        `expand ${JSON.stringify(xs)} → ${JSON.stringify(out)}`,
      );
      if (prod(out) <= 64 && x.data.length <= 48)
        assertGradcheck((t) => mul(expand(t, out), 1.5), [x], {}, 'expand');
    },
    50,
  );
});

test('indexSelect: repeated and negative indices, gradients add up for repeats', () => {
  const arb = shapeArb(1, 3, 4).chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      axis: fc.nat({ max: shape.length - 1 }),
      index: fc.array(fc.nat({ max: 100 }), { maxLength: 6 }),
      neg: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
      seed: seedArb,
    }),
  );
  check(
    arb,
    ({ shape, axis, index, neg, seed }) => {
      const x = arr(shape, seed);
      const n = shape[axis];
      const idx = index.map((i) => i % n);
      const spec = idx.map((i, k) => (neg[k] ? i - n : i));
      const outShape = shape.map((d, i) => (i === axis ? idx.length : d));
      const data = new Float64Array(prod(outShape));
      for (let o = 0; o < data.length; o++) {
        const oi = unravel(o, outShape);
        data[o] =
          x.data[
            ravel(
              oi.map((v, d) => (d === axis ? idx[v] : v)),
              shape,
            )
          ];
      }
      checkOp(
        (t) => indexSelect(t, axis, spec),
        x,
        { data, shape: outShape },
        `indexSelect ${JSON.stringify(spec)}`,
      );
    },
    50,
  );
  const x = tensor([10, 20, 30], { dtype: 'float64', requiresGrad: true });
  indexSelect(x, 0, [2, 0, 2, 2]).sum().backward();
  assert.equal([...x.grad!.dataSync()], [1, 0, 3]);
});

test('movement ops on a tensor with a size-0 dimension', () => {
  const e = tensor(new Float32Array(0), { shape: [2, 0, 3] });
  assert.equal(permute(e, [2, 0, 1]).shape, [3, 2, 0]);
  assert.equal(reshape(e, [0, 5]).shape, [0, 5]);
  assert.equal(slice(e, [[1, 2]]).shape, [1, 0, 3]);
  assert.equal(expand(tensor(new Float32Array(0), { shape: [0, 1] }), [0, 4]).shape, [0, 4]);
  assert.equal(concat([e, e], 1).shape, [2, 0, 3]);
});

test.run();
