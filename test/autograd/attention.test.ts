// The fused multi-head attention op (src/autograd/ops/attention.ts) against a naive loop over the
// official layout (qkv [B, N, 3D] viewed as [B, N, 3, h, d], permuted to [3, B, h, N, d]), the
// unfused composition of reshape/permute/matmul/softmax it replaces, gradcheck in float64 (h = 1,
// N = 1, odd sizes), float32 within a stated bound, and what it keeps alive.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  attention,
  backward,
  cpu,
  matmul,
  mul,
  noGrad,
  permute,
  reshape,
  select,
  softmax,
  sum,
  tidy,
  transpose,
  type Tensor,
} from '../../src/index.js';
import {
  type Arr,
  arr,
  assertClose,
  assertGradcheck,
  check,
  seedArb,
  t32,
  t64,
  throwsMessage,
} from './helpers.js';

/** y [B, N, D] and P [B, h, N, N] by the definition, index by index, in float64. */
function naiveAttention(qkv: Arr, h: number, scale: number): { y: Arr; P: Arr } {
  const [B, N, D3] = qkv.shape;
  const D = D3 / 3;
  const d = D / h;
  const at = (b: number, n: number, part: number, head: number, e: number) =>
    qkv.data[b * N * D3 + n * D3 + part * D + head * d + e];
  const y = new Float64Array(B * N * D);
  const P = new Float64Array(B * h * N * N);
  for (let b = 0; b < B; b++) {
    for (let head = 0; head < h; head++) {
      for (let n = 0; n < N; n++) {
        const logits = Array.from({ length: N }, (_, m) => {
          let s = 0;
          for (let e = 0; e < d; e++) s += at(b, n, 0, head, e) * at(b, m, 1, head, e);
          return scale * s;
        });
        const top = Math.max(...logits);
        const w = logits.map((l) => Math.exp(l - top));
        const z = w.reduce((s, x) => s + x, 0);
        for (let m = 0; m < N; m++) P[((b * h + head) * N + n) * N + m] = w[m] / z;
        for (let e = 0; e < d; e++) {
          let s = 0;
          for (let m = 0; m < N; m++) s += (w[m] / z) * at(b, m, 2, head, e);
          y[b * N * D + n * D + head * d + e] = s;
        }
      }
    }
  }
  return { y: { data: y, shape: [B, N, D] }, P: { data: P, shape: [B, h, N, N] } };
}

/** The composition vision_transformer.py writes out (and this repository did before the op). */
function unfused(qkv: Tensor, h: number, scale: number): Tensor {
  const [B, N, D3] = qkv.shape;
  const D = D3 / 3;
  const parts = permute(reshape(qkv, [B, N, 3, h, D / h]), [2, 0, 3, 1, 4]); // [3, B, h, N, d]
  const [q, k, v] = [0, 1, 2].map((i) => select(parts, 0, i));
  const attn = softmax(mul(matmul(q, transpose(k, -2, -1)), scale), -1);
  return reshape(transpose(matmul(attn, v), 1, 2), [B, N, D]);
}

const problem = fc.record({
  B: fc.constantFrom(1, 2, 3),
  N: fc.constantFrom(1, 2, 5, 17),
  h: fc.constantFrom(1, 2, 3),
  d: fc.constantFrom(1, 2, 4, 5),
  seed: seedArb,
});

test('attention: y and P equal the definition (float64) and the unfused ops', () => {
  check(
    problem,
    ({ B, N, h, d, seed }) => {
      const qkv = arr([B, N, 3 * h * d], seed);
      const scale = d ** -0.5;
      const want = naiveAttention(qkv, h, scale);
      const { y, attn } = attention(t64(qkv), h, { returnAttention: true });
      const what = `attention B ${B} N ${N} h ${h} d ${d}`;
      assert.equal([...y.shape], [B, N, h * d]);
      assert.equal([...attn!.shape], [B, h, N, N]);
      assertClose(y.dataSync(), want.y.data, { atol: 1e-15, rtol: 1e-12 }, `${what} y`);
      assertClose(attn!.dataSync(), want.P.data, { atol: 1e-15, rtol: 1e-12 }, `${what} P`);
      const old = unfused(t64(qkv), h, scale).dataSync();
      assertClose(y.dataSync(), old, { atol: 1e-15, rtol: 1e-13 }, `${what} vs unfused`);
      assert.is(attention(t64(qkv), h).attn, null, 'no P unless asked');
    },
    60,
  );
});

test('attention: gradcheck in float64, including h = 1, N = 1 and a custom scale', () => {
  const small = fc.record({
    B: fc.constantFrom(1, 2),
    N: fc.constantFrom(1, 2, 3),
    h: fc.constantFrom(1, 2),
    d: fc.constantFrom(1, 2, 3),
    scale: fc.constantFrom(undefined, 0.7),
    seed: seedArb,
  });
  check(
    small,
    ({ B, N, h, d, scale, seed }) => {
      const qkv = arr([B, N, 3 * h * d], seed);
      assertGradcheck(
        (t) => attention(t, h, { scale }).y,
        [qkv],
        {},
        `attention B ${B} N ${N} h ${h} d ${d} scale ${scale}`,
      );
    },
    40,
  );
  for (const [B, N, h, d] of [
    [1, 1, 1, 1],
    [2, 1, 3, 2],
    [1, 4, 1, 3],
    [2, 5, 2, 2],
  ]) {
    assertGradcheck(
      (t) => attention(t, h).y,
      [arr([B, N, 3 * h * d], B * 100 + N * 10 + h)],
      {},
      `attention [${B}, ${N}, ${3 * h * d}] h ${h}`,
    );
  }
});

test('attention: float64 gradient equals the unfused ops; float32 within 64 ulps of float64', () => {
  check(
    problem,
    ({ B, N, h, d, seed }) => {
      const qkv = arr([B, N, 3 * h * d], seed);
      const w = arr([B, N, h * d], seed + 1);
      const grad = (f: (x: Tensor) => Tensor, x: Tensor) => {
        x.requiresGrad_();
        backward(sum(mul(f(x), x.dtype === 'float64' ? t64(w) : t32(w))));
        return x.grad!.dataSync();
      };
      const fused = grad((x) => attention(x, h).y, t64(qkv));
      const old = grad((x) => unfused(x, h, d ** -0.5), t64(qkv));
      assertClose(fused, old, { atol: 1e-14, rtol: 1e-11 }, 'd qkv fused vs unfused');
      const g32 = grad((x) => attention(x, h).y, t32(qkv));
      // |dqkv| is at most a few; float32 rounds each of ~N·d products and sums
      assertClose(g32, fused, { atol: 64 * 2 ** -24 * (N + d), rtol: 64 * 2 ** -24 }, 'f32');
    },
    30,
  );
});

/** Sizes of the cpu buffers released while fn runs. */
function releasedDuring(fn: () => void): number[] {
  const sizes: number[] = [];
  const release = cpu.release;
  cpu.release = (st) => {
    sizes.push(st.size);
    release.call(cpu, st);
  };
  try {
    fn();
  } finally {
    cpu.release = release;
  }
  return sizes;
}

test('attention: P lives only as long as needed', () => {
  const [B, N, h] = [2, 5, 2];
  const qkv = arr([B, N, 12], 3);
  const PSize = B * h * N * N;
  const logitsAndP = (sizes: number[]) => sizes.filter((n) => n === PSize).length;
  // no gradient, no maps: the logits S and P go as soon as y is computed
  let out: ReturnType<typeof attention> | undefined;
  const x32 = t32(qkv);
  assert.is(logitsAndP(releasedDuring(() => noGrad(() => (out = attention(x32, h))))), 2);
  assert.is(out!.attn, null);
  // maps asked for: P is returned, only S goes
  assert.is(
    logitsAndP(
      releasedDuring(() => noGrad(() => (out = attention(x32, h, { returnAttention: true })))),
    ),
    1,
  );
  out!.attn!.dispose();
  // gradients: the backward keeps P; disposing the returned maps (a view) does not free it
  const x = t64(qkv, true);
  let y!: Tensor;
  assert.is(
    logitsAndP(
      releasedDuring(() => {
        const r = attention(x, h, { returnAttention: true });
        y = r.y;
        r.attn!.dispose();
      }),
    ),
    1,
  );
  backward(sum(y));
  assert.ok(x.grad, 'backward ran after the maps were disposed');
  // after the backward, tidy releases P with the graph's other tensors
  const sizes = releasedDuring(() =>
    tidy(() => {
      const x2 = t64(qkv, true);
      backward(sum(attention(x2, h).y));
    }),
  );
  assert.ok(logitsAndP(sizes) >= 4, 'S, P, dP and dS are released');
});

test('attention: bad input names the op and what was expected', () => {
  const x = t32(arr([2, 3, 12], 1));
  assert.match(
    throwsMessage(() => attention(x, 5)),
    'attention: qkv must be [B, N, 3·D]',
  );
  assert.match(
    throwsMessage(() => attention(t32(arr([3, 12], 1)), 2)),
    '[3, 12]',
  );
  assert.match(
    throwsMessage(() => attention(x, 0)),
    'numHeads must be a positive integer',
  );
});

test.run();
