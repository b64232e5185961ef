// Which backend the demo trains on, and why. The rule (`auto`): the gpu backend on WebGPU when
// the browser offers a hardware adapter; otherwise the CPU backend below. A software adapter
// (Chromium's SwiftShader, reported with isFallbackAdapter) is not used by `auto`: it runs
// WebGPU on the CPU, measured here at several times the time per step of the CPU backend
// (README). `?backend=webgpu` or `?backend=cpu` in the page's URL asks for one by name.

import {
  type Backend,
  type BackendChoice,
  browserPlatform,
  selectBackend,
  setPlatform,
} from '../../../src/browser/index.js';
import type { BackendReport, BackendRequest } from '../protocol.js';

/**
 * The backend for browsers without a hardware GPU. One line to change when the `wasm` backend
 * (WebAssembly SIMD on Web Workers over shared memory) lands: CPU_BACKEND = 'wasm'.
 */
export const CPU_BACKEND: BackendChoice = 'cpu';

/**
 * Settings of the engine in this Worker (environment variables on Node). One thread: the cpu
 * backend's threads are Node worker_threads, which a browser does not have (the bundle stubs
 * that module). Remove MINI_DINO_THREADS here once the `wasm` backend brings Web Workers.
 */
export const PAGE_SETTINGS: Record<string, string> = { MINI_DINO_THREADS: '1' };

/** What this file reads of a GPUAdapter. */
export interface GpuAdapterLike {
  info?: {
    vendor?: string;
    architecture?: string;
    description?: string;
    isFallbackAdapter?: boolean;
  };
  isFallbackAdapter?: boolean;
}

/** The WebGPU adapter this browser offers, if any, or why there is none. */
async function probeAdapter(): Promise<{ adapter: GpuAdapterLike | null; why: string }> {
  const nav = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } })
    .navigator;
  if (!nav?.gpu) return { adapter: null, why: 'this browser has no WebGPU (navigator.gpu)' };
  try {
    const adapter = (await nav.gpu.requestAdapter()) as GpuAdapterLike | null;
    return { adapter, why: adapter ? '' : 'navigator.gpu.requestAdapter() found no adapter' };
  } catch (e) {
    return { adapter: null, why: `requestAdapter() failed: ${(e as Error).message}` };
  }
}

function adapterName(a: GpuAdapterLike): string {
  const i = a.info ?? {};
  return i.description || [i.vendor, i.architecture].filter(Boolean).join(' ') || 'an adapter';
}

/** The rule of this file's header: WebGPU or not, and why. Throws when WebGPU is asked for and
 * there is no adapter. */
export function decideBackend(
  request: BackendRequest,
  adapter: GpuAdapterLike | null,
  why: string,
): { useGpu: boolean; reason: string } {
  const software =
    adapter !== null && (adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false);
  const name = adapter ? `${adapterName(adapter)}${software ? ' (software)' : ''}` : '';
  if (request === 'webgpu') {
    if (!adapter) throw new Error(`?backend=webgpu: ${why}`);
    return { useGpu: true, reason: `asked for by ?backend=webgpu; adapter: ${name}` };
  }
  if (request === 'cpu') return { useGpu: false, reason: 'asked for by ?backend=cpu' };
  if (adapter && !software)
    return { useGpu: true, reason: `a hardware WebGPU adapter answered: ${name}` };
  if (adapter)
    return {
      useGpu: false,
      reason: `the only WebGPU adapter, ${name}, is slower than the CPU backend`,
    };
  return { useGpu: false, reason: `no WebGPU: ${why}` };
}

/** Selects the backend for `request` (it becomes the default) and says which and why. */
export async function chooseBackend(
  request: BackendRequest,
): Promise<{ backend: Backend; report: BackendReport }> {
  setPlatform(browserPlatform(PAGE_SETTINGS));
  const { adapter, why } = await probeAdapter();
  const { useGpu, reason } = decideBackend(request, adapter, why);
  const backend = useGpu
    ? await selectBackend('gpu', { mode: 'webgpu' })
    : await selectBackend(CPU_BACKEND);
  return {
    backend,
    report: { kind: useGpu ? 'webgpu' : CPU_BACKEND, description: backend.describe(), reason },
  };
}
