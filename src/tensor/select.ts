// Choosing the default backend: selectBackend('cpu' | 'gpu' | 'auto').
//
//   cpu   the TypeScript reference kernels (src/tensor/cpu), float32 and float64.
//   gpu   gpu.js kernels (src/tensor/gpu) in the mode createGpuBackend picks: the option or
//         MINI_DINO_GPU_MODE, else WebGPU when an adapter answers, else webasm.
//   auto  WebGPU (the gpu backend) when a hardware adapter answers; otherwise cpu. A software
//         adapter (SwiftShader, llvmpipe/lavapipe) is never picked: it runs the WebGPU kernels
//         correctly but far slower than the cpu backend (a recipe step on SwiftShader takes tens
//         of seconds; see bench/RESULTS.md), so it is for testing, asked for with --backend gpu.
//         The rule for machines without a GPU is measured, not assumed: on the 2-core CPU
//         machines this project runs on, bench/kernels.ts finds the cpu kernels faster than
//         gpu.js webasm for matmul, softmax and layerNorm (gpu.js copies every input into wasm
//         memory and the result out on each call; the cpu kernels work in place), so the cpu
//         backend is the default there.
// Nothing here loads gpu.js or Dawn before the gpu backend is asked for (gpu/gpujs.ts).
// The chosen backend becomes the default for tensors created without { backend }.

import { platform } from '../platform/index.js';
import type { Backend } from './backend.js';
import { cpu } from './cpu/index.js';
import type { GpuBackend } from './gpu/index.js';
import { createGpuBackend, gpuInfo, probeWebGPU, type GpuBackendOptions } from './gpu/mode.js';
import { setDefaultBackend } from './tensor.js';

export type BackendChoice = 'cpu' | 'gpu' | 'auto';

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
    case 'gpu':
      backend = await gpuBackend(opts);
      break;
    case 'auto': {
      const probe = await probeWebGPU(opts.webgpuFlags);
      backend =
        probe.adapter && !probe.software ? await gpuBackend({ ...opts, mode: 'webgpu' }) : cpu;
      break;
    }
    default:
      throw new Error(
        `selectBackend: unknown backend '${String(choice)}' (expected 'cpu', 'gpu' or 'auto')`,
      );
  }
  setDefaultBackend(backend);
  return backend;
}

/** Which backend, gpu mode and adapter are active ({ backend, gpuMode, adapter, description }). */
export const backendInfo = gpuInfo;
