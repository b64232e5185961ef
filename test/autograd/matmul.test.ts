// matmul (batch broadcasting, 1-D operands, the folded "one matrix for every batch" path),
// linear (x·Wᵀ + b, bias fused) and the gemm helper both run on (named options: transposes,
// alpha, bias, output layout), against plain loops written here and in helpers.ts.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { linear, matmul, tensor, type Tensor } from '../../src/index.js';
import { gemm, matrices, transposed } from '../../src/autograd/ops/matmul.js';
import {
  type Arr,
  arr,
  assertGradcheck,
  assertTensor,
  broadcastPairArb,
  check,
  naiveMatmul,
  prod,
  seedArb,
  t32,
  t64,
  U32,
} from './helpers.js';

// M, K, N: 1, small, and sizes on both sides of the kernel's 4×4 blocks
const mkn = fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9);

const matmulCase = fc.record({
  batch: broadcastPairArb(3, 3),
  M: mkn,
  K: mkn,
  N: mkn,
  // 0: both matrices; 1: a is 1-D; 2: b is 1-D; 3: both 1-D
  vec: fc.constantFrom(0, 0, 0, 1, 2, 3),
  sa: seedArb,
  sb: seedArb,
});

interface MatmulCase {
  batch: { a: number[]; b: number[] };
  M: number;
  K: number;
  N: number;
  vec: number;
  sa: number;
  sb: number;
}

function operands(c: MatmulCase): [Arr, Arr] {
  const aShape = c.vec & 1 ? [c.K] : [...c.batch.a, c.M, c.K];
  const bShape = c.vec & 2 ? [c.K] : [...c.batch.b, c.K, c.N];
  return [arr(aShape, c.sa), arr(bShape, c.sb)];
}

/**
 * float32: a float32 product may differ from the exact one by the recursive-summation bound
 * (K + 2)·u·Σ_k |a·b| of a float32 accumulation (PyTorch's, the wasm kernel's); the cpu
 * reference, which sums in float64 and rounds once, is well inside it.
 */
function assertF32Matmul(
  y32: ArrayLike<number>,
  exact: Arr,
  magnitude: Arr,
  K: number,
  what: string,
): void {
  exact.data.forEach((v, k) => {
    const tol = (K + 2) * U32 * magnitude.data[k] * 1.0001;
    assert.ok(
      Math.abs(y32[k] - v) <= tol,
      `${what} f32 [${k}]: ${y32[k]} vs ${v} (tolerance ${tol})`,
    );
  });
}

const absArr = (a: Arr): Arr => ({ ...a, data: a.data.map(Math.abs) });

test(
  'matmul: batch broadcasting and 1-D operands vs a naive triple loop; ' +
    'float32 within the summation bound',
  () => {
    check(
      matmulCase,
      (c) => {
        const [a, b] = operands(c);
        const what = `matmul ${JSON.stringify(a.shape)}·${JSON.stringify(b.shape)}`;
        // same summation order as the naive loop, so float64 agrees to rounding of a few ulps
        assertTensor(matmul(t64(a), t64(b)), naiveMatmul(a, b), { atol: 1e-14, rtol: 1e-14 }, what);
        assertF32Matmul(
          matmul(t32(a), t32(b)).dataSync(),
          naiveMatmul(a, b),
          naiveMatmul(absArr(a), absArr(b)),
          c.K,
          what,
        );
      },
      80,
    );
  },
);

test('matmul: gradcheck with broadcast batches and 1-D operands', () => {
  const small = fc.record({
    batch: broadcastPairArb(3, 2),
    M: fc.constantFrom(1, 2, 3),
    K: fc.constantFrom(1, 2, 5),
    N: fc.constantFrom(1, 3),
    vec: fc.constantFrom(0, 0, 1, 2, 3),
    sa: seedArb,
    sb: seedArb,
  });
  check(
    small,
    (c) => {
      const [a, b] = operands(c);
      assertGradcheck(
        matmul,
        [a, b],
        {},
        `matmul ${JSON.stringify(a.shape)}·${JSON.stringify(b.shape)}`,
      );
    },
    40,
  );
});

test('matmul: shapes of the results (NumPy rules)', () => {
  const z = (...s: number[]) => tensor(new Float32Array(prod(s)), { shape: s });
  assert.equal(matmul(z(3), z(3)).shape, []);
  assert.equal(matmul(z(3), z(3, 4)).shape, [4]);
  assert.equal(matmul(z(2, 3), z(3)).shape, [2]);
  assert.equal(matmul(z(5, 2, 3), z(3)).shape, [5, 2]);
  assert.equal(matmul(z(3), z(5, 3, 4)).shape, [5, 4]);
  assert.equal(matmul(z(2, 3), z(1, 3, 4)).shape, [1, 2, 4]);
  assert.equal(matmul(z(6, 2, 3), z(1, 3, 4)).shape, [6, 2, 4]);
  assert.equal(matmul(z(6, 2, 3), z(1, 1, 3, 4)).shape, [1, 6, 2, 4]);
  assert.equal(matmul(z(1, 6, 2, 3), z(3, 4)).shape, [1, 6, 2, 4]);
  assert.equal(matmul(z(7, 1, 2, 3), z(5, 3, 4)).shape, [7, 5, 2, 4]);
  // K = 0: a sum of nothing
  assert.equal(
    matmul(tensor([[], []]), tensor(new Float32Array(0), { shape: [0, 3] })).toArraySync(),
    [
      [0, 0, 0],
      [0, 0, 0],
    ],
  );
  assert.equal(linear(tensor([[], []]), z(3, 0), tensor([1, 2, 3])).toArraySync(), [
    [1, 2, 3],
    [1, 2, 3],
  ]);
});

test('linear: x·Wᵀ + b for x of rank 1–3, with and without bias; gradcheck; float32', () => {
  const arb = fc.record({
    lead: fc.array(fc.constantFrom(1, 2, 3), { maxLength: 2 }),
    I: mkn,
    O: mkn,
    bias: fc.boolean(),
    sx: seedArb,
    sw: seedArb,
    sb: seedArb,
  });
  check(
    arb,
    ({ lead, I, O, bias, sx, sw, sb }) => {
      const x = arr([...lead, I], sx);
      const w = arr([O, I], sw);
      const b = arr([O], sb);
      // naive: y[r, o] = Σ_i x[r, i]·W[o, i] + b[o]
      const R = prod(lead);
      const xw = new Float64Array(R * O);
      for (let r = 0; r < R; r++)
        for (let o = 0; o < O; o++) {
          let s = 0;
          for (let i = 0; i < I; i++) s += x.data[r * I + i] * w.data[o * I + i];
          xw[r * O + o] = s;
        }
      const y = xw.map((v, k) => (bias ? v + b.data[k % O] : v));
      const f = bias
        ? (xt: Tensor, wt: Tensor, bt: Tensor) => linear(xt, wt, bt)
        : (xt: Tensor, wt: Tensor) => linear(xt, wt);
      const inputs = bias ? [x, w, b] : [x, w];
      assertTensor(
        f(t64(x), t64(w), t64(b)),
        { data: y, shape: [...lead, O] },
        { atol: 1e-14, rtol: 1e-14 },
        'linear',
      );
      // float32: the summation bound of x·Wᵀ (see assertF32Matmul) plus one rounding of the bias
      // add
      const mag = new Float64Array(R * O);
      for (let r = 0; r < R; r++)
        for (let o = 0; o < O; o++)
          for (let i = 0; i < I; i++)
            mag[r * O + o] += Math.abs(x.data[r * I + i] * w.data[o * I + i]);
      // without bias, f ignores its third argument
      const y32 = f(t32(x), t32(w), t32(b)).dataSync();
      y.forEach((v, k) => {
        const tol = ((I + 2) * U32 * mag[k] + (bias ? U32 * Math.abs(v) : 0)) * 1.0001;
        assert.ok(
          Math.abs(y32[k] - v) <= tol,
          `linear f32 [${k}]: ${y32[k]} vs ${v} (tolerance ${tol})`,
        );
      });
      if (R * I <= 24 && O * I <= 24) assertGradcheck(f, inputs, {}, 'linear');
    },
    50,
  );
});

test('gemm: transposes, alpha, bias, broadcast batch and an output layout by name', () => {
  // a [2, 3, 4] (two matrices), b stored [5, 4] and read transposed, bias [5], alpha 0.5
  const a = arr([2, 3, 4], 1);
  const b = arr([5, 4], 2);
  const bias = arr([5], 3);
  const want = new Float64Array(2 * 3 * 5);
  for (let t = 0; t < 2; t++)
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 5; j++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += a.data[(t * 3 + i) * 4 + k] * b.data[j * 4 + k];
        want[(t * 3 + i) * 5 + j] = 0.5 * s + bias.data[j];
      }
  const y = gemm(t64(a), t64(b), { transB: true, alpha: 0.5, bias: t64(bias) });
  assertTensor(y, { data: want, shape: [2, 3, 5] }, { atol: 1e-15, rtol: 1e-15 }, 'gemm');
  // the same product written as [3, 2, 5] (rows outermost) through a layout
  const z = gemm(t64(a), transposed(matrices(t64(b))), {
    alpha: 0.5,
    bias: t64(bias),
    layout: { size: 30, batchStrides: [0, 5], rowStride: 10, colStride: 1 },
    shape: [3, 2, 5],
  });
  const moved = new Float64Array(30);
  for (let t = 0; t < 2; t++)
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 5; j++) moved[(i * 2 + t) * 5 + j] = want[(t * 3 + i) * 5 + j];
  assertTensor(z, { data: moved, shape: [3, 2, 5] }, { atol: 1e-15, rtol: 1e-15 }, 'layout');
  // aᵀ·a: [2, 4, 3]·[2, 3, 4]
  assert.equal([...gemm(t64(a), t64(a), { transA: true }).shape], [2, 4, 4]);
  assert.throws(() => gemm(t64(a), t64(a)), /matmul: inner dimensions differ \(4 ≠ 3\)/);
});

test.run();
