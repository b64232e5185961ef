// The cpu backend's kernels called directly, with the explicit sizes and strides of the kernel
// contract (src/tensor/backend.ts), against naive loops written here: strided binary ops,
// copyStrided, pad, concat, gather/scatterAdd, reductions over [outer, n, inner], softmax/layerNorm
// forward and backward, AdamW and EMA. matmul has its own suite (matmul.test.ts).
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, type CpuStorage } from '../../src/tensor/cpu/index.js';
import type { DType } from '../../src/tensor/dtype.js';
import { broadcastStrides, collapseDims, stridesOf } from '../../src/tensor/shape.js';
import {
  assertClose,
  check,
  naiveGelu,
  prod,
  seedArb,
  seededData,
  unravel,
} from '../autograd/helpers.js';

const up = (data: Float64Array, dtype: DType = 'float64'): CpuStorage =>
  cpu.upload(dtype === 'float64' ? data : Float32Array.from(data), true);
const read = (s: CpuStorage) => cpu.readSync(s);

test('binary kernels with explicit (broadcast) strides; collapseDims keeps every address', () => {
  const arb = fc.record({
    shape: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }),
    maskA: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    maskB: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    sa: seedArb,
    sb: seedArb,
  });
  check(
    arb,
    ({ shape, maskA, maskB, sa, sb }) => {
      const aShape = shape.map((d, i) => (maskA[i] ? 1 : d));
      const bShape = shape.map((d, i) => (maskB[i] ? 1 : d)).slice(1);
      const a = seededData(prod(aShape), sa);
      const b = seededData(prod(bShape), sb, { lo: 0.5, hi: 2 });
      const as = broadcastStrides(aShape, shape);
      const bs = broadcastStrides(bShape, shape);
      const c = collapseDims(shape, [as, bs]);
      // collapsing preserves the address of every element for every operand
      for (let i = 0; i < prod(shape); i++) {
        const full = unravel(i, shape);
        const col = unravel(i, c.shape);
        assert.is(
          col.reduce((p, v, d) => p + v * c.strides[0][d], 0),
          full.reduce((p, v, d) => p + v * as[d], 0),
        );
        assert.is(
          col.reduce((p, v, d) => p + v * c.strides[1][d], 0),
          full.reduce((p, v, d) => p + v * bs[d], 0),
        );
      }
      const ops: [
        'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum' | 'greater' | 'equal',
        (x: number, y: number) => number,
      ][] = [
        ['add', (x, y) => x + y],
        ['sub', (x, y) => x - y],
        ['mul', (x, y) => x * y],
        ['div', (x, y) => x / y],
        ['maximum', Math.max],
        ['minimum', Math.min],
        ['greater', (x, y) => +(x > y)],
        ['equal', (x, y) => +(x === y)],
      ];
      for (const [op, f] of ops) {
        // both the uncollapsed and the collapsed forms of the same operation
        for (const [sh, sA, sB] of [
          [shape, as, bs],
          [c.shape, c.strides[0], c.strides[1]],
        ] as const) {
          const out = read(cpu[op](up(a), up(b), [...sh], [...sA], [...sB]));
          const want = Float64Array.from({ length: prod(shape) }, (_, i) => {
            const idx = unravel(i, shape);
            return f(
              a[idx.reduce((p, v, d) => p + v * as[d], 0)],
              b[idx.reduce((p, v, d) => p + v * bs[d], 0)],
            );
          });
          assert.equal(out, want, op);
        }
      }
    },
    60,
  );
});

test(
  'copyStrided reads any strided view with an offset; pad is the adjoint ' + 'placement of a slice',
  () => {
    const arb = fc.record({
      shape: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }),
      strides: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 4, maxLength: 4 }),
      offset: fc.integer({ min: 0, max: 5 }),
      pads: fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), {
        minLength: 4,
        maxLength: 4,
      }),
      seed: seedArb,
    });
    check(
      arb,
      ({ shape, strides: st, offset, pads, seed }) => {
        const strides = st.slice(0, shape.length);
        const span = offset + shape.reduce((p, d, i) => p + (d - 1) * strides[i], 0) + 1;
        const x = seededData(span, seed);
        const out = read(cpu.copyStrided(up(x), shape, strides, offset));
        assert.equal(
          out,
          Float64Array.from(
            { length: prod(shape) },
            (_, i) => x[offset + unravel(i, shape).reduce((p, v, d) => p + v * strides[d], 0)],
          ),
        );
        // pad: x of `shape` placed at `starts` inside zeros of a larger shape
        const starts = shape.map((_, d) => pads[d][0]);
        const outShape = shape.map((n, d) => n + pads[d][0] + pads[d][1]);
        const small = seededData(prod(shape), seed + 1);
        const padded = read(cpu.pad(up(small), shape, outShape, starts));
        const want = new Float64Array(prod(outShape));
        const os = stridesOf(outShape);
        for (let i = 0; i < small.length; i++)
          want[unravel(i, shape).reduce((p, v, d) => p + (v + starts[d]) * os[d], 0)] = small[i];
        assert.equal(padded, want);
      },
      80,
    );
  },
);

test('concat, gather and scatterAdd over [outer, n, inner]', () => {
  const arb = fc.record({
    outer: fc.integer({ min: 1, max: 3 }),
    inner: fc.integer({ min: 1, max: 3 }),
    n: fc.integer({ min: 1, max: 4 }),
    sizes: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
    index: fc.array(fc.nat(), { maxLength: 6 }),
    seed: seedArb,
  });
  check(
    arb,
    ({ outer, inner, n, sizes, index, seed }) => {
      const parts = sizes.map((s, p) => seededData(outer * s * inner, seed + p));
      const total = sizes.reduce((a, b) => a + b, 0);
      const cat = read(
        cpu.concat(
          parts.map((p) => up(p)),
          outer,
          sizes,
          inner,
        ),
      );
      const want = new Float64Array(outer * total * inner);
      for (let o = 0; o < outer; o++) {
        let j0 = 0;
        sizes.forEach((s, p) => {
          for (let j = 0; j < s; j++)
            for (let i = 0; i < inner; i++)
              want[(o * total + j0 + j) * inner + i] = parts[p][(o * s + j) * inner + i];
          j0 += s;
        });
      }
      assert.equal(cat, want);
      const idx = Int32Array.from(index, (v) => v % n);
      const x = seededData(outer * n * inner, seed);
      const gathered = read(cpu.gather(up(x), idx, outer, n, inner));
      const m = idx.length;
      assert.equal(
        gathered,
        Float64Array.from({ length: outer * m * inner }, (_, k) => {
          const [o, j, i] = unravel(k, [outer, m, inner]);
          return x[(o * n + idx[j]) * inner + i];
        }),
      );
      const g = seededData(outer * m * inner, seed + 9);
      const scattered = read(cpu.scatterAdd(up(g), idx, outer, n, inner));
      const acc = new Float64Array(outer * n * inner);
      for (let k = 0; k < g.length; k++) {
        const [o, j, i] = unravel(k, [outer, m, inner]);
        acc[(o * n + idx[j]) * inner + i] += g[k];
      }
      assertClose(scattered, acc, { atol: 1e-15, rtol: 1e-15 }, 'scatterAdd');
      // <gather(x), g> = <x, scatterAdd(g)>: the two are adjoint
      const lhs = Array.from(gathered).reduce((s, v, k) => s + v * g[k], 0);
      const rhs = x.reduce((s, v, k) => s + v * scattered[k], 0);
      assert.ok(Math.abs(lhs - rhs) <= 1e-13 * (1 + Math.abs(lhs)));
    },
    80,
  );
});

test('sum and max kernels over the middle axis of [outer, n, inner], float32 and float64', () => {
  const arb = fc.record({
    outer: fc.integer({ min: 1, max: 4 }),
    n: fc.integer({ min: 1, max: 6 }),
    inner: fc.integer({ min: 1, max: 4 }),
    dtype: fc.constantFrom<DType>('float32', 'float64'),
    seed: seedArb,
  });
  check(
    arb,
    ({ outer, n, inner, dtype, seed }) => {
      const x = seededData(outer * n * inner, seed);
      const s = read(cpu.sum(up(x, dtype), outer, n, inner));
      const m = read(cpu.max(up(x, dtype), outer, n, inner));
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          let acc = 0,
            mx = -Infinity;
          for (let j = 0; j < n; j++) {
            acc += x[(o * n + j) * inner + i];
            mx = Math.max(mx, x[(o * n + j) * inner + i]);
          }
          // the kernel accumulates in float64 in the same order: the float32 result is acc rounded
          // once
          assert.is(s[o * inner + i], dtype === 'float32' ? Math.fround(acc) : acc);
          assert.is(m[o * inner + i], mx);
        }
    },
    80,
  );
  // the sum's float64 scratch row is reused across calls and must not leak a previous result
  const a = read(cpu.sum(up(Float64Array.from([1, 2, 3, 4])), 1, 2, 2));
  const b = read(cpu.sum(up(Float64Array.from([10, 20, 30, 40, 50, 60])), 1, 2, 3));
  assert.equal([...a], [4, 6]);
  assert.equal([...b], [50, 70, 90]);
});

test('softmax, logSoftmax and their backward kernels against the formulas', () => {
  const arb = fc.record({
    rows: fc.integer({ min: 1, max: 4 }),
    n: fc.integer({ min: 1, max: 7 }),
    seed: seedArb,
  });
  check(
    arb,
    ({ rows, n, seed }) => {
      const x = seededData(rows * n, seed, { scale: 3 });
      const dy = seededData(rows * n, seed + 1);
      const y = read(cpu.softmax(up(x), rows, n));
      const ly = read(cpu.logSoftmax(up(x), rows, n));
      const dx = read(cpu.softmaxBackward(up(y as Float64Array), up(dy), rows, n));
      const ldx = read(cpu.logSoftmaxBackward(up(ly as Float64Array), up(dy), rows, n));
      for (let r = 0; r < rows; r++) {
        const row = Array.from(x.subarray(r * n, (r + 1) * n));
        const m = Math.max(...row);
        const se = row.reduce((a, v) => a + Math.exp(v - m), 0);
        const p = row.map((v) => Math.exp(v - m) / se);
        const g = Array.from(dy.subarray(r * n, (r + 1) * n));
        const dot = g.reduce((a, v, j) => a + v * p[j], 0);
        const gs = g.reduce((a, v) => a + v, 0);
        for (let j = 0; j < n; j++) {
          const k = r * n + j;
          assert.ok(Math.abs(y[k] - p[j]) <= 1e-15, 'softmax');
          assert.ok(Math.abs(ly[k] - (row[j] - m - Math.log(se))) <= 1e-14, 'logSoftmax');
          // Jacobian-vector products: J_softmax = diag(p) − p pᵀ; J_logSoftmax = I − 1 pᵀ
          assert.ok(Math.abs(dx[k] - p[j] * (g[j] - dot)) <= 1e-14, 'softmaxBackward');
          assert.ok(Math.abs(ldx[k] - (g[j] - p[j] * gs)) <= 1e-14, 'logSoftmaxBackward');
        }
      }
    },
    60,
  );
});

test(
  'layerNorm kernels: y, mean, rstd, dx and the parameter gradients ' + 'against the formulas',
  () => {
    const arb = fc.record({
      rows: fc.integer({ min: 1, max: 4 }),
      n: fc.integer({ min: 1, max: 7 }),
      seed: seedArb,
    });
    check(
      arb,
      ({ rows, n, seed }) => {
        const eps = 1e-5;
        const x = seededData(rows * n, seed, { scale: 2 });
        const w = seededData(n, seed + 1);
        const b = seededData(n, seed + 2);
        const dy = seededData(rows * n, seed + 3);
        const { y, mean, rstd } = cpu.layerNorm(up(x), up(w), up(b), rows, n, eps);
        const dx = read(cpu.layerNormBackward(up(dy), up(x), up(w), mean, rstd, rows, n));
        const { dweight, dbias } = cpu.layerNormParamGrads(up(dy), up(x), mean, rstd, rows, n);
        const dW = new Float64Array(n),
          dB = new Float64Array(n);
        for (let r = 0; r < rows; r++) {
          const row = Array.from(x.subarray(r * n, (r + 1) * n));
          const mu = row.reduce((a, v) => a + v, 0) / n;
          const rs = 1 / Math.sqrt(row.reduce((a, v) => a + (v - mu) ** 2, 0) / n + eps);
          assert.ok(Math.abs(read(mean)[r] - mu) <= 1e-15 * (1 + Math.abs(mu)));
          assert.ok(Math.abs(read(rstd)[r] - rs) <= 1e-14 * rs);
          const xh = row.map((v) => (v - mu) * rs);
          // dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂)), ĝ = dy ⊙ w
          const gh = xh.map((_, j) => dy[r * n + j] * w[j]);
          const mg = gh.reduce((a, v) => a + v, 0) / n;
          const mgx = gh.reduce((a, v, j) => a + v * xh[j], 0) / n;
          for (let j = 0; j < n; j++) {
            assert.ok(Math.abs(read(y)[r * n + j] - (xh[j] * w[j] + b[j])) <= 1e-14, 'y');
            assert.ok(
              Math.abs(dx[r * n + j] - rs * (gh[j] - mg - xh[j] * mgx)) <= 1e-12 * Math.max(1, rs),
              'dx',
            );
            dW[j] += dy[r * n + j] * xh[j];
            dB[j] += dy[r * n + j];
          }
        }
        assertClose(read(dweight), dW, { atol: 1e-14, rtol: 1e-13 }, 'dweight');
        assertClose(read(dbias), dB, { atol: 1e-14, rtol: 1e-13 }, 'dbias');
      },
      60,
    );
  },
);

test('elementwise kernels with parameters: affine, powScalar, geluBackward, full, cast', () => {
  const x = seededData(64, 5, { scale: 3 });
  const dy = seededData(64, 6);
  assert.equal(
    read(cpu.affine(up(x), 2.5, -1)),
    x.map((v) => v * 2.5 - 1),
  );
  for (const p of [2, 1, -1, 0.5, 3, -0.5]) {
    const pos = x.map(Math.abs);
    assertClose(
      read(cpu.powScalar(up(pos), p)),
      pos.map((v) => Math.pow(v, p)),
      { atol: 0, rtol: 1e-15 },
      `pow ${p}`,
    );
  }
  // GELU′(x) = Φ(x) + x·φ(x), against a central difference of the naive gelu
  const gb = read(cpu.geluBackward(up(x), up(dy)));
  x.forEach((v, i) => {
    const h = 1e-5;
    const d = (naiveGelu(v + h) - naiveGelu(v - h)) / (2 * h);
    assert.ok(Math.abs(gb[i] - dy[i] * d) <= 1e-9 * (1 + Math.abs(dy[i])), `geluBackward(${v})`);
  });
  assert.equal(
    [...read(cpu.full('float32', 3, 0.1))],
    [Math.fround(0.1), Math.fround(0.1), Math.fround(0.1)],
  );
  assert.equal(read(cpu.cast(up(x), 'float32')), Float32Array.from(x));
  assert.is(cpu.cast(up(x), 'float32').dtype, 'float32');
});

test('adamw and ema kernels follow PyTorch order of operations', () => {
  const n = 16;
  const p = seededData(n, 1),
    g = seededData(n, 2),
    m = seededData(n, 3, { scale: 0.1 }),
    v = seededData(n, 4, { lo: 0, hi: 0.1 });
  const hp = { lr: 1e-3, weightDecay: 0.04, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 3 };
  const out = cpu.adamw(up(p), up(g), up(m), up(v), hp, null);
  for (let i = 0; i < n; i++) {
    const mi = 0.9 * m[i] + 0.1 * g[i];
    const vi = 0.999 * v[i] + 0.001 * g[i] * g[i];
    const mhat = mi / (1 - 0.9 ** 3);
    const vhat = vi / (1 - 0.999 ** 3);
    const pi = p[i] * (1 - 1e-3 * 0.04) - (1e-3 * mhat) / (Math.sqrt(vhat) + 1e-8);
    assert.ok(Math.abs(read(out.m)[i] - mi) <= 1e-16, 'm');
    assert.ok(Math.abs(read(out.v)[i] - vi) <= 1e-16, 'v');
    // PyTorch's form divides √v by √(1−β₂ⁿ) and ε is added after: equal to the textbook form
    // up to rounding
    assert.ok(Math.abs(read(out.p)[i] - pi) <= 1e-14, `p ${read(out.p)[i]} vs ${pi}`);
  }
  // clipping folded in: the same update on g·min(clip/(‖g‖ + 1e-6), 1), ‖g‖² from sumSquares
  const ss = cpu.sumSquares(up(g));
  const sq = g.reduce((a, x) => a + x * x, 0);
  assert.is(read(ss)[0], sq, 'sumSquares');
  for (const maxNorm of [0.5 * Math.sqrt(sq), 2 * Math.sqrt(sq)]) {
    const c = Math.min(maxNorm / (Math.sqrt(sq) + 1e-6), 1);
    const clipped = cpu.adamw(up(p), up(g), up(m), up(v), hp, { sumSquares: ss, maxNorm });
    const plain = cpu.adamw(up(p), up(g.map((x) => x * c)), up(m), up(v), hp, null);
    assert.equal(read(clipped.p), read(plain.p), `p, clip factor ${c}`);
    assert.equal(read(clipped.m), read(plain.m), 'm');
    assert.equal(read(clipped.v), read(plain.v), 'v');
  }
  const e = read(cpu.ema(up(p), up(g), 0.996));
  assertClose(
    e,
    p.map((t, i) => t * 0.996 + g[i] * 0.004),
    { atol: 1e-16, rtol: 1e-15 },
    'ema',
  );
});

test.run();
