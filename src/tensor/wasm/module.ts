// The wasm backend's kernel module: every kernel file emits its functions into one module that
// imports the shared memory and two host functions (Math.log, Math.pow), built once per process
// and instantiated on the main thread and on every worker thread. `relaxed` chooses fused
// multiply-adds (relaxed SIMD) where the runtime validates them (simd.ts).

import { emitElementwise } from './elementwise.js';
import { MAX_PAGES } from './heap.js';
import { f32x4 } from './instructions.js';
import { emitLayerNorm } from './layernorm.js';
import { emitMatmul } from './matmul.js';
import { emitMovement } from './movement.js';
import { emitOptim } from './optim.js';
import { emitReduce } from './reduce.js';
import { emitSoftmaxKernels } from './softmax.js';
import { ConstPool, type SimdConfig } from './simd.js';
import { ModuleWriter } from './writer.js';

/** Where the constant pool lives (below the heap, whose first block starts at HEAP_BASE). */
export const CONST_BASE = 1024;
export const HEAP_BASE = 8192;

/**
 * The kernel module and its constant pool (write `consts` at CONST_BASE before any kernel runs).
 */
export function buildKernelModule(opts: { relaxed: boolean }): {
  bytes: Uint8Array;
  names: string[];
  consts: Float32Array;
} {
  const cfg: SimdConfig = { ...opts, consts: new ConstPool(CONST_BASE, HEAP_BASE - CONST_BASE) };
  const m = new ModuleWriter({ minPages: 1, maxPages: MAX_PAGES, shared: true });
  const host = {
    log: m.importFunction('Math', 'log', ['f64'], ['f64']),
    pow: m.importFunction('Math', 'pow', ['f64', 'f64'], ['f64']),
  };
  emitElementwise(m, cfg, host);
  emitMovement(m);
  emitReduce(m);
  emitSoftmaxKernels(m, cfg, host.log);
  emitLayerNorm(m, cfg);
  emitOptim(m);
  emitMatmul(m, cfg);
  return { bytes: m.encode(), names: m.exportNames(), consts: cfg.consts.contents() };
}

/** A tiny module using f32x4.relaxed_madd: whether this runtime accepts relaxed SIMD. */
export function relaxedSimdValid(): boolean {
  const m = new ModuleWriter({ minPages: 1, maxPages: 1, shared: false });
  const f = m.func('probe', ['v128'], ['v128']);
  const [x] = f.params;
  f.emit(f32x4.relaxed_madd(x, x, x));
  return WebAssembly.validate(m.encode());
}

/** A tiny module using 128-bit SIMD and a shared memory: whether the wasm backend can run. */
export function simdValid(): boolean {
  const m = new ModuleWriter({ minPages: 1, maxPages: 1, shared: true });
  const f = m.func('probe', ['v128'], ['v128']);
  const [x] = f.params;
  f.emit(f32x4.add(x, x));
  return WebAssembly.validate(m.encode());
}
