// Worker threads for the cpu backend's matrix products and its costliest elementwise kernels:
// the same gemm (the WebAssembly SIMD kernel for float32, gemm-simd.ts; the TypeScript loop of
// gemm-blocked.ts for small products) runs on several cores, each thread on its own rows (or its
// own batch entries) of the output; GELU, its backward, erf and exp run each thread on its own
// range of elements, and binary ops on their own range of rows (the same loops as
// elementwise.ts, so results do not depend on the split).
// Buffers from the cpu pool live in SharedArrayBuffers, so a worker reads and writes them in
// place; the main thread computes its share, then blocks on Atomics.wait until the workers
// signal completion (ops are synchronous, see docs/ARCHITECTURE.md). Small products run on the
// main thread alone (a round trip costs ~0.1 ms).
// Threads: MINI_DINO_THREADS (default: the number of cores, at most 8; 1 disables).

import { platform } from '../../platform/index.js';
import { Worker } from 'node:worker_threads';
import type { TypedArray } from '../dtype.js';
import type { BinaryKernel, GemmOutLayout, GemmShape } from '../backend.js';
import { binary, geluBackward, unary } from './elementwise.js';
import { gemmBlocked } from './gemm-blocked.js';
import { gemmSimd } from './gemm-simd.js';
import type { ArrayOperand } from './matmul.js';

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

/** One block of rows of one batch entry: output offset, A offset, B offset, rows. */
export type GemmJob = [oOff: number, aOff: number, bOff: number, rows: number];

/**
 * Blocks of one product: each job computes rows × N outputs alpha·A·B (+ bias) at
 * oOff + i·ldo + j (the layout's column stride is 1).
 */
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
  ldo: number;
  alpha: number;
  bias: TypedArray | null;
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
  for (const [oOff, aOff, bOff, rows] of t.jobs) {
    gemmFast(
      t.out,
      oOff,
      t.ldo,
      t.a,
      aOff,
      t.ars,
      t.acs,
      t.b,
      bOff,
      t.brs,
      t.bcs,
      rows,
      t.K,
      t.N,
      t.alpha,
      t.bias,
    );
  }
}

/** gemm with the WebAssembly SIMD kernel for float32 (gemm-simd.ts), the TypeScript loop otherwise.
 * */
export function gemmFast(
  out: TypedArray,
  oOff: number,
  ldo: number,
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
  alpha: number,
  bias: TypedArray | null,
): void {
  // tiny blocks (attention over 5 tokens) are faster in plain TypeScript than through the copies
  if (
    M * K * N >= SIMD_MIN_MACS &&
    out instanceof Float32Array &&
    a instanceof Float32Array &&
    b instanceof Float32Array &&
    (bias === null || bias instanceof Float32Array) &&
    gemmSimd(out, oOff, ldo, a, aOff, ars, acs, b, bOff, brs, bcs, M, K, N, alpha, bias)
  )
    return;
  gemmBlocked(out, oOff, ldo, a, aOff, ars, acs, b, bOff, brs, bcs, M, K, N, alpha, bias);
}

/** Whether the fast path takes this product: its blocks write rows with column stride 1. */
export function fastPathTakes(layout: GemmOutLayout, N: number): boolean {
  return layout.colStride === 1 || N <= 1;
}

/**
 * The product's jobs dealt out in `parts` contiguous shares: whole batch entries when there are
 * enough, else each entry's rows split in blocks of 4 (the kernels' register block).
 */
function gemmShares(
  a: ArrayOperand,
  b: ArrayOperand,
  shape: GemmShape,
  layout: GemmOutLayout,
  parts: number,
): GemmJob[][] {
  const { batch, M } = shape;
  const entries = batch[0] * batch[1];
  const shares: GemmJob[][] = Array.from({ length: parts }, () => []);
  const at = (x: { batchStrides: readonly [number, number] }, t: number) =>
    Math.floor(t / batch[1]) * x.batchStrides[0] + (t % batch[1]) * x.batchStrides[1];
  for (let t = 0; t < entries; t++) {
    const oOff = at(layout, t);
    const aOff = a.offset + at(a, t);
    const bOff = b.offset + at(b, t);
    if (entries >= parts) {
      shares[Math.floor((t * parts) / entries)].push([oOff, aOff, bOff, M]);
      continue;
    }
    for (let p = 0; p < parts; p++) {
      const r0 = 4 * Math.floor((M * p) / parts / 4);
      const r1 = p === parts - 1 ? M : 4 * Math.floor((M * (p + 1)) / parts / 4);
      if (r1 > r0)
        shares[p].push([oOff + r0 * layout.rowStride, aOff + r0 * a.rowStride, bOff, r1 - r0]);
    }
  }
  return shares;
}

/** The fields of a GemmTask that describe the product (everything but the jobs). */
function gemmTask(
  out: TypedArray,
  a: ArrayOperand,
  b: ArrayOperand,
  shape: GemmShape,
  bias: TypedArray | null,
  layout: GemmOutLayout,
) {
  return {
    out,
    a: a.data,
    b: b.data,
    ars: a.rowStride,
    acs: a.colStride,
    brs: b.rowStride,
    bcs: b.colStride,
    K: shape.K,
    N: shape.N,
    ldo: layout.rowStride,
    alpha: shape.alpha,
    bias,
  };
}

/** A product on this thread (the serial fast path of the cpu backend's matmul). */
export function matmulSerial(
  out: TypedArray,
  a: ArrayOperand,
  b: ArrayOperand,
  shape: GemmShape,
  bias: TypedArray | null,
  layout: GemmOutLayout,
): void {
  const [jobs] = gemmShares(a, b, shape, layout, 1);
  runGemmJobs({ ...gemmTask(out, a, b, shape, bias, layout), jobs });
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
    a: ArrayOperand,
    b: ArrayOperand,
    shape: GemmShape,
    bias: TypedArray | null,
    layout: GemmOutLayout,
  ): boolean {
    const { batch, M, K, N } = shape;
    if (
      this.threads < 2 ||
      batch[0] * batch[1] * M * K * N < MIN_PARALLEL_MACS ||
      !isShared(out) ||
      !isShared(a.data) ||
      !isShared(b.data) ||
      (bias && !isShared(bias))
    )
      return false;
    if (!this.ensureWorkers()) return false;
    const shares = gemmShares(a, b, shape, layout, this.threads);
    const task = gemmTask(out, a, b, shape, bias, layout);
    this.dispatch(
      (w) => ({ kind: 'gemm', ...task, jobs: shares[w + 1], flags: this.flags, slot: w }),
      () => runGemmJobs({ ...task, jobs: shares[0] }),
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
