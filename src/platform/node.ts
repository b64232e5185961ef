// The Node platform (see index.ts). Built-ins come from process.getBuiltinModule (Node ≥ 20.16)
// at call time, never from a static import, so a browser bundle of the engine contains none.

import type { Platform, WorkerHandle } from './index.js';

type OsModule = typeof import('node:os');
type WorkerThreads = typeof import('node:worker_threads');
type V8Module = typeof import('node:v8');

interface NodeProcess {
  env: Record<string, string | undefined>;
  stderr: { write(s: string): unknown };
  getBuiltinModule?: (id: string) => unknown;
}

/** The Node platform, or null when this is not Node. */
export function nodePlatform(): Platform | null {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (!proc?.getBuiltinModule) return null;
  const builtin = proc.getBuiltinModule;
  const os = builtin('node:os') as OsModule;
  let wasmReady = false;
  return {
    name: 'node',
    env: (name) => proc.env[name],
    cores: () => os.availableParallelism(),
    totalMemory: () => os.totalmem(),
    warn: (message) => void proc.stderr.write(`mini-dino: ${message}\n`),
    startWorker(main: string, data: unknown): WorkerHandle {
      const { Worker } = builtin('node:worker_threads') as WorkerThreads;
      // no require(): a worker inherits --input-type=module and would then run this as ESM
      const data0 = "process.getBuiltinModule('node:worker_threads').workerData";
      const source = `(${main})(${data0});`;
      const w = new Worker(source, { eval: true, workerData: data });
      w.unref(); // an idle worker does not keep the process alive
      return { terminate: () => void w.terminate() };
    },
    enableWasmFeatures() {
      if (wasmReady) return;
      wasmReady = true;
      // relaxed SIMD (f32x4.relaxed_madd) ships behind this flag in Node 20 (V8 11.3) and is on
      // by default from Node 22; setting it is harmless there
      (builtin('node:v8') as V8Module).setFlagsFromString('--experimental-wasm-relaxed-simd');
    },
  };
}
