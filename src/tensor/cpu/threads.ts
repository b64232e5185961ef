// Worker threads for the cpu backend's matrix products and its costliest elementwise kernels:
// the same gemm (the WebAssembly SIMD kernel for float32, gemm-simd.ts; the TypeScript loop of
// matmul.ts otherwise) runs on several cores, each thread on its own rows (or its own batch
// entries) of the output; GELU, its backward, erf and exp run each thread on its own range of
// elements, and binary ops on their own range of rows (the same loops as elementwise.ts, so
// results do not depend on the split).
// Buffers from the cpu pool live in SharedArrayBuffers, so a worker reads and writes them in
// place; the main thread computes its share, then blocks on Atomics.wait until the workers
// signal completion (ops are synchronous, see docs/ARCHITECTURE.md). Small products run on the
// main thread alone (a round trip costs ~0.1 ms).
// Threads: MINI_DINO_THREADS (default: the number of cores, at most 8; 1 disables).

import { platform } from '../../platform/index.js';
import { Worker } from 'node:worker_threads';
import type { TypedArray } from '../dtype.js';
import type { BinaryKernel } from '../backend.js';
import { binary, geluBackward, unary } from './elementwise.js';
import { gemmSimd } from './gemm-simd.js';
import { gemm, matmulStrides } from './matmul.js';

/**
 * Multiply-adds below which the SIMD kernel's copies cost more than they save: the recipe's
 * per-head attention products (17×16×17 = 4624) run ~5% faster per step in the TypeScript loop.
 */
const SIMD_MIN_MACS = 8192;

/** Multiply-adds below which a product is not worth splitting. */
const MIN_PARALLEL_MACS = 1 << 21;

/** Elements below which an elementwise kernel is not worth splitting (GELU costs ~20 ns each). */
const MIN_PARALLEL_ELEMENTS = 1 << 15;

/** Elements below which a binary op (~1-2 ns each) is not worth a round trip to the workers. */
const MIN_PARALLEL_BINARY = 1 << 17;

/** One block of rows: output offset, A offset, B offset, rows. */
export type GemmJob = [oOff: number, aOff: number, bOff: number, rows: number];

export interface GemmTask {
  kind: 'gemm';
  out: TypedArray;
  a: TypedArray;
  b: TypedArray;
  jobs: GemmJob[];
  ars: number;
  acs: number;
  brs: number;
  bcs: number;
  K: number;
  N: number;
  flags: Int32Array;
  slot: number;
}

/** The elementwise kernels worth a thread: transcendental functions. */
export type MapOp = 'gelu' | 'erf' | 'exp' | 'geluBackward';

/** One range [start, end) of an elementwise kernel (dy only for geluBackward). */
export interface MapTask {
  kind: 'map';
  op: MapOp;
  out: TypedArray;
  x: TypedArray;
  dy: TypedArray | null;
  start: number;
  end: number;
  flags: Int32Array;
  slot: number;
}

/** Rows [r0, r1) of a binary op with broadcasting (elementwise.ts binary). */
export interface BinaryTask {
  kind: 'binary';
  op: BinaryKernel;
  out: TypedArray;
  a: TypedArray;
  b: TypedArray;
  shape: number[];
  aStrides: number[];
  bStrides: number[];
  r0: number;
  r1: number;
  flags: Int32Array;
  slot: number;
}

export type WorkerTask = GemmTask | MapTask | BinaryTask;

export function runBinary(t: Omit<BinaryTask, 'kind' | 'flags' | 'slot'>): void {
  binary(t.op, t.out, t.a, t.b, t.shape, t.aStrides, t.bStrides, t.r0, t.r1);
}

export function runMap(t: Omit<MapTask, 'kind' | 'flags' | 'slot'>): void {
  const out = t.out.subarray(t.start, t.end);
  const x = t.x.subarray(t.start, t.end);
  if (t.op === 'geluBackward') geluBackward(out, x, t.dy!.subarray(t.start, t.end));
  else unary(t.op, out, x);
}

/** An elementwise kernel on this thread alone. */
export function mapSerial(
  op: MapOp,
  out: TypedArray,
  x: TypedArray,
  dy: TypedArray | null = null,
): void {
  runMap({ op, out, x, dy, start: 0, end: out.length });
}

export function runGemmJobs(t: Omit<GemmTask, 'kind' | 'flags' | 'slot'>): void {
  for (const [oOff, aOff, bOff, rows] of t.jobs)
    gemmFast(t.out, oOff, t.a, aOff, t.ars, t.acs, t.b, bOff, t.brs, t.bcs, rows, t.K, t.N);
}

/** gemm with the WebAssembly SIMD kernel for float32 (gemm-simd.ts), the TypeScript loop otherwise.
 * */
export function gemmFast(
  out: TypedArray,
  oOff: number,
  a: TypedArray,
  aOff: number,
  ars: number,
  acs: number,
  b: TypedArray,
  bOff: number,
  brs: number,
  bcs: number,
  M: number,
  K: number,
  N: number,
): void {
  // tiny blocks (attention over 5 tokens) are faster in plain TypeScript than through the copies
  if (
    M * K * N >= SIMD_MIN_MACS &&
    out instanceof Float32Array &&
    a instanceof Float32Array &&
    b instanceof Float32Array &&
    gemmSimd(out, oOff, a, aOff, ars, acs, b, bOff, brs, bcs, M, K, N)
  )
    return;
  gemm(out, oOff, a, aOff, ars, acs, b, bOff, brs, bcs, M, K, N);
}

/** A batched product on this thread (the serial path of the cpu backend's matmul). */
export function matmulSerial(
  out: TypedArray,
  a: TypedArray,
  b: TypedArray,
  batch: number,
  M: number,
  K: number,
  N: number,
  aBatchStride: number,
  bBatchStride: number,
  transA: boolean,
  transB: boolean,
): void {
  const { ars, acs, brs, bcs } = matmulStrides(M, K, N, transA, transB);
  for (let t = 0; t < batch; t++)
    gemmFast(out, t * M * N, a, t * aBatchStride, ars, acs, b, t * bBatchStride, brs, bcs, M, K, N);
}

export function configuredThreads(): number {
  const env = Number(platform().env('MINI_DINO_THREADS'));
  if (Number.isInteger(env) && env >= 1) return Math.min(env, 64);
  return Math.max(1, Math.min(8, platform().cores()));
}

const isShared = (x: TypedArray) => x.buffer instanceof SharedArrayBuffer;

class WorkerPool {
  private workers: Worker[] = [];
  private readonly flags: Int32Array;

  constructor(readonly threads: number) {
    this.flags = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, threads)));
  }

  private started = false;

  /**
   * Starts the workers and waits (blocking, at most 20 s) until each has loaded its module and
   * raised its flag. Run from TypeScript sources (tsx), a worker registers tsx itself: Node 20
   * does not apply --import to worker threads. If a worker does not come up, threads are turned
   * off with a warning instead of hanging.
   */
  private ensureWorkers(): boolean {
    if (this.started) return this.workers.length > 0;
    this.started = true;
    const self = new URL(import.meta.url);
    const ts = self.pathname.endsWith('.ts');
    const workerData = {
      url: new URL(`./worker${ts ? '.ts' : '.js'}`, self).href,
      tsx: ts ? import.meta.resolve('tsx/esm/api') : null,
      flags: this.flags,
    };
    const boot = `const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.url);
})().catch((e) => { console.error('mini-dino cpu worker failed to start:', e); });`;
    for (let i = 0; i < this.threads - 1; i++) {
      Atomics.store(this.flags, i, 0);
      const w = new Worker(boot, { eval: true, workerData: { ...workerData, slot: i } });
      w.unref();
      this.workers.push(w);
    }
    const deadline = Date.now() + 20000;
    for (let i = 0; i < this.workers.length; i++) {
      while (Atomics.load(this.flags, i) === 0 && Date.now() < deadline)
        Atomics.wait(this.flags, i, 0, 100);
      if (Atomics.load(this.flags, i) !== 1) {
        platform().warn(
          'cpu worker threads did not start; running matrix products ' +
            'on one thread (MINI_DINO_THREADS=1 silences this)',
        );
        for (const w of this.workers) void w.terminate();
        this.workers = [];
        return false;
      }
    }
    return true;
  }

  /** Runs the product over `threads` threads; returns false when it should run serially. */
  tryMatmul(
    out: TypedArray,
    a: TypedArray,
    b: TypedArray,
    batch: number,
    M: number,
    K: number,
    N: number,
    aBatchStride: number,
    bBatchStride: number,
    transA: boolean,
    transB: boolean,
  ): boolean {
    if (
      this.threads < 2 ||
      batch * M * K * N < MIN_PARALLEL_MACS ||
      !isShared(out) ||
      !isShared(a) ||
      !isShared(b)
    )
      return false;
    if (!this.ensureWorkers()) return false;
    const s = matmulStrides(M, K, N, transA, transB);
    // every (batch entry, row block) job, then dealt out in contiguous shares
    const parts = this.threads;
    const shares: GemmJob[][] = Array.from({ length: parts }, () => []);
    if (batch >= parts) {
      for (let p = 0; p < parts; p++) {
        const t0 = Math.floor((batch * p) / parts);
        const t1 = Math.floor((batch * (p + 1)) / parts);
        for (let t = t0; t < t1; t++)
          shares[p].push([t * M * N, t * aBatchStride, t * bBatchStride, M]);
      }
    } else {
      for (let t = 0; t < batch; t++) {
        for (let p = 0; p < parts; p++) {
          const r0 = 4 * Math.floor((M * p) / parts / 4);
          const r1 = p === parts - 1 ? M : 4 * Math.floor((M * (p + 1)) / parts / 4);
          if (r1 > r0)
            shares[p].push([
              t * M * N + r0 * N,
              t * aBatchStride + r0 * s.ars,
              t * bBatchStride,
              r1 - r0,
            ]);
        }
      }
    }
    this.dispatch(
      (w) => ({
        kind: 'gemm',
        out,
        a,
        b,
        jobs: shares[w + 1],
        ...s,
        K,
        N,
        flags: this.flags,
        slot: w,
      }),
      () => runGemmJobs({ out, a, b, jobs: shares[0], ...s, K, N }),
    );
    return true;
  }

  /** Runs an elementwise kernel over `threads` ranges; returns false when it should run serially.
   * */
  tryMap(op: MapOp, out: TypedArray, x: TypedArray, dy: TypedArray | null = null): boolean {
    const n = out.length;
    if (
      this.threads < 2 ||
      n < MIN_PARALLEL_ELEMENTS ||
      !isShared(out) ||
      !isShared(x) ||
      (dy && !isShared(dy))
    )
      return false;
    if (!this.ensureWorkers()) return false;
    const parts = this.workers.length + 1;
    const bound = (p: number) => Math.floor((n * p) / parts);
    this.dispatch(
      (w) => ({
        kind: 'map',
        op,
        out,
        x,
        dy,
        start: bound(w + 1),
        end: bound(w + 2),
        flags: this.flags,
        slot: w,
      }),
      () => runMap({ op, out, x, dy, start: 0, end: bound(1) }),
    );
    return true;
  }

  /** Runs a binary op over `threads` ranges of rows; returns false when it should run serially. */
  tryBinary(
    op: BinaryKernel,
    out: TypedArray,
    a: TypedArray,
    b: TypedArray,
    shape: number[],
    aStrides: number[],
    bStrides: number[],
  ): boolean {
    const n = out.length;
    const rows = shape.length === 0 ? 1 : n / shape[shape.length - 1];
    if (
      this.threads < 2 ||
      n < MIN_PARALLEL_BINARY ||
      rows < this.threads ||
      !isShared(out) ||
      !isShared(a) ||
      !isShared(b)
    )
      return false;
    if (!this.ensureWorkers()) return false;
    const parts = this.workers.length + 1;
    const bound = (p: number) => Math.floor((rows * p) / parts);
    const common = { op, out, a, b, shape, aStrides, bStrides };
    this.dispatch(
      (w) => ({
        kind: 'binary',
        ...common,
        r0: bound(w + 1),
        r1: bound(w + 2),
        flags: this.flags,
        slot: w,
      }),
      () => runBinary({ ...common, r0: 0, r1: bound(1) }),
    );
    return true;
  }

  /** Posts one task per worker, runs the main thread's share, then waits for every worker. */
  private dispatch(task: (w: number) => WorkerTask, own: () => void): void {
    const flags = this.flags;
    for (let w = 0; w < this.workers.length; w++) {
      Atomics.store(flags, w, 0);
      this.workers[w].postMessage(task(w));
    }
    own();
    for (let w = 0; w < this.workers.length; w++) {
      while (Atomics.load(flags, w) === 0) Atomics.wait(flags, w, 0, 1000);
      if (Atomics.load(flags, w) !== 1)
        throw new Error('cpu backend: a worker thread failed (see its message above)');
    }
  }
}

let pool: WorkerPool | null = null;

/** The process-wide pool (created on first use with configuredThreads()). */
export function workerPool(): WorkerPool {
  return (pool ??= new WorkerPool(configuredThreads()));
}
