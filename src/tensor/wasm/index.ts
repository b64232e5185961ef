// The `wasm` backend: the fast CPU path. Storage lives in one shared WebAssembly.Memory
// (runtime.ts, heap.ts) and every kernel of the contract runs in WebAssembly SIMD, emitted by
// the project's own module writer (writer.ts) and split over worker threads (threads.ts) when
// large. float32 only: float64 stays on the cpu backend, the reference every kernel here is
// tested against. Each kernel file twins the cpu file of the same name.
//
// createWasmBackend() compiles the module (with relaxed SIMD's fused multiply-add where the
// runtime accepts it), creates the memory and starts the workers; threads: the option, else
// MINI_DINO_THREADS, else the number of cores (at most 8).

import { platform } from '../../platform/index.js';
import {
  type AdamWParams,
  type Backend,
  type BinaryKernel,
  contiguousLayout,
  type GemmOperand,
  type GemmOutLayout,
  type GemmShape,
} from '../backend.js';
import type { DType, TypedArray } from '../dtype.js';
import { affine, binary, geluBackward, powScalar, unary } from './elementwise.js';
import { MAX_PAGES } from './heap.js';
import { buildKernelModule, CONST_BASE, relaxedSimdValid, simdValid } from './module.js';
import { layerNorm, layerNormBackward, layerNormParamGrads } from './layernorm.js';
import { matmul } from './matmul.js';
import { concat, copy, copyStrided, full, gather, pad, scatterAdd } from './movement.js';
import { adamw, ema } from './optim.js';
import { max, sum } from './reduce.js';
import { logSoftmax, logSoftmaxBackward, softmax, softmaxBackward } from './softmax.js';
import { Runtime, type WasmStorage } from './runtime.js';
import { ThreadPool } from './threads.js';

export type { WasmStorage } from './runtime.js';

export interface WasmBackendOptions {
  /** Threads, this one included (default: MINI_DINO_THREADS, else the cores, at most 8). */
  threads?: number;
  /** Use relaxed SIMD's fused multiply-add (default: where the runtime validates it). */
  relaxed?: boolean;
  /** Split every kernel over the threads however little work it has (tests of the splits). */
  splitAll?: boolean;
}

/** Why the wasm backend cannot run here, or null when it can. */
export function wasmUnavailable(): string | null {
  if (typeof WebAssembly === 'undefined') return 'this runtime has no WebAssembly';
  if (typeof SharedArrayBuffer === 'undefined')
    return 'SharedArrayBuffer is missing (a browser page must be cross-origin isolated)';
  platform().enableWasmFeatures();
  if (!simdValid()) return 'this runtime has no WebAssembly SIMD with shared memory';
  return null;
}

/** The threads setting: MINI_DINO_THREADS, else the number of cores (at most 8). */
export function configuredThreads(): number {
  const env = Number(platform().env('MINI_DINO_THREADS'));
  if (Number.isInteger(env) && env >= 1) return Math.min(env, 64);
  return Math.max(1, Math.min(8, platform().cores()));
}

/** Compiles the kernels, creates the memory and starts the worker threads. */
export async function createWasmBackend(opts: WasmBackendOptions = {}): Promise<WasmBackend> {
  const why = wasmUnavailable();
  if (why) throw new Error(`wasm backend: ${why}; use the cpu backend`);
  const relaxed = opts.relaxed ?? relaxedSimdValid();
  if (relaxed && !relaxedSimdValid())
    throw new Error('wasm backend: relaxed SIMD was requested but this runtime rejects it');
  const { bytes, names, consts } = buildKernelModule({ relaxed });
  const module = new WebAssembly.Module(bytes);
  const memory = new WebAssembly.Memory({ initial: 256, maximum: MAX_PAGES, shared: true });
  new Float32Array(memory.buffer, CONST_BASE, consts.length).set(consts);
  const instance = new WebAssembly.Instance(module, { env: { memory }, Math });
  const threads = opts.threads ?? configuredThreads();
  const pool = threads > 1 ? await ThreadPool.start({ module, memory, names }, threads) : null;
  const rt = new Runtime(memory, instance, names, relaxed, pool);
  rt.splitAll = opts.splitAll ?? false;
  return new WasmBackend(rt);
}

export class WasmBackend implements Backend<WasmStorage> {
  readonly name = 'wasm' as const;

  constructor(readonly rt: Runtime) {}

  describe(): string {
    const t = this.rt.threads;
    const simd = this.rt.relaxed
      ? 'WebAssembly SIMD with relaxed fused multiply-add'
      : 'WebAssembly SIMD';
    return `wasm (${simd}, ${t} thread${t === 1 ? '' : 's'}, float32)`;
  }

  supportsDtype(dtype: DType): boolean {
    return dtype === 'float32';
  }

  /** Threads kernels may use (tests compare 1, 2 and 3; never more than were started). */
  setThreads(n: number): void {
    this.rt.pool?.setThreads(n);
  }

  get threads(): number {
    return this.rt.threads;
  }

  /** The allocator's counters (freshBlocks: blocks cut from new memory). */
  get heap() {
    return this.rt.heap;
  }

  // ---- storage

  upload(data: TypedArray): WasmStorage {
    if (!(data instanceof Float32Array))
      throw new Error('wasm backend: float32 only (float64 runs on the cpu backend)');
    const s = this.rt.alloc(data.length);
    this.rt.f32().set(data, s.ptr / 4);
    return s;
  }

  /** A view of the elements in the shared memory (valid until the storage is released). */
  readSync(s: WasmStorage): Float32Array {
    return this.rt.f32().subarray(s.ptr / 4, s.ptr / 4 + s.size);
  }

  read(s: WasmStorage): Promise<TypedArray> {
    // a snapshot taken now: by the time the caller's await resumes, the block may be reused
    return Promise.resolve(this.readSync(s).slice());
  }

  release(s: WasmStorage): void {
    this.rt.release(s);
  }

  // ---- kernels

  full(_dtype: DType, size: number, value: number): WasmStorage {
    return full(this.rt, size, value);
  }
  cast(x: WasmStorage): WasmStorage {
    return copy(this.rt, x);
  }

  neg(x: WasmStorage) {
    return unary(this.rt, 'neg', x);
  }
  exp(x: WasmStorage) {
    return unary(this.rt, 'exp', x);
  }
  log(x: WasmStorage) {
    return unary(this.rt, 'log', x);
  }
  sqrt(x: WasmStorage) {
    return unary(this.rt, 'sqrt', x);
  }
  abs(x: WasmStorage) {
    return unary(this.rt, 'abs', x);
  }
  sign(x: WasmStorage) {
    return unary(this.rt, 'sign', x);
  }
  gelu(x: WasmStorage) {
    return unary(this.rt, 'gelu', x);
  }
  erf(x: WasmStorage) {
    return unary(this.rt, 'erf', x);
  }
  affine(x: WasmStorage, scale: number, shift: number) {
    return affine(this.rt, x, scale, shift);
  }
  powScalar(x: WasmStorage, p: number) {
    return powScalar(this.rt, x, p);
  }
  geluBackward(x: WasmStorage, dy: WasmStorage) {
    return geluBackward(this.rt, x, dy);
  }

  private binary(
    op: BinaryKernel,
    a: WasmStorage,
    b: WasmStorage,
    s: number[],
    as: number[],
    bs: number[],
  ) {
    return binary(this.rt, op, a, b, s, as, bs);
  }
  add(a: WasmStorage, b: WasmStorage, s: number[], as: number[], bs: number[]) {
    return this.binary('add', a, b, s, as, bs);
  }
  sub(a: WasmStorage, b: WasmStorage, s: number[], as: number[], bs: number[]) {
    return this.binary('sub', a, b, s, as, bs);
  }
  mul(a: WasmStorage, b: WasmStorage, s: number[], as: number[], bs: number[]) {
    return this.binary('mul', a, b, s, as, bs);
  }
  div(a: WasmStorage, b: WasmStorage, s: number[], as: number[], bs: number[]) {
    return this.binary('div', a, b, s, as, bs);
  }
  maximum(a: WasmStorage, b: WasmStorage, s: number[], as: number[], bs: number[]) {
    return this.binary('maximum', a, b, s, as, bs);
  }
  minimum(a: WasmStorage, b: WasmStorage, s: number[], as: number[], bs: number[]) {
    return this.binary('minimum', a, b, s, as, bs);
  }
  greater(a: WasmStorage, b: WasmStorage, s: number[], as: number[], bs: number[]) {
    return this.binary('greater', a, b, s, as, bs);
  }
  equal(a: WasmStorage, b: WasmStorage, s: number[], as: number[], bs: number[]) {
    return this.binary('equal', a, b, s, as, bs);
  }

  sum(x: WasmStorage, outer: number, n: number, inner: number): WasmStorage {
    return sum(this.rt, x, outer, n, inner);
  }
  max(x: WasmStorage, outer: number, n: number, inner: number): WasmStorage {
    return max(this.rt, x, outer, n, inner);
  }

  softmax(x: WasmStorage, rows: number, n: number): WasmStorage {
    return softmax(this.rt, x, rows, n);
  }
  logSoftmax(x: WasmStorage, rows: number, n: number): WasmStorage {
    return logSoftmax(this.rt, x, rows, n);
  }
  softmaxBackward(y: WasmStorage, dy: WasmStorage, rows: number, n: number): WasmStorage {
    return softmaxBackward(this.rt, y, dy, rows, n);
  }
  logSoftmaxBackward(y: WasmStorage, dy: WasmStorage, rows: number, n: number): WasmStorage {
    return logSoftmaxBackward(this.rt, y, dy, rows, n);
  }

  layerNorm(
    x: WasmStorage,
    w: WasmStorage,
    b: WasmStorage,
    rows: number,
    n: number,
    eps: number,
  ): { y: WasmStorage; mean: WasmStorage; rstd: WasmStorage } {
    return layerNorm(this.rt, x, w, b, rows, n, eps);
  }
  layerNormBackward(
    dy: WasmStorage,
    x: WasmStorage,
    w: WasmStorage,
    mean: WasmStorage,
    rstd: WasmStorage,
    rows: number,
    n: number,
  ): WasmStorage {
    return layerNormBackward(this.rt, dy, x, w, mean, rstd, rows, n);
  }
  layerNormParamGrads(
    dy: WasmStorage,
    x: WasmStorage,
    mean: WasmStorage,
    rstd: WasmStorage,
    rows: number,
    n: number,
  ): { dweight: WasmStorage; dbias: WasmStorage } {
    return layerNormParamGrads(this.rt, dy, x, mean, rstd, rows, n);
  }

  matmul(
    a: GemmOperand<WasmStorage>,
    b: GemmOperand<WasmStorage>,
    shape: GemmShape,
    bias: WasmStorage | null,
    out?: GemmOutLayout,
  ): WasmStorage {
    return matmul(this.rt, a, b, shape, bias, out ?? contiguousLayout(shape));
  }

  copyStrided(x: WasmStorage, shape: number[], strides: number[], offset: number) {
    return copyStrided(this.rt, x, shape, strides, offset);
  }
  pad(x: WasmStorage, inShape: number[], outShape: number[], starts: number[]) {
    return pad(this.rt, x, inShape, outShape, starts);
  }
  concat(parts: WasmStorage[], outer: number, sizes: number[], inner: number) {
    return concat(this.rt, parts, outer, sizes, inner);
  }
  gather(x: WasmStorage, index: Int32Array, outer: number, n: number, inner: number) {
    return gather(this.rt, x, index, outer, n, inner);
  }
  scatterAdd(g: WasmStorage, index: Int32Array, outer: number, n: number, inner: number) {
    return scatterAdd(this.rt, g, index, outer, n, inner);
  }

  adamw(
    p: WasmStorage,
    g: WasmStorage,
    m: WasmStorage,
    v: WasmStorage,
    hp: AdamWParams,
  ): { p: WasmStorage; m: WasmStorage; v: WasmStorage } {
    return adamw(this.rt, p, g, m, v, hp);
  }
  ema(t: WasmStorage, s: WasmStorage, momentum: number): WasmStorage {
    return ema(this.rt, t, s, momentum);
  }
}
