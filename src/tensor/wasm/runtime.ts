// The wasm backend's runtime: one shared WebAssembly.Memory with its allocator (heap.ts), the
// compiled kernel module instantiated on this thread, the worker pool (threads.ts), and the rule
// that splits a kernel call over threads. The kernel files (elementwise.ts, softmax.ts, ...) call
// `run` with their exported function, its arguments, and how much work there is.

import type { Storage } from '../backend.js';
import { Heap } from './heap.js';
import { HEAP_BASE } from './module.js';
import type { ThreadPool } from './threads.js';

/** A float32 buffer in the shared memory: `size` elements from byte `ptr` (64-byte aligned). */
export interface WasmStorage extends Storage {
  readonly dtype: 'float32';
  readonly ptr: number;
}

type Kernel = (...args: number[]) => number | undefined;

/** Chunks per thread when a kernel is split: enough that a late worker's share is taken over. */
const CHUNKS_PER_THREAD = 4;

export class Runtime {
  readonly heap: Heap;
  readonly fns: Record<string, Kernel>;
  private readonly indexOf = new Map<string, number>();
  private view: Float32Array;
  /** Split every kernel over the threads however little work it has (tests of the splits). */
  splitAll = false;
  /** Scratch memory for every thread (matmul's packed panels): thread t's at ptr + t·bytes. */
  private scratchBlock: { ptr: number; bytes: number } | null = null;

  constructor(
    readonly memory: WebAssembly.Memory,
    instance: WebAssembly.Instance,
    names: readonly string[],
    /** Whether the module uses relaxed SIMD's fused multiply-add. */
    readonly relaxed: boolean,
    readonly pool: ThreadPool | null,
  ) {
    this.heap = new Heap(memory, HEAP_BASE);
    this.fns = instance.exports as Record<string, Kernel>;
    names.forEach((n, i) => this.indexOf.set(n, i));
    this.view = new Float32Array(memory.buffer);
  }

  /** Threads a kernel may use, this one included. */
  get threads(): number {
    return this.pool?.threads ?? 1;
  }

  /** The whole memory as float32 (a new view after the memory grew). */
  f32(): Float32Array {
    if (this.view.length * 4 !== this.memory.buffer.byteLength)
      this.view = new Float32Array(this.memory.buffer);
    return this.view;
  }

  /** `bytes` of scratch memory per thread; thread t's starts at the result + t·bytes. */
  scratch(bytes: number): number {
    if (!this.scratchBlock || this.scratchBlock.bytes < bytes) {
      if (this.scratchBlock) this.heap.release(this.scratchBlock.ptr);
      const threads = this.pool?.capacity ?? 1;
      this.scratchBlock = { ptr: this.heap.alloc(bytes * threads), bytes };
    }
    return this.scratchBlock.ptr;
  }

  alloc(size: number): WasmStorage {
    return { dtype: 'float32', size, ptr: this.heap.alloc(4 * size) };
  }

  release(s: WasmStorage): void {
    this.heap.release(s.ptr);
  }

  /**
   * Runs the exported kernel as fn(...args, start, end, thread) over the work [0, total), in
   * chunks of at least `minPerThread` units (a few per thread) that start at multiples of `grain`;
   * each kernel computes a unit the same way whichever thread runs its chunk.
   */
  /** The index of an exported kernel, as the workers know it. */
  kernelIndex(name: string): number {
    return this.indexOf.get(name)!;
  }

  run(name: string, args: readonly number[], total: number, minPerThread: number, grain = 1) {
    const fn = this.fns[name];
    const min = this.splitAll ? 1 : Math.max(1, minPerThread);
    const parts = Math.min(CHUNKS_PER_THREAD * this.threads, Math.floor(total / min));
    if (parts <= 1 || !this.pool || this.threads === 1) {
      if (total > 0) fn(...args, 0, total, 0);
      return;
    }
    const bounds = [0];
    for (let p = 1; p < parts; p++) bounds.push(Math.round((total * p) / parts / grain) * grain);
    bounds.push(total);
    this.pool.run(this.kernelIndex(name), fn, args, bounds);
  }
}
