// The cpu backend's worker threads (src/tensor/cpu/threads.ts): a matrix product or a
// transcendental elementwise kernel split over threads must equal, bit for bit, the same kernel
// on one thread (each thread runs the same loop on its own rows or range). Three threads are
// forced, so the splits are uneven on any machine; sizes straddle the thresholds.
process.env.MINI_DINO_THREADS = '3'; // read when the pool is first used, after the imports
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, type CpuStorage } from '../../src/tensor/cpu/index.js';
import { binary } from '../../src/tensor/cpu/elementwise.js';
import { type MapOp, mapSerial, matmulSerial, workerPool } from '../../src/tensor/cpu/threads.js';
import type { DType, TypedArray } from '../../src/tensor/dtype.js';
import { stridesOf } from '../../src/tensor/shape.js';
import { Generator } from '../../src/tensor/random.js';
import { arrays, assertF32Bound, type GemmProblem, stridesIn } from './gemm-problems.js';

function randomStorage(dtype: DType, n: number, seed: number, scale = 3): CpuStorage {
  const g = new Generator(seed);
  const host = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) host[i] = g.normal() * scale;
  return cpu.upload(host, true); // a pooled SharedArrayBuffer copy, as every kernel output
}

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.is(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i]))
      assert.unreachable(`${what}: element ${i} is ${a[i]} threaded but ${b[i]} on one thread`);
  }
}

test('the pool runs with the forced 3 threads', () => {
  assert.is(workerPool().threads, 3);
  assert.match(cpu.describe(), /on 3 threads/);
});

for (const dtype of ['float32', 'float64'] as DType[]) {
  for (const n of [(1 << 15) - 1, 1 << 15, 100_003]) {
    test(`gelu, erf, exp and geluBackward on ${n} ${dtype} elements: threaded = one thread`, () => {
      const x = randomStorage(dtype, n, n);
      const dy = randomStorage(dtype, n, n + 1, 1);
      for (const op of ['gelu', 'erf', 'exp', 'geluBackward'] as MapOp[]) {
        const viaBackend = op === 'geluBackward' ? cpu.geluBackward(x, dy) : cpu[op](x);
        const serial = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
        mapSerial(op, serial, x.data, op === 'geluBackward' ? dy.data : null);
        sameBits(viaBackend.data, serial, `${op} ${dtype} n=${n}`);
        cpu.release(viaBackend);
      }
    });
  }
}

test('matmul: large products split over 3 threads equal one thread bit for bit', () => {
  // [batch entries split] 2×3 batch of attention-like heads; [rows split] one big product with a
  // transposed, offset A, bias and alpha; both into permuted layouts where the column stride is 1
  const cases: GemmProblem[] = [];
  for (const [batch, M, K, N] of [
    [[2, 3], 130, 60, 97],
    [[1, 1], 301, 77, 129],
    [[1, 2], 1030, 40, 33],
  ] as [[number, number], number, number, number][]) {
    const ext = [batch[0], batch[1], M, N];
    const out = stridesIn(ext, [3, 1, 2, 0]).strides;
    const aS = stridesIn([batch[0], batch[1], M, K], [2, 3, 0, 1], [0, 1, 0, 2]).strides;
    const bS = stridesIn([1, batch[1], K, N], [3, 2, 1, 0]).strides;
    const size = batch[0] * batch[1] * M * N;
    cases.push({
      shape: { batch, M, K, N, alpha: 0.25 },
      a: {
        data: Float64Array.from({ length: 3 + 2 * 3 * (M + 1) * (K + 2) * 3 }, (_, i) =>
          Math.fround(Math.sin(i)),
        ),
        view: { offset: 3, batchStrides: [aS[0], aS[1]], rowStride: aS[2], colStride: aS[3] },
      },
      b: {
        data: Float64Array.from({ length: batch[1] * K * N }, (_, i) => Math.fround(Math.cos(i))),
        view: { offset: 0, batchStrides: [0, bS[1]], rowStride: bS[2], colStride: bS[3] },
      },
      bias: Float64Array.from({ length: N }, (_, j) => j / 7),
      layout: { size, batchStrides: [out[0], out[1]], rowStride: out[2], colStride: out[3] },
    });
  }
  for (const p of cases) {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      const { A, B, bias, layout } = arrays(p, dtype);
      const up = (x: TypedArray) => cpu.upload(x, true).data; // shared buffers, as the pool's
      const [As, Bs, biasS] = [{ ...A, data: up(A.data) }, { ...B, data: up(B.data) }, up(bias!)];
      const threaded = cpu.full(dtype, layout.size, NaN).data;
      assert.ok(workerPool().tryMatmul(threaded, As, Bs, p.shape, biasS, layout), 'split');
      const serial =
        dtype === 'float64' ? new Float64Array(layout.size) : new Float32Array(layout.size);
      matmulSerial(serial, As, Bs, p.shape, biasS, layout);
      for (let o = 0; o < serial.length; o++)
        if (!Object.is(threaded[o], serial[o]))
          assert.unreachable(`${dtype} at ${o}: ${threaded[o]} threaded, ${serial[o]} serial`);
      if (dtype === 'float32') assertF32Bound(p, threaded, 'threaded');
    }
  }
});

// out shape, and which axes of a and b are broadcast (stride 0): odometers that start mid-way
for (const [shape, aBroadcast, bBroadcast] of [
  [[300, 500], [], [0]],
  [[5, 29, 1000], [1], [0, 2]],
  [
    [2, 3, 7, 3200],
    [0, 2],
    [1, 3],
  ],
  [[131072 + 5], [], []],
  [[7, 1, 20000], [], [0, 1, 2]],
] as [number[], number[], number[]][]) {
  test(
    `binary ops on ${JSON.stringify(shape)} (a broadcast on ${aBroadcast}, ` +
      `b on ${bBroadcast}): threaded = one thread`,
    () => {
      const full = stridesOf(shape);
      const strides = (bcast: number[]) => full.map((st, d) => (bcast.includes(d) ? 0 : st));
      const span = (st: number[]) => shape.reduce((m, d, i) => m + (d - 1) * st[i], 0) + 1;
      const as = strides(aBroadcast);
      const bs = strides(bBroadcast);
      const size = shape.reduce((p, d) => p * d, 1);
      for (const dtype of ['float32', 'float64'] as DType[]) {
        const a = randomStorage(dtype, span(as), 7);
        const b = randomStorage(dtype, span(bs), 8);
        for (const op of ['add', 'sub', 'mul', 'div', 'maximum'] as const) {
          const out = cpu[op](a, b, shape, as, bs);
          const serial = dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
          binary(op, serial, a.data, b.data, shape, as, bs);
          sameBits(out.data, serial, `${op} ${dtype}`);
          cpu.release(out);
        }
        const rows = size / shape[shape.length - 1];
        const direct = cpu.full(dtype, size, 0);
        assert.is(
          workerPool().tryBinary('mul', direct.data, a.data, b.data, shape, as, bs),
          rows >= 3,
          'split over threads when there are enough rows',
        );
      }
    },
  );
}

test('binary: rows [r0, r1) alone write exactly those rows', () => {
  const shape = [4, 5, 6];
  const a = randomStorage('float64', 120, 1);
  const b = randomStorage('float64', 6, 2);
  const whole = new Float64Array(120);
  binary('add', whole, a.data, b.data, shape, [30, 6, 1], [0, 0, 1]);
  const part = new Float64Array(120).fill(NaN);
  binary('add', part, a.data, b.data, shape, [30, 6, 1], [0, 0, 1], 7, 13);
  for (let i = 0; i < 120; i++) {
    const row = Math.floor(i / 6);
    if (row >= 7 && row < 13) assert.is(part[i], whole[i]);
    else assert.ok(Number.isNaN(part[i]), `element ${i} outside rows 7..12 was written`);
  }
});

test('small inputs stay on the calling thread', () => {
  const x = randomStorage('float32', 1000, 1);
  assert.not.ok(workerPool().tryMap('gelu', new Float32Array(new SharedArrayBuffer(4000)), x.data));
});

test.run();
