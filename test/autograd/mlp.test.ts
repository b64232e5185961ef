// A composite check: a 2-layer MLP with layerNorm and gelu, trained with softmax cross-entropy
// against soft targets (as the DINO loss), passes gradcheck end to end for every parameter and the
// input; its loss matches a plain-JS forward; float32 agrees with float64.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  gelu,
  layerNorm,
  linear,
  logSoftmax,
  mean,
  mul,
  neg,
  softmax,
  sum,
  type Tensor,
} from '../../src/index.js';
import { type Arr, arr, assertGradcheck, check, naiveGelu, seedArb, t32, t64 } from './helpers.js';

const B = 3,
  D = 4,
  H = 5,
  C = 3;

/** loss = mean_b −Σ_c t[b, c] · logSoftmax(W2·gelu(LN(W1·x + b1)) + b2)[b, c]. */
function mlpLoss(
  x: Tensor,
  w1: Tensor,
  b1: Tensor,
  g: Tensor,
  beta: Tensor,
  w2: Tensor,
  b2: Tensor,
  targets: Tensor,
): Tensor {
  const h = gelu(layerNorm(linear(x, w1, b1), g, beta)); // [B, D] -> [B, H]
  const logits = linear(h, w2, b2); // [B, H] -> [B, C]
  return mean(neg(sum(mul(targets, logSoftmax(logits)), -1)));
}

/** The same network in plain JS loops. */
function naiveLoss(p: Record<string, Arr>, t: number[][]): number {
  const at = (a: Arr, i: number, j: number) => a.data[i * a.shape[1] + j];
  let total = 0;
  for (let b = 0; b < B; b++) {
    const z = Array.from({ length: H }, (_, o) => {
      let s = p.b1.data[o];
      for (let i = 0; i < D; i++) s += at(p.x, b, i) * at(p.w1, o, i);
      return s;
    });
    const mu = z.reduce((a, v) => a + v, 0) / H;
    const v = z.reduce((a, u) => a + (u - mu) ** 2, 0) / H;
    const h = z.map((u, j) =>
      naiveGelu(((u - mu) / Math.sqrt(v + 1e-5)) * p.g.data[j] + p.beta.data[j]),
    );
    const logits = Array.from({ length: C }, (_, c) => {
      let s = p.b2.data[c];
      for (let j = 0; j < H; j++) s += h[j] * at(p.w2, c, j);
      return s;
    });
    const m = Math.max(...logits);
    const lse = m + Math.log(logits.reduce((a, l) => a + Math.exp(l - m), 0));
    total -= logits.reduce((a, l, c) => a + t[b][c] * (l - lse), 0);
  }
  return total / B;
}

test('2-layer MLP with layerNorm, gelu and soft-target cross-entropy: gradcheck end to end', () => {
  check(
    fc.record({ seed: seedArb, temp: fc.constantFrom(0.5, 1, 4) }),
    ({ seed, temp }) => {
      const p = {
        x: arr([B, D], seed),
        w1: arr([H, D], seed + 1, { scale: 0.7 }),
        b1: arr([H], seed + 2, { scale: 0.1 }),
        g: arr([H], seed + 3, { lo: 0.5, hi: 1.5 }),
        beta: arr([H], seed + 4, { scale: 0.1 }),
        w2: arr([C, H], seed + 5, { scale: 0.7 }),
        b2: arr([C], seed + 6, { scale: 0.1 }),
      };
      // soft targets: a softmax of random scores (a teacher's sharpened output), no gradient
      const targets64 = softmax(mul(t64(arr([B, C], seed + 7)), 1 / temp));
      const inputs = [p.x, p.w1, p.b1, p.g, p.beta, p.w2, p.b2];
      const f = (...xs: Tensor[]) =>
        mlpLoss(xs[0], xs[1], xs[2], xs[3], xs[4], xs[5], xs[6], targets64);
      assertGradcheck(f, inputs, {}, 'MLP');

      const t = targets64.toArraySync() as number[][];
      const loss64 = f(...inputs.map((a) => t64(a))).itemSync();
      assert.ok(
        Math.abs(loss64 - naiveLoss(p, t)) <= 1e-14 * Math.max(1, Math.abs(loss64)),
        `loss ${loss64} vs naive ${naiveLoss(p, t)}`,
      );
      // float32: about a dozen roundings of O(1) quantities along the chain (linear, layerNorm,
      // gelu, linear, logSoftmax, product, sums, mean), each ≤ u = 6e-8 relative: 12·u ≈ 7e-7, so
      // 1e-6 relative (observed ≤ 1.2e-7 over 160 seeds).
      const targets32 = softmax(mul(t32(arr([B, C], seed + 7)), 1 / temp));
      const loss32 = mlpLoss(
        ...(inputs.map((a) => t32(a)) as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]),
        targets32,
      ).itemSync();
      assert.ok(
        Math.abs(loss32 - loss64) <= 1e-6 * Math.abs(loss64),
        `float32 loss ${loss32} vs float64 ${loss64}`,
      );
    },
    8,
  );
});

test.run();
