// Choosing the gpu backend's mode: createGpuBackend({ mode }) and gpuInfo(backend).
//
//   mode    explicit option, else MINI_DINO_GPU_MODE, else webgpu when an adapter answers,
//           else webasm. Asking for webgpu where no adapter answers is an error that says why
//           (no silent fallback). 'cpu' is gpu.js's own JavaScript mode, for debugging kernels.
// In Node, WebGPU comes from the optional package `webgpu` (0.6.2, Dawn), which exposes
// navigator.gpu (`navigator.gpu = create([])`, in probeWebGPU); in a browser it is native.
// No cpu twin: the cpu backend has no modes.

import { GPU } from 'gpu.js';
import { platform } from '../../platform/index.js';
import type { Backend, BackendName } from '../backend.js';
import { getDefaultBackend } from '../tensor.js';
import { GpuBackend } from './index.js';
import { webgpuContext, type GpuMode, type RuntimeOptions } from './runtime.js';

export const GPU_MODES: readonly GpuMode[] = ['webgpu', 'webasm', 'cpu'];

export interface GpuBackendOptions extends RuntimeOptions {
  /** webgpu | webasm | cpu; default: MINI_DINO_GPU_MODE, else webgpu when an adapter answers, else
   * webasm. */
  mode?: GpuMode;
  /** Flags for Dawn's create() in Node (e.g. ['backend=null'] compiles shaders without running
   * them). */
  webgpuFlags?: string[];
}

/** The mode MINI_DINO_GPU_MODE asks for, if any. */
export function gpuModeFromEnv(): GpuMode | undefined {
  const v = platform().env('MINI_DINO_GPU_MODE');
  if (v === undefined || v === '') return undefined;
  if (!(GPU_MODES as readonly string[]).includes(v)) {
    throw new Error(`MINI_DINO_GPU_MODE=${v} is not a gpu mode (expected ${GPU_MODES.join(', ')})`);
  }
  return v as GpuMode;
}

interface WebGPUProbe {
  /** The adapter's name, or null when none answered. */
  adapter: string | null;
  /** Why there is no adapter (null when there is one). */
  reason: string | null;
}

type NavigatorGpu = { requestAdapter(): Promise<{ info?: Record<string, string> } | null> };
let probed: Promise<WebGPUProbe> | null = null;

/** Asks for a WebGPU adapter once per process, installing Node's navigator.gpu if needed. */
export function probeWebGPU(flags: string[] = []): Promise<WebGPUProbe> {
  probed ??= (async () => {
    const g = globalThis as { navigator?: { gpu?: NavigatorGpu } };
    let gpu = g.navigator?.gpu;
    if (!gpu) {
      if (typeof process === 'undefined')
        return { adapter: null, reason: 'navigator.gpu is missing: this browser has no WebGPU' };
      let mod: { create(flags: string[]): NavigatorGpu; globals: object };
      try {
        const name = 'webgpu'; // an optional dependency: resolved at run time only
        mod = (await import(name)) as typeof mod;
      } catch (e) {
        return {
          adapter: null,
          reason:
            "the optional package 'webgpu' (0.6.2) could not be loaded " +
            `(${(e as Error).message})`,
        };
      }
      gpu = mod.create(flags);
      Object.assign(globalThis, mod.globals);
      Object.defineProperty(globalThis, 'navigator', {
        value: { ...(g.navigator ?? {}), gpu },
        configurable: true,
        writable: true,
      });
    }
    const adapter = await gpu.requestAdapter();
    if (!adapter) {
      return {
        adapter: null,
        reason:
          'navigator.gpu.requestAdapter() returned null: Dawn found no usable ' +
          'GPU (in Node on Linux it needs ' +
          'libvulkan.so.1 and a Vulkan driver for a real GPU; the software ' +
          'Vulkan of Debian 12 is not enough)',
      };
    }
    return { adapter: adapterName(adapter.info), reason: null };
  })();
  return probed;
}

function adapterName(info: Record<string, string> | undefined): string {
  if (!info) return 'unknown adapter';
  return (
    info.description ||
    [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') ||
    'unknown adapter'
  );
}

/** Creates a gpu backend (see the header for how the mode is chosen). */
export async function createGpuBackend(opts: GpuBackendOptions = {}): Promise<GpuBackend> {
  const fromEnv = opts.mode === undefined ? gpuModeFromEnv() : undefined;
  const requested = opts.mode ?? fromEnv;
  if (requested !== undefined && !GPU_MODES.includes(requested)) {
    throw new Error(
      `createGpuBackend: unknown mode '${String(requested)}' (expected ${GPU_MODES.join(', ')})`,
    );
  }
  if (requested === 'webgpu' || requested === undefined) {
    const probe = await probeWebGPU(opts.webgpuFlags);
    if (probe.adapter) {
      try {
        await webgpuContext(); // gpu.js's own device: fail here, not at the first kernel
      } catch (e) {
        throw new Error(
          `gpu backend: the WebGPU adapter ${probe.adapter} answered but gpu.js ` +
            `could not open a device: ${(e as Error).message}`,
          { cause: e },
        );
      }
      return new GpuBackend('webgpu', probe.adapter, opts);
    }
    if (requested === 'webgpu') {
      const how = fromEnv ? ' (MINI_DINO_GPU_MODE=webgpu)' : '';
      throw new Error(
        `gpu backend: mode 'webgpu' was requested${how} but no WebGPU adapter ` +
          `was found: ${probe.reason}. ` +
          `Use mode 'webasm' or the cpu backend on a machine without a GPU.`,
      );
    }
  }
  const mode = requested ?? 'webasm';
  if (mode === 'webasm' && !GPU.isWebAssemblySupported) {
    throw new Error(
      'gpu backend: mode webasm needs WebAssembly, which this runtime does not support',
    );
  }
  return new GpuBackend(mode, null, opts);
}

/** What a backend is: `{"backend":"gpu","gpuMode":"webasm","adapter":null}` (the CLI's info
 * --json). */
export interface BackendInfo {
  backend: BackendName;
  gpuMode: GpuMode | null;
  adapter: string | null;
  description: string;
}

export function gpuInfo(backend: Backend = getDefaultBackend()): BackendInfo {
  if (backend instanceof GpuBackend) {
    return {
      backend: 'gpu',
      gpuMode: backend.mode,
      adapter: backend.adapter,
      description: backend.describe(),
    };
  }
  return { backend: backend.name, gpuMode: null, adapter: null, description: backend.describe() };
}
