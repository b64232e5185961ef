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
   * Why WebGPU cannot find a GPU here, known without loading a WebGPU implementation (Node on
   * Linux: no Vulkan loader or no driver registered, see vulkan.ts), or null when it may.
   */
  webgpuObstacle?(): string | null;
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
