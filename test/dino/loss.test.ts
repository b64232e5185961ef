// DINOLoss and Center (official main_dino.py DINOLoss): a uniform student gives ln K,
// the loss against a naive float64 cross-entropy over the (teacher global, student crop ≠ same
// view) pairs, the gradient w.r.t. the student logits against the closed form (p_s − q_t)/τ_s, no
// gradient to the teacher, the collapse monitors h(P_t) and KL, and the center update formula.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backward } from '../../src/autograd/index.js';
import { Center, DINOLoss } from '../../src/dino/loss.js';
import { full, tensor, zeros } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../autograd/helpers.js';

function rand(shape: number[], seed: number, scale = 1, requiresGrad = false): Tensor {
  const g = new Generator(seed);
  return tensor(
    Float64Array.from({ length: shape[0] * shape[1] }, () => g.normal() * scale),
    { shape, dtype: 'float64', requiresGrad },
  );
}

function rowsOf(t: Tensor): number[][] {
  const [r, c] = t.shape;
  const d = t.dataSync();
  return Array.from({ length: r }, (_, i) => Array.from(d.subarray(i * c, (i + 1) * c)));
}

function softmaxRow(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

/** Teacher probabilities q = softmax((T − c)/τ_t), and the naive loss, entropy and pair count. */
function naive(S: number[][], T: number[][], c: number[], V: number, tauS: number, tauT: number) {
  const B = T.length / 2;
  const q = T.map((row) => softmaxRow(row.map((v, k) => (v - c[k]) / tauT)));
  const logp = S.map((row) => {
    const p = softmaxRow(row.map((v) => v / tauS));
    return p.map(Math.log);
  });
  let total = 0;
  let nTerms = 0;
  for (let i = 0; i < 2; i++) {
    for (let v = 0; v < V; v++) {
      if (v === i) continue;
      let ce = 0;
      for (let b = 0; b < B; b++)
        ce -= q[i * B + b].reduce((s, qk, k) => s + qk * logp[v * B + b][k], 0);
      total += ce / B;
      nTerms++;
    }
  }
  const entropy =
    q.reduce((s, row) => s - row.reduce((a, p) => a + (p > 0 ? p * Math.log(p) : 0), 0), 0) /
    q.length;
  return { loss: total / nTerms, q, nTerms, entropy };
}

test(
  'a uniform student gives loss ln K for any teacher and center (K ' +
    '= 65 536 as in issue #246: 11.09)',
  () => {
    for (const [K, V, B] of [
      [65536, 4, 2],
      [64, 10, 3],
      [3, 2, 1],
    ]) {
      const loss = new DINOLoss({ ncrops: V });
      const S = full([V * B, K], 2.5, { dtype: 'float64' }); // all logits equal
      const T = rand([2 * B, K], K, 3);
      const c = rand([1, K], K + 1, 0.5);
      const out = loss.forward(S, T, c, 0.04).loss.itemSync();
      // Σ_k q_k = 1 up to rounding: ln K times (1 ± a few ulps)
      assert.ok(
        Math.abs(out - Math.log(K)) <= 8 * 2 ** -52 * Math.log(K),
        `K ${K}: ${out} vs ${Math.log(K)}`,
      );
    }
    assert.ok(Math.abs(Math.log(65536) - 11.09) < 0.005);
  },
);

for (const [V, B, K] of [
  [2, 3, 5],
  [5, 2, 7],
  [10, 1, 4],
]) {
  test(
    `loss = naive cross-entropy over the ${2 * V - 2} (teacher global, ` +
      `other student crop) pairs; monitors h(P_t) and KL (V ${V}, B ${B}, ` +
      `K ${K})`,
    () => {
      const S = rand([V * B, K], 1, 2);
      const T = rand([2 * B, K], 2, 0.5);
      const c = rand([1, K], 3, 0.2);
      const tauT = 0.07;
      const out = new DINOLoss({ ncrops: V }).forward(S, T, c, tauT);
      const ref = naive(rowsOf(S), rowsOf(T), [...c.dataSync()], V, 0.1, tauT);
      assert.is(ref.nTerms, 2 * V - 2);
      assertClose([out.loss.itemSync()], [ref.loss], { atol: 0, rtol: 1e-13 }, 'loss');
      assertClose(
        [out.teacherEntropy.itemSync()],
        [ref.entropy],
        { atol: 1e-15, rtol: 1e-13 },
        'h(P_t)',
      );
      assertClose(
        [out.kl.itemSync()],
        [ref.loss - ref.entropy],
        { atol: 1e-14, rtol: 1e-12 },
        'KL = H(P_t, P_s) − h(P_t)',
      );
    },
  );
}

for (const [V, B, K, tauS] of [
  [2, 3, 6, 0.1],
  [6, 2, 9, 0.1],
  [4, 1, 5, 0.3],
]) {
  test(
    `∂Loss/∂S_v[b] = Σ_{i ≠ v} (softmax(s_v[b]) − q_i[b]) / (n_terms·B·τ_s) ` +
      `(V ${V}, B ${B}, K ${K}, τ_s ${tauS})`,
    () => {
      const S = rand([V * B, K], 4, 1.5, true);
      const T = rand([2 * B, K], 5, 0.7, true);
      const c = rand([1, K], 6, 0.3);
      const tauT = 0.04;
      const loss = new DINOLoss({ ncrops: V, studentTemp: tauS }).forward(S, T, c, tauT).loss;
      backward(loss);
      const Srows = rowsOf(S);
      const { q } = naive(Srows, rowsOf(T), [...c.dataSync()], V, tauS, tauT);
      const nTerms = 2 * V - 2;
      const expected: number[] = [];
      for (let v = 0; v < V; v++) {
        for (let b = 0; b < B; b++) {
          const p = softmaxRow(Srows[v * B + b].map((x) => x / tauS));
          const g = new Array(K).fill(0);
          for (let i = 0; i < 2; i++) {
            if (i === v) continue;
            for (let k = 0; k < K; k++) g[k] += p[k] - q[i * B + b][k];
          }
          expected.push(...g.map((x) => x / (nTerms * B * tauS)));
        }
      }
      const scale = Math.max(...expected.map(Math.abs));
      assertClose(S.grad!.dataSync(), expected, { atol: 1e-14 * scale, rtol: 1e-12 }, '∂L/∂S');
      assert.is(T.grad, null, 'the teacher output is detached: no gradient');
    },
  );
}

test(
  'the teacher distribution is softmax((T − c)/τ_t): centering and ' + 'sharpening act as written',
  () => {
    const loss = new DINOLoss({ ncrops: 2 });
    const K = 4;
    // student: crop 0 uniform, crop 1 uniform → loss = ln K whatever q is; use a peaked student to
    // see q
    const S = tensor(
      [
        [0, 0, 0, 0],
        [10, 0, 0, 0],
      ],
      { dtype: 'float64' },
    );
    const T = tensor(
      [
        [1, 0, 0, 0],
        [1, 0, 0, 0],
      ],
      { dtype: 'float64' },
    );
    const logp1 = Math.log(softmaxRow([100, 0, 0, 0])[1]);
    const logp1Top = Math.log(softmaxRow([100, 0, 0, 0])[0]);
    // pairs: (teacher 0, student 1) and (teacher 1, student 0 = uniform)
    const expect = (q: number[]) => (-(q[0] * logp1Top + (1 - q[0]) * logp1) + Math.log(K)) / 2;
    const sharp = softmaxRow([1 / 0.04, 0, 0, 0]);
    assertClose(
      [loss.forward(S, T, zeros([1, K], { dtype: 'float64' }), 0.04).loss.itemSync()],
      [expect(sharp)],
      { atol: 0, rtol: 1e-13 },
      'sharpened',
    );
    // a center equal to the teacher logits makes q uniform
    const c = tensor([[1, 0, 0, 0]], { dtype: 'float64' });
    assertClose(
      [loss.forward(S, T, c, 0.04).loss.itemSync()],
      [expect([0.25, 0.25, 0.25, 0.25])],
      { atol: 0, rtol: 1e-13 },
      'centred',
    );
  },
);

test('shape errors name both shapes', () => {
  const loss = new DINOLoss({ ncrops: 4 });
  const S = zeros([8, 5], { dtype: 'float64' });
  assert.throws(
    () =>
      loss.forward(
        S,
        zeros([4, 6], { dtype: 'float64' }),
        zeros([1, 5], { dtype: 'float64' }),
        0.04,
      ),
    /student logits \[8, 5\] and teacher logits \[4, 6\]/,
  );
  assert.throws(
    () =>
      loss.forward(
        S,
        zeros([6, 5], { dtype: 'float64' }),
        zeros([1, 5], { dtype: 'float64' }),
        0.04,
      ),
    /8 student rows and 6 teacher rows do not split into 4 and 2 crops/,
  );
  assert.throws(() => new DINOLoss({ ncrops: 1 }), /ncrops 1 is fewer than the 2 global crops/);
});

test(
  'Center: starts at 0 [1, K]; c ← m·c + (1 − m)·mean of the raw teacher ' +
    'logits over all 2B rows',
  () => {
    const K = 6;
    const center = new Center(K, 0.9, { dtype: 'float64' });
    assert.equal([...center.value.shape], [1, K]);
    assert.ok(center.value.dataSync().every((v) => v === 0));
    let c = new Array(K).fill(0);
    for (let step = 0; step < 3; step++) {
      const T = rand([8, K], 20 + step, 2);
      center.update(T);
      const Tr = rowsOf(T);
      c = c.map((ck, k) => 0.9 * ck + 0.1 * (Tr.reduce((s, r) => s + r[k], 0) / 8));
      assertClose(
        center.value.dataSync(),
        c,
        { atol: 1e-16, rtol: 1e-14 },
        `center after ${step + 1} updates`,
      );
    }
    // momentum 1 (no centering in the collapse study): the center stays 0
    const frozen = new Center(K, 1, { dtype: 'float64' });
    frozen.update(rand([4, K], 30, 5));
    assert.ok(frozen.value.dataSync().every((v) => v === 0));
    // the update needs no gradient and keeps the same tensor object (the loss reads center.value)
    const ref = center.value;
    center.update(rand([2, K], 31, 1, true));
    assert.ok(center.value === ref && !ref.requiresGrad);
  },
);

test('the loss is pure: computing it does not move the center', () => {
  const center = new Center(5, 0.9, { dtype: 'float64' });
  center.update(rand([4, 5], 40));
  const before = [...center.value.dataSync()];
  new DINOLoss({ ncrops: 2 }).forward(rand([4, 5], 41), rand([4, 5], 42), center.value, 0.04);
  assert.equal([...center.value.dataSync()], before);
});

test.run();
