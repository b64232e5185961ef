// The wasm backend's allocator: blocks of one shared WebAssembly.Memory, which the kernels (and
// the worker threads) address directly, so a tensor's storage is just a byte offset.
//
// Every block is a multiple of 64 bytes (a cache line), which also pads each float32 buffer to a
// whole number of 16-element groups: vector loops may run past `size` into their own padding.
// Freed blocks go to a free list per block size; a training step repeats the same sizes, so its
// second step allocates nothing new (`freshBlocks` counts blocks cut from fresh memory; a test
// checks that steps add none). Sizes are rounded up to one of 8 classes per power of two (at most
// 12.5% waste) so that nearby sizes share blocks. A request that no free list answers is cut from
// the top of the heap while the memory has room; when it has none and a quarter of the memory
// lies in free blocks of other sizes (a change of workload: evaluation after training), adjacent
// free blocks are merged and the best fit is split; otherwise the memory grows (it never
// shrinks: the peak working set stays resident, as in a pool). A wasm32 memory holds at most
// 4 GiB.

export const BLOCK = 64;
const PAGE = 65536;
/** 4 GiB: the most a wasm32 memory can address. */
export const MAX_PAGES = 65536;

/** Bytes of the block that holds `bytes`: 64-byte granules, then 8 classes per power of two. */
export function blockBytes(bytes: number): number {
  const b = Math.max(BLOCK, Math.ceil(bytes / BLOCK) * BLOCK);
  if (b <= 8 * BLOCK) return b;
  const step = 2 ** (Math.floor(Math.log2(b - 1)) - 3);
  return Math.ceil(b / step) * step;
}

export class Heap {
  /** First byte never handed out (the heap is [base, top)). */
  private top: number;
  /** Free blocks per size (LIFO: the most recently freed block is still in cache). */
  private free = new Map<number, number[]>();
  /** Size of every live block, by address. */
  private live = new Map<number, number>();
  private freeBytes = 0;
  /** Whether blocks were released since the last merge (else merging again changes nothing). */
  private dirty = false;
  /** Blocks cut from fresh memory: a repeated training step should add none. */
  freshBlocks = 0;
  /** Bytes in live blocks, and their peak. */
  usedBytes = 0;
  peakBytes = 0;
  /** Times the memory grew. */
  grows = 0;

  constructor(
    readonly memory: WebAssembly.Memory,
    readonly base: number,
    /** The memory's maximum in 64 KiB pages (4 GiB for wasm32). */
    readonly maxPages = MAX_PAGES,
  ) {
    this.top = base;
  }

  /** The address of a new block of at least `bytes` bytes (64-byte aligned). */
  alloc(bytes: number): number {
    const size = blockBytes(bytes);
    const list = this.free.get(size);
    let ptr = list?.pop();
    if (ptr === undefined) {
      const memory = this.memory.buffer.byteLength;
      const full = this.top + size > memory;
      const reorganize = this.freeBytes > memory / 4 || this.top + size > this.maxPages * PAGE;
      if (full && reorganize && this.freeBytes >= size) ptr = this.fromFreeBlocks(size);
      if (ptr === undefined) {
        this.ensure(this.top + size);
        ptr = this.top;
        this.top += size;
        this.freshBlocks++;
      }
    } else {
      this.freeBytes -= size;
    }
    this.live.set(ptr, size);
    this.usedBytes += size;
    if (this.usedBytes > this.peakBytes) this.peakBytes = this.usedBytes;
    return ptr;
  }

  /** Returns a block to its free list. */
  release(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) throw new Error(`wasm heap: release of ${ptr}, which is not a block`);
    this.live.delete(ptr);
    this.usedBytes -= size;
    this.freeBytes += size;
    this.dirty = true;
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(ptr);
  }

  /** The heap's extent and use, for tests and benchmarks. */
  stats(): { top: number; used: number; free: number; peak: number; memory: number } {
    return {
      top: this.top,
      used: this.usedBytes,
      free: this.freeBytes,
      peak: this.peakBytes,
      memory: this.memory.buffer.byteLength,
    };
  }

  /**
   * Merges adjacent free blocks (giving the last run back to the top) and splits the smallest
   * one that fits; undefined when none does.
   */
  private fromFreeBlocks(size: number): number | undefined {
    if (!this.dirty) return this.bestFit(size);
    this.dirty = false;
    const blocks: [number, number][] = [];
    for (const [s, list] of this.free) for (const p of list) blocks.push([p, s]);
    blocks.sort((a, b) => a[0] - b[0]);
    this.free.clear();
    this.freeBytes = 0;
    const merged: [number, number][] = [];
    for (const [p, s] of blocks) {
      const last = merged[merged.length - 1];
      if (last && last[0] + last[1] === p) last[1] += s;
      else merged.push([p, s]);
    }
    const last = merged[merged.length - 1];
    if (last && last[0] + last[1] === this.top) {
      this.top = last[0];
      merged.pop();
    }
    for (const [p, s] of merged) this.push(p, s);
    if (this.top + size <= this.memory.buffer.byteLength) {
      // the merge gave room back at the top
      const ptr = this.top;
      this.top += size;
      this.freshBlocks++;
      return ptr;
    }
    return this.bestFit(size);
  }

  /** Splits the smallest free block of at least `size` bytes; undefined when none is. */
  private bestFit(size: number): number | undefined {
    let best = -1;
    for (const [s, list] of this.free)
      if (s >= size && list.length > 0 && (best < 0 || s < best)) best = s;
    if (best < 0) return undefined;
    const ptr = this.free.get(best)!.pop()!;
    this.freeBytes -= best;
    if (best > size) this.push(ptr + size, best - size);
    return ptr;
  }

  private push(ptr: number, size: number): void {
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(ptr);
    this.freeBytes += size;
  }

  /** Grows the memory to at least `end` bytes (by at least an eighth, 16 MiB, at a time). */
  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const havePages = have / PAGE;
    const needPages = Math.ceil(end / PAGE);
    if (needPages > this.maxPages) {
      throw new Error(
        `wasm backend: out of memory: a block of ${mb(end - this.top)} does not fit with ` +
          `${mb(this.usedBytes)} in use; the memory holds at most ${mb(this.maxPages * PAGE)} ` +
          `(4 GiB for wasm32; use the cpu backend, or smaller batches)`,
      );
    }
    const want = Math.max(needPages, havePages + Math.max(havePages >> 3, 256));
    this.memory.grow(Math.min(this.maxPages, want) - havePages);
    this.grows++;
  }
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
