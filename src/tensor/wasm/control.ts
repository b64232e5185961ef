// The control block that the wasm backend's main thread and its workers share (threads.ts,
// worker.ts): a few Int32 words for the handshake, then the task as Float64 (every kernel
// argument is an address, a count or a float parameter: all exact in a double) and the
// boundaries of its chunks.

/** Layout of the control block (indices into its Int32Array, and where the Float64 part starts). */
export const CONTROL = {
  /** Bumped by the main thread to publish a task. */
  gen: 0,
  /** Chunks that workers have finished. */
  done: 1,
  /** Index of the kernel in WorkerBoot.names. */
  fn: 2,
  /** Number of arguments before (start, end, thread). */
  nargs: 3,
  /** Set by a worker whose kernel threw. */
  error: 4,
  /** The next chunk to take, tagged with the task: (gen & TAG_MASK) << 9 | chunk. */
  next: 5,
  /** Chunks of the current task. */
  chunks: 6,
  /** Workers taking part (slots 0 .. active − 1). */
  active: 7,
  /** ready + slot: set once the worker has instantiated the module. */
  ready: 8,
  ints: 8 + 64,
  argsByte: 4 * (8 + 64),
  /** Arguments of a task (Float64 slots), then the maxChunks + 1 chunk boundaries. */
  maxArgs: 32,
  maxChunks: 256,
  /** The chunk index's bits in `next`, and the task tag's mask. */
  chunkBits: 9,
  tagMask: 0x1fffff,
  /** Polls of the control word before a thread blocks in Atomics.wait (tens of µs). */
  spins: 20000,
  /** Most worker threads (the block has room for 64). */
  maxWorkers: 63,
} as const;

/** Bytes of the control block. */
export const CONTROL_BYTES = CONTROL.argsByte + 8 * (CONTROL.maxArgs + CONTROL.maxChunks + 1);

/** The tagged `next` word of task `gen` at chunk c. */
export const nextWord = (gen: number, c: number) =>
  ((gen & CONTROL.tagMask) << CONTROL.chunkBits) | c;

/** What a worker receives when it starts. */
export interface WorkerBoot {
  layout: typeof CONTROL;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** Exported kernels, by index. */
  names: string[];
  slot: number;
}
