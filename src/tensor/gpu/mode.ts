// Choosing the gpu backend's mode: createGpuBackend({ mode }) and gpuInfo(backend).
//
//   mode    explicit option, else MINI_DINO_GPU_MODE, else webgpu when an adapter answers,
//           else webasm. Asking for webgpu where no adapter answers is an error that says why
//           (no silent fallback). 'cpu' is gpu.js's own JavaScript mode, for debugging kernels.
//           Any adapter counts here, a software one too (SwiftShader: see README, "Running on a
//           GPU"); selectBackend('auto') is the one that refuses software adapters.
// In Node, WebGPU comes from the optional package `webgpu` (0.6.2, Dawn), which exposes
// navigator.gpu once installed on globalThis; in a browser navigator.gpu is native. gpu.js itself
// is loaded here, on first use (./gpujs.ts).
// No cpu twin: the cpu backend has no modes.

import { platform } from '../../platform/index.js';
import type { Backend, BackendName } from '../backend.js';
import { getDefaultBackend } from '../tensor.js';
import { loadGpuJs } from './gpujs.js';
import { GpuBackend } from './index.js';
import { webgpuContext } from './device.js';
import type { GpuMode, RuntimeOptions } from './runtime.js';

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

export interface WebGPUProbe {
  /** The adapter's name, or null when none answered. */
  adapter: string | null;
  /**
   * A software renderer (SwiftShader, llvmpipe/lavapipe, WARP): correct but slower than the cpu
   * backend, so `auto` never picks it; the gpu backend uses it when asked (--backend gpu).
   */
  software: boolean;
  /** Why there is no adapter (null when there is one). */
  reason: string | null;
}

interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
type NavigatorGpu = { requestAdapter(): Promise<{ info?: AdapterInfo } | null> };
let probed: Promise<WebGPUProbe> | null = null;

const none = (reason: string): WebGPUProbe => ({ adapter: null, software: false, reason });

/**
 * Asks for a WebGPU adapter once per process. In Node it first checks, without loading Dawn,
 * that a Vulkan GPU can be there at all (platform webgpuObstacle: no loader or no driver means
 * no adapter, and Dawn would only print warnings), then installs navigator.gpu from the optional
 * package `webgpu`.
 */
export function probeWebGPU(flags: string[] = []): Promise<WebGPUProbe> {
  probed ??= (async () => {
    const g = globalThis as { navigator?: { gpu?: NavigatorGpu } };
    let gpu = g.navigator?.gpu;
    if (!gpu) {
      if (platform().name === 'browser')
        return none('navigator.gpu is missing: this browser has no WebGPU');
      const obstacle = flags.includes('backend=null') ? null : platform().webgpuObstacle?.();
      if (obstacle) return none(obstacle);
      let mod: { create(flags: string[]): NavigatorGpu; globals: object };
      try {
        const name = 'webgpu'; // an optional dependency: resolved at run time only
        mod = (await import(name)) as typeof mod;
      } catch (e) {
        return none(
          `the optional package 'webgpu' (0.6.2) could not be loaded (${(e as Error).message})`,
        );
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
      return none(
        'navigator.gpu.requestAdapter() returned null: no usable GPU (in Node on Linux, Dawn ' +
          'needs libvulkan.so.1 and a Vulkan driver; the lavapipe of Debian 12 is not enough)',
      );
    }
    const name = adapterName(adapter.info);
    return { adapter: name, software: isSoftware(adapter.info, name), reason: null };
  })();
  return probed;
}

function adapterName(info: AdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  return (
    info.description ||
    [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') ||
    'unknown adapter'
  );
}

/** Dawn marks CPU adapters as fallback adapters; the names catch the others. */
export function isSoftware(info: AdapterInfo | undefined, name: string): boolean {
  const text = [name, info?.vendor, info?.architecture, info?.device].join(' ');
  return !!info?.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|softpipe|\bwarp\b/i.test(text);
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
  const gpujs = await loadGpuJs();
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
      return new GpuBackend('webgpu', probe.adapter, opts, probe.software);
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
  if (mode === 'webasm' && !gpujs.GPU.isWebAssemblySupported) {
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
