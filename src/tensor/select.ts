// Choosing the default backend: selectBackend('cpu' | 'wasm' | 'gpu' | 'auto').
//
//   cpu   the TypeScript reference kernels (src/tensor/cpu), float32 and float64.
//   wasm  the fast CPU path (src/tensor/wasm): WebAssembly SIMD kernels on shared memory, split
//         over worker threads; float32.
//   gpu   gpu.js kernels (src/tensor/gpu) in the mode createGpuBackend picks: the option or
//         MINI_DINO_GPU_MODE, else WebGPU when an adapter answers, else webasm.
//   auto  the gpu backend in WebGPU mode when a hardware adapter answers (a software one, such
//         as SwiftShader or llvmpipe, is slower than the CPU backends); otherwise wasm where
//         WebAssembly SIMD and shared memory are available; otherwise cpu. Measured, not
//         assumed: bench/RESULTS.md compares the backends kernel by kernel and per step.
// The chosen backend becomes the default for tensors created without { backend };
// autoReason() says why `auto` chose what it chose.

import { platform } from '../platform/index.js';
import type { Backend } from './backend.js';
import { cpu } from './cpu/index.js';
import type { GpuBackend } from './gpu/index.js';
import { createGpuBackend, gpuInfo, probeWebGPU, type GpuBackendOptions } from './gpu/mode.js';
import { setDefaultBackend } from './tensor.js';
import { createWasmBackend, type WasmBackend, wasmUnavailable } from './wasm/index.js';

export type BackendChoice = 'cpu' | 'wasm' | 'gpu' | 'auto';

const gpuBackends = new Map<string, Promise<GpuBackend>>();

/** One gpu backend per set of options, created on first use (kernels are cached per backend). */
function gpuBackend(opts: GpuBackendOptions): Promise<GpuBackend> {
  const key = JSON.stringify({ ...opts, env: platform().env('MINI_DINO_GPU_MODE') ?? '' });
  let b = gpuBackends.get(key);
  if (!b) {
    b = createGpuBackend(opts);
    b.catch(() => gpuBackends.delete(key));
    gpuBackends.set(key, b);
  }
  return b;
}

let wasmBackend: Promise<WasmBackend> | null = null;

/** The process-wide wasm backend, created on first use (module, memory, worker threads). */
export function wasmDefault(): Promise<WasmBackend> {
  if (!wasmBackend) {
    wasmBackend = createWasmBackend();
    wasmBackend.catch(() => (wasmBackend = null));
  }
  return wasmBackend;
}

/** Adapters that are software renderers: the CPU backends beat them. */
export function isSoftwareAdapter(name: string): boolean {
  return /swiftshader|llvmpipe|lavapipe|software|basic render/i.test(name);
}

let reason: string | null = null;

/** Why the last selectBackend('auto') chose its backend (null before the first). */
export function autoReason(): string | null {
  return reason;
}

/** Creates (or reuses) the backend, makes it the default and returns it. */
export async function selectBackend(
  choice: BackendChoice = 'auto',
  opts: GpuBackendOptions = {},
): Promise<Backend> {
  let backend: Backend;
  switch (choice) {
    case 'cpu':
      backend = cpu;
      break;
    case 'wasm':
      backend = await wasmDefault();
      break;
    case 'gpu':
      backend = await gpuBackend(opts);
      break;
    case 'auto': {
      const probe = await probeWebGPU(opts.webgpuFlags);
      const noWasm = wasmUnavailable();
      if (probe.adapter && !isSoftwareAdapter(probe.adapter)) {
        backend = await gpuBackend({ ...opts, mode: 'webgpu' });
        reason = `the WebGPU adapter ${probe.adapter} answered`;
      } else {
        const gpuWhy = probe.adapter
          ? `the WebGPU adapter ${probe.adapter} is a software renderer`
          : `no WebGPU adapter (${probe.reason})`;
        backend = noWasm ? cpu : await wasmDefault();
        reason = noWasm ? `${gpuWhy}, and no wasm backend: ${noWasm}` : gpuWhy;
      }
      break;
    }
    default:
      throw new Error(
        `selectBackend: unknown backend '${String(choice)}' ` +
          `(expected 'cpu', 'wasm', 'gpu' or 'auto')`,
      );
  }
  setDefaultBackend(backend);
  return backend;
}

/** Which backend, gpu mode and adapter are active ({ backend, gpuMode, adapter, description }). */
export const backendInfo = gpuInfo;
