// One tensor above 2^24 elements (16.8M): gpu.js computes unmarked index arithmetic in float32,
// which cannot address past 2^24 (gpu.js 2.24.1 webasm reads wrong values there), and
// its webasm SIMD loops carry the loop counter as f32 (this test found that one: the loop kernels
// index through helpers.at). Flat, 2-D, strided, chunked, looped and gathered index math run over
// [2^22 + 3, 4] = 16 777 228 elements against the cpu, elements past 2^24 included.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose, both, dense, exact, U } from './setup.js';

const R = 2 ** 22 + 3;
const C = 4;
// cheap, every element distinct enough
const x = new Float32Array(R * C).map((_, i) => ((i * 0.6180339887) % 1) * 4 - 2 + (i % 5));

test('the test tensor is larger than 2^24 elements', () => {
  assert.ok(x.length > 2 ** 24);
});

test('neg, broadcast add, transpose copy: exact past 2^24', async () => {
  const b = Float32Array.from([1, 2, 3, 4]);
  const r = await both([x, b], (k, [sx, sb]) => [
    k.neg(sx),
    k.add(sx, sb, [R, C], [C, 1], [0, 1]),
    k.copyStrided(sx, [C, R], [1, C], 0),
  ]);
  assertClose('neg', r.got[0], r.want[0], exact);
  assertClose('add [R, 4] + [4]', r.got[1], r.want[1], exact);
  assertClose('transpose [4, R]', r.got[2], r.want[2], exact);
});

test('sum over rows (chunked) and over the last axis', async () => {
  const r = await both([x], (k, [s]) => [k.sum(s, 1, R, C), k.sum(s, R, C, 1)]);
  const colAbs = new Float64Array(C);
  for (let i = 0; i < x.length; i++) colAbs[i % C] += Math.abs(x[i]);
  assertClose('sum over rows', r.got[0], r.want[0], (j) => 4 * U * colAbs[j]);
  assertClose(
    'sum over the last axis',
    r.got[1],
    r.want[1],
    (i) =>
      4 *
      U *
      (Math.abs(x[4 * i]) +
        Math.abs(x[4 * i + 1]) +
        Math.abs(x[4 * i + 2]) +
        Math.abs(x[4 * i + 3])),
  );
});

test('matmul and gather reaching the last rows', async () => {
  const w = Float32Array.from([0.5, -1, 2, 0.25]);
  const index = Int32Array.from([R - 1, 0, R - 2, 2 ** 22]);
  const r = await both([x, w], (k, [sx, sw]) => [
    k.matmul(dense(sx, R, C), dense(sw, C, 1), { batch: [1, 1], M: R, K: C, N: 1, alpha: 1 }, null),
    k.gather(sx, index, 1, R, C),
  ]);
  assertClose(
    'matmul [R, 4]·[4, 1]',
    r.got[0],
    r.want[0],
    (i) =>
      6 *
      U *
      (Math.abs(x[4 * i] * 0.5) +
        Math.abs(x[4 * i + 1]) +
        Math.abs(2 * x[4 * i + 2]) +
        Math.abs(x[4 * i + 3] * 0.25)),
  );
  assertClose('gather', r.got[1], r.want[1], exact);
});

test.run();
