// The platform seam: the few things the engine needs from its host, behind one small interface,
// so that src/tensor, src/autograd, src/nn and the compute of src/dino import no Node built-in
// and touch no `process` when imported. They run unchanged in Node and in a browser (or a Web
// Worker); file I/O, image decoding and the command line are Node layers above the engine.
//
// The platform is detected on first use (Node when `process.getBuiltinModule` exists, else the
// browser one); setPlatform() replaces it, e.g. to give a browser page its own settings.

import { browserPlatform } from './browser.js';
import { nodePlatform } from './node.js';

export interface Platform {
  readonly name: 'node' | 'browser';
  /** A setting such as MINI_DINO_THREADS: the environment variable on Node. */
  env(name: string): string | undefined;
  /** Logical cores available to this process. */
  cores(): number;
  /** Physical memory in bytes (a best guess in a browser). */
  totalMemory(): number;
  /** A warning for the user: stderr on Node, console.warn in a browser. */
  warn(message: string): void;
  /**
   * Starts a worker thread that calls the function whose source text is `main` with `data`
   * (structured-cloned: shared memory and compiled WebAssembly modules pass as they are): Node
   * worker_threads, or a browser Web Worker. The function must be self-contained.
   */
  startWorker(main: string, data: unknown): WorkerHandle;
  /** Switches on what this host's WebAssembly needs switching on before the first compile
   * (Node 20: relaxed SIMD); safe to call more than once. */
  enableWasmFeatures(): void;
}

/** A started worker thread. */
export interface WorkerHandle {
  terminate(): void;
}

let current: Platform | null = null;

/** The host this process runs on (detected on first call). */
export function platform(): Platform {
  current ??= nodePlatform() ?? browserPlatform();
  return current;
}

/** Replaces the detected platform (tests; a browser page with its own settings). */
export function setPlatform(p: Platform): void {
  current = p;
}

/** `env(name)` as a flag: set and not '0' (MINI_DINO_DEBUG=1). */
export function envFlag(name: string): boolean {
  const v = platform().env(name);
  return v !== undefined && v !== '' && v !== '0';
}
