// Backward in float32: every op's gradients come back in float32 (never silently widened or
// mixed with float64) and agree with the float64 gradients. gradcheck covers correctness in
// float64; this covers the float32 backward kernels and dtype plumbing the model actually runs.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Generator,
  abs,
  add,
  clamp,
  concat,
  div,
  dropPath,
  dropout,
  erf,
  exp,
  expand,
  gelu,
  indexSelect,
  l2Normalize,
  layerNorm,
  linear,
  log,
  logSoftmax,
  matmul,
  max,
  maximum,
  mean,
  minimum,
  mul,
  neg,
  norm,
  permute,
  pow,
  reshape,
  select,
  slice,
  softmax,
  split,
  sqrt,
  sub,
  sum,
  type Tensor,
} from '../../src/index.js';
import { type Arr, arr, check, seedArb, t32, t64 } from './helpers.js';

interface Case {
  name: string;
  shapes: number[][];
  data?: Parameters<typeof arr>[2];
  f: (...xs: Tensor[]) => Tensor;
}

const gen = (seed: number) => new Generator(seed);
const cases: Case[] = [
  { name: 'add', shapes: [[3, 4], [4]], f: add },
  {
    name: 'sub',
    shapes: [
      [3, 1],
      [1, 4],
    ],
    f: sub,
  },
  {
    name: 'mul',
    shapes: [
      [2, 3, 4],
      [3, 1],
    ],
    f: mul,
  },
  { name: 'div', shapes: [[3, 4], [4]], data: { lo: 0.5, hi: 2 }, f: div },
  {
    name: 'maximum',
    shapes: [
      [3, 4],
      [3, 4],
    ],
    f: maximum,
  },
  { name: 'minimum', shapes: [[3, 4], [4]], f: minimum },
  { name: 'neg exp', shapes: [[5]], f: (x) => exp(neg(x)) },
  { name: 'log sqrt', shapes: [[5]], data: { lo: 0.2, hi: 3 }, f: (x) => add(log(x), sqrt(x)) },
  { name: 'abs pow', shapes: [[5]], data: { awayFrom: [0] }, f: (x) => pow(abs(x), 1.5) },
  { name: 'clamp', shapes: [[6]], data: { awayFrom: [-0.5, 0.5] }, f: (x) => clamp(x, -0.5, 0.5) },
  { name: 'erf gelu', shapes: [[6]], f: (x) => add(erf(x), gelu(x)) },
  {
    name: 'sum mean max',
    shapes: [[2, 3, 4]],
    f: (x) => concat([sum(x, [0, 2]), max(x, [0, -1]), reshape(mean(x, 1, true), [-1])]),
  },
  {
    name: 'movement',
    shapes: [[2, 3, 4]],
    f: (x) =>
      concat(
        [
          ...split(permute(slice(reshape(x, [4, 6]), [[1, 3]]), [1, 0]), 2, 0),
          select(expand(x, [2, 2, 3, 4]), 1, 0)
            .reshape([6, 4])
            .slice([
              [0, 6],
              [0, 2],
            ]),
        ],
        0,
      ),
  },
  { name: 'indexSelect', shapes: [[4, 3]], f: (x) => indexSelect(x, 0, [3, 0, 3]) },
  {
    name: 'matmul',
    shapes: [
      [2, 3, 5],
      [5, 4],
    ],
    f: matmul,
  },
  {
    name: 'matmul batch',
    shapes: [
      [2, 1, 3, 5],
      [4, 5, 2],
    ],
    f: matmul,
  },
  { name: 'linear', shapes: [[3, 5], [4, 5], [4]], f: linear },
  { name: 'softmax logSoftmax', shapes: [[3, 5]], f: (x) => add(softmax(x, 0), logSoftmax(x)) },
  { name: 'layerNorm', shapes: [[3, 6], [6], [6]], f: (x, w, b) => layerNorm(x, w, b) },
  {
    name: 'norm l2Normalize',
    shapes: [[3, 4]],
    f: (x) => add(l2Normalize(x, 0), norm(x, -1, true)),
  },
  {
    name: 'dropout dropPath',
    shapes: [[4, 5]],
    f: (x) => add(dropout(x, 0.3, { generator: gen(1) }), dropPath(x, 0.5, { generator: gen(2) })),
  },
];

/** Gradients of Σ w ⊙ f(x) for every input, with fixed random weights w. */
function grads(c: Case, inputs: Arr[], dtype: 'float32' | 'float64', wSeed: number): Tensor[] {
  const xs = inputs.map((a) => (dtype === 'float32' ? t32(a, true) : t64(a, true)));
  const y = c.f(...xs);
  const w = arr([...y.shape], wSeed);
  sum(mul(y, dtype === 'float32' ? t32(w) : t64(w))).backward();
  return xs.map((x) => x.grad!);
}

for (const c of cases) {
  test(`${c.name}: float32 gradients are float32 and agree with float64`, () => {
    check(
      fc.record({ seed: seedArb, wSeed: seedArb }),
      ({ seed, wSeed }) => {
        const inputs = c.shapes.map((s, i) => arr(s, seed + i, c.data));
        const g32 = grads(c, inputs, 'float32', wSeed);
        const g64 = grads(c, inputs, 'float64', wSeed);
        g32.forEach((g, i) => {
          assert.ok(g, `${c.name}: input ${i} got no gradient`);
          assert.is(g.dtype, 'float32', `${c.name}: gradient ${i} dtype`);
          assert.equal([...g.shape], c.shapes[i]);
          const a = g.dataSync();
          const b = g64[i].dataSync();
          const scale = Math.max(1, ...Array.from(b, Math.abs));
          // each backward rule is a few float32 roundings (≤ ~10 u along these chains) of
          // quantities bounded by the largest gradient: 2e-6 of that scale (observed ≤ 3e-7)
          for (let k = 0; k < a.length; k++) {
            assert.ok(
              Math.abs(a[k] - b[k]) <= 2e-6 * scale,
              `${c.name}: input ${i} [${k}]: float32 ${a[k]} vs float64 ${b[k]}`,
            );
          }
        });
      },
      10,
    );
  });
}

test.run();
