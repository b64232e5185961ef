// The `cpu` backend: storage is a typed array (float32 or float64), kernels are the plain
// TypeScript loops of this folder, on the calling thread, with no SIMD and no worker threads. It
// is the readable ground truth every other backend is tested against, and it supports float64
// for gradcheck and the PyTorch parity fixtures. The fast CPU path is the `wasm` backend
// (src/tensor/wasm): the same kernels in WebAssembly SIMD, split over worker threads.
//
// Memory: released buffers go back to a pool keyed by dtype and length, so a training step
// reuses the previous step's buffers instead of paying page faults on fresh allocations (~40 ms
// for 16 MB here). Buffers that wrap user data (upload without copy) never enter the pool.

import { platform } from '../../platform/index.js';
import {
  contiguousLayout,
  type Backend,
  type GemmOperand,
  type GemmOutLayout,
  type GemmShape,
  type Storage,
} from '../backend.js';
import { allocArray, type DType, type TypedArray } from '../dtype.js';
import { affine, binary, geluBackward, powScalar, unary } from './elementwise.js';
import { layerNorm, layerNormBackward, layerNormParamGrads } from './layernorm.js';
import { type ArrayOperand, matmul } from './matmul.js';
import { concat, copyStrided, gather, pad, scatterAdd } from './movement.js';
import { adamw, ema } from './optim.js';
import { max, sum } from './reduce.js';
import { logSoftmax, logSoftmaxBackward, softmax, softmaxBackward } from './softmax.js';

export interface CpuStorage extends Storage {
  readonly data: TypedArray;
  /** Whether the buffer belongs to the pool (false for wrapped user arrays). */
  readonly pooled: boolean;
}

/**
 * Pool of released buffers, at most poolMaxBytes() in all. There is no limit per (dtype, length):
 * a ViT step holds hundreds of [B, N, D] intermediates at once, and each one the pool turned away
 * would be a fresh allocation in the next step. The cap must exceed a step's working set (about
 * 160 MB for the README recipe, 2.8 GB for the `small` bench configuration): below it, every step
 * allocates afresh, and a buffer the pool drops is only freed when the garbage collector of every
 * thread that has seen it runs, which on a busy worker thread can be many steps later.
 * Default: a quarter of the machine's memory, between 1 and 16 GiB; MINI_DINO_POOL_MB sets it.
 */
export function poolMaxBytes(): number {
  const env = Number(platform().env('MINI_DINO_POOL_MB'));
  if (Number.isFinite(env) && env > 0) return env * 2 ** 20;
  return Math.min(16 * 2 ** 30, Math.max(2 ** 30, platform().totalMemory() / 4));
}

class BufferPool {
  private free = new Map<string, TypedArray[]>();
  private bytes = 0;
  private readonly maxBytes = poolMaxBytes();
  /** Buffers allocated because the pool had none of the dtype and length (a counter for tests
   * and benchmarks: a repeated training step should not raise it). */
  freshAllocations = 0;

  take(dtype: DType, n: number): TypedArray {
    const list = this.free.get(key(dtype, n));
    const buf = list?.pop();
    if (buf) {
      this.bytes -= buf.byteLength;
      return buf;
    }
    this.freshAllocations++;
    return allocArray(dtype, n);
  }

  give(buf: TypedArray): void {
    if (buf.length === 0 || this.bytes + buf.byteLength > this.maxBytes) return;
    const k = key(buf instanceof Float64Array ? 'float64' : 'float32', buf.length);
    let list = this.free.get(k);
    if (!list) this.free.set(k, (list = []));
    list.push(buf);
    this.bytes += buf.byteLength;
  }

  clear(): void {
    this.free.clear();
    this.bytes = 0;
  }

  get pooledBytes(): number {
    return this.bytes;
  }
}

function key(dtype: DType, n: number): string {
  return dtype === 'float64' ? `d${n}` : `f${n}`;
}

export class CpuBackend implements Backend<CpuStorage> {
  readonly name = 'cpu' as const;
  readonly pool = new BufferPool();
  private scratch = new Float64Array(1024);

  describe(): string {
    return 'cpu (TypeScript reference kernels, one thread; float32 and float64)';
  }

  supportsDtype(): boolean {
    return true;
  }

  // ---- storage

  private alloc(dtype: DType, size: number): CpuStorage {
    return { dtype, size, data: this.pool.take(dtype, size), pooled: true };
  }

  /** A float64 scratch row of at least n elements (never escapes a kernel call). */
  private acc(n: number): Float64Array {
    if (this.scratch.length < n) this.scratch = new Float64Array(n);
    return this.scratch;
  }

  /** Host data becomes storage: kept as it is (copy false, never pooled) or copied. */
  upload(data: TypedArray, copy: boolean): CpuStorage {
    const dtype: DType = data instanceof Float64Array ? 'float64' : 'float32';
    if (!copy) return { dtype, size: data.length, data, pooled: false };
    const s = this.alloc(dtype, data.length);
    s.data.set(data);
    return s;
  }

  read(s: CpuStorage): Promise<TypedArray> {
    // a snapshot taken now, as a gpu readback is: by the time the caller's await resumes, the
    // tensor may have been disposed and its buffer reused by another kernel from the pool
    return Promise.resolve(s.data.slice());
  }

  readSync(s: CpuStorage): TypedArray {
    return s.data;
  }

  release(s: CpuStorage): void {
    if (s.pooled) this.pool.give(s.data);
  }

  /** Runs a kernel that writes a fresh output of the given dtype and size. */
  private out(dtype: DType, size: number, kernel: (out: TypedArray) => void): CpuStorage {
    const s = this.alloc(dtype, size);
    kernel(s.data);
    return s;
  }

  // ---- kernels

  full(dtype: DType, size: number, value: number): CpuStorage {
    return this.out(dtype, size, (o) => o.fill(value));
  }

  cast(x: CpuStorage, dtype: DType): CpuStorage {
    return this.out(dtype, x.size, (o) => o.set(x.data));
  }

  neg(x: CpuStorage) {
    return this.out(x.dtype, x.size, (o) => unary('neg', o, x.data));
  }
  exp(x: CpuStorage) {
    return this.out(x.dtype, x.size, (o) => unary('exp', o, x.data));
  }
  log(x: CpuStorage) {
    return this.out(x.dtype, x.size, (o) => unary('log', o, x.data));
  }
  sqrt(x: CpuStorage) {
    return this.out(x.dtype, x.size, (o) => unary('sqrt', o, x.data));
  }
  abs(x: CpuStorage) {
    return this.out(x.dtype, x.size, (o) => unary('abs', o, x.data));
  }
  sign(x: CpuStorage) {
    return this.out(x.dtype, x.size, (o) => unary('sign', o, x.data));
  }
  gelu(x: CpuStorage) {
    return this.out(x.dtype, x.size, (o) => unary('gelu', o, x.data));
  }
  erf(x: CpuStorage) {
    return this.out(x.dtype, x.size, (o) => unary('erf', o, x.data));
  }

  affine(x: CpuStorage, scale: number, shift: number) {
    return this.out(x.dtype, x.size, (o) => affine(o, x.data, scale, shift));
  }
  powScalar(x: CpuStorage, p: number) {
    return this.out(x.dtype, x.size, (o) => powScalar(o, x.data, p));
  }
  geluBackward(x: CpuStorage, dy: CpuStorage) {
    return this.out(x.dtype, x.size, (o) => geluBackward(o, x.data, dy.data));
  }

  add(a: CpuStorage, b: CpuStorage, shape: number[], as: number[], bs: number[]) {
    return this.binary('add', a, b, shape, as, bs);
  }
  sub(a: CpuStorage, b: CpuStorage, shape: number[], as: number[], bs: number[]) {
    return this.binary('sub', a, b, shape, as, bs);
  }
  mul(a: CpuStorage, b: CpuStorage, shape: number[], as: number[], bs: number[]) {
    return this.binary('mul', a, b, shape, as, bs);
  }
  div(a: CpuStorage, b: CpuStorage, shape: number[], as: number[], bs: number[]) {
    return this.binary('div', a, b, shape, as, bs);
  }
  maximum(a: CpuStorage, b: CpuStorage, shape: number[], as: number[], bs: number[]) {
    return this.binary('maximum', a, b, shape, as, bs);
  }
  minimum(a: CpuStorage, b: CpuStorage, shape: number[], as: number[], bs: number[]) {
    return this.binary('minimum', a, b, shape, as, bs);
  }
  greater(a: CpuStorage, b: CpuStorage, shape: number[], as: number[], bs: number[]) {
    return this.binary('greater', a, b, shape, as, bs);
  }
  equal(a: CpuStorage, b: CpuStorage, shape: number[], as: number[], bs: number[]) {
    return this.binary('equal', a, b, shape, as, bs);
  }

  private binary(
    op: Parameters<typeof binary>[0],
    a: CpuStorage,
    b: CpuStorage,
    shape: number[],
    as: number[],
    bs: number[],
  ) {
    const size = shape.reduce((x, y) => x * y, 1);
    return this.out(a.dtype, size, (o) => binary(op, o, a.data, b.data, shape, as, bs));
  }

  sum(x: CpuStorage, outer: number, n: number, inner: number) {
    return this.out(x.dtype, outer * inner, (o) =>
      sum(o, x.data, outer, n, inner, this.acc(inner)),
    );
  }
  max(x: CpuStorage, outer: number, n: number, inner: number) {
    return this.out(x.dtype, outer * inner, (o) => max(o, x.data, outer, n, inner));
  }

  softmax(x: CpuStorage, rows: number, n: number) {
    return this.out(x.dtype, x.size, (o) => softmax(o, x.data, rows, n));
  }
  logSoftmax(x: CpuStorage, rows: number, n: number) {
    return this.out(x.dtype, x.size, (o) => logSoftmax(o, x.data, rows, n));
  }
  softmaxBackward(y: CpuStorage, dy: CpuStorage, rows: number, n: number) {
    return this.out(y.dtype, y.size, (o) => softmaxBackward(o, y.data, dy.data, rows, n));
  }
  logSoftmaxBackward(y: CpuStorage, dy: CpuStorage, rows: number, n: number) {
    return this.out(y.dtype, y.size, (o) => logSoftmaxBackward(o, y.data, dy.data, rows, n));
  }

  layerNorm(x: CpuStorage, w: CpuStorage, b: CpuStorage, rows: number, n: number, eps: number) {
    const y = this.alloc(x.dtype, x.size);
    const mean = this.alloc(x.dtype, rows);
    const rstd = this.alloc(x.dtype, rows);
    layerNorm(y.data, mean.data, rstd.data, x.data, w.data, b.data, rows, n, eps);
    return { y, mean, rstd };
  }
  layerNormBackward(
    dy: CpuStorage,
    x: CpuStorage,
    w: CpuStorage,
    mean: CpuStorage,
    rstd: CpuStorage,
    rows: number,
    n: number,
  ) {
    return this.out(x.dtype, x.size, (o) =>
      layerNormBackward(o, dy.data, x.data, w.data, mean.data, rstd.data, rows, n),
    );
  }
  layerNormParamGrads(
    dy: CpuStorage,
    x: CpuStorage,
    mean: CpuStorage,
    rstd: CpuStorage,
    rows: number,
    n: number,
  ) {
    const dweight = this.alloc(x.dtype, n);
    const dbias = this.alloc(x.dtype, n);
    const acc = this.acc(2 * n);
    layerNormParamGrads(
      dweight.data,
      dbias.data,
      dy.data,
      x.data,
      mean.data,
      rstd.data,
      rows,
      n,
      acc.subarray(0, n),
      acc.subarray(n, 2 * n),
    );
    return { dweight, dbias };
  }

  matmul(
    a: GemmOperand<CpuStorage>,
    b: GemmOperand<CpuStorage>,
    shape: GemmShape,
    bias: CpuStorage | null,
    layout: GemmOutLayout = contiguousLayout(shape),
  ) {
    const A: ArrayOperand = { ...a, data: a.data.data };
    const B: ArrayOperand = { ...b, data: b.data.data };
    const biasData = bias?.data ?? null;
    return this.out(a.data.dtype, layout.size, (o) => matmul(o, A, B, shape, biasData, layout));
  }

  copyStrided(x: CpuStorage, shape: number[], strides: number[], offset: number) {
    const size = shape.reduce((p, d) => p * d, 1);
    return this.out(x.dtype, size, (o) => copyStrided(o, x.data, shape, strides, offset));
  }
  pad(x: CpuStorage, inShape: number[], outShape: number[], starts: number[]) {
    const size = outShape.reduce((p, d) => p * d, 1);
    return this.out(x.dtype, size, (o) => pad(o, x.data, inShape, outShape, starts));
  }
  concat(parts: CpuStorage[], outer: number, sizes: number[], inner: number) {
    const size = outer * inner * sizes.reduce((p, d) => p + d, 0);
    return this.out(parts[0].dtype, size, (o) =>
      concat(
        o,
        parts.map((p) => p.data),
        outer,
        sizes,
        inner,
      ),
    );
  }
  gather(x: CpuStorage, index: Int32Array, outer: number, n: number, inner: number) {
    return this.out(x.dtype, outer * index.length * inner, (o) =>
      gather(o, x.data, index, outer, n, inner),
    );
  }
  scatterAdd(g: CpuStorage, index: Int32Array, outer: number, n: number, inner: number) {
    return this.out(g.dtype, outer * n * inner, (o) =>
      scatterAdd(o, g.data, index, outer, n, inner),
    );
  }

  adamw(
    p: CpuStorage,
    grad: CpuStorage,
    m: CpuStorage,
    v: CpuStorage,
    hp: Parameters<Backend['adamw']>[4],
  ) {
    const pOut = this.alloc(p.dtype, p.size);
    const mOut = this.alloc(p.dtype, p.size);
    const vOut = this.alloc(p.dtype, p.size);
    adamw(pOut.data, mOut.data, vOut.data, p.data, grad.data, m.data, v.data, hp);
    return { p: pOut, m: mOut, v: vOut };
  }
  ema(t: CpuStorage, s: CpuStorage, momentum: number) {
    return this.out(t.dtype, t.size, (o) => ema(o, t.data, s.data, momentum));
  }
}

/** The process-wide cpu backend. */
export const cpu = new CpuBackend();
