// The control block that the wasm backend's main thread and its workers share (threads.ts,
// worker.ts): a few Int32 words for the handshake, then the task's arguments as Float64 (every
// kernel argument is an address, a count or a float32 parameter: all exact in a double).

/** Layout of the control block (indices into its Int32Array, and where the Float64 part starts). */
export const CONTROL = {
  /** Bumped by the main thread to publish a task. */
  gen: 0,
  /** Workers done with the current task. */
  done: 1,
  /** Index of the kernel in WorkerBoot.names. */
  fn: 2,
  /** Number of arguments before (start, end). */
  nargs: 3,
  /** Set by a worker whose kernel threw. */
  error: 4,
  /** Workers taking part in the current task (slots 0 .. active − 1). */
  active: 5,
  /** ready + slot: set once the worker has instantiated the module. */
  ready: 8,
  ints: 8 + 64,
  argsByte: 4 * (8 + 64),
  /** Arguments of a task; then (start, end) per worker. */
  maxArgs: 32,
  /** Polls of the control word before a worker blocks in Atomics.wait (~50 µs). */
  spins: 20000,
  /** Most worker threads (the block has room for 64). */
  maxWorkers: 63,
} as const;

/** Bytes of the control block. */
export const CONTROL_BYTES = CONTROL.argsByte + 8 * (CONTROL.maxArgs + 2 * 64);

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
