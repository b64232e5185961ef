// Which backend the demo trains on, and why. The rule (`auto`): the gpu backend on WebGPU when
// the browser offers a hardware adapter; otherwise the wasm backend (WebAssembly SIMD on Web
// Workers over shared memory), which needs a cross-origin isolated page; otherwise the cpu
// backend (the TypeScript reference kernels, one thread). A software adapter (Chromium's
// SwiftShader, reported with isFallbackAdapter) is not used by `auto`: it runs WebGPU on the CPU,
// measured here at several times the time per step of the CPU backends (README).
// `?backend=webgpu|wasm|cpu` in the page's URL asks for one by name; `?threads=N` sets the wasm
// backend's threads (default: the cores the browser reports, at most 8).

import {
  type Backend,
  browserPlatform,
  selectBackend,
  setPlatform,
} from '../../../src/browser/index.js';
import { wasmUnavailable } from '../../../src/tensor/wasm/index.js';
import type { BackendReport, BackendRequest } from '../protocol.js';

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

/** The kind of backend the rule picks. */
export type BackendKind = 'webgpu' | 'wasm' | 'cpu';

/**
 * The rule of this file's header: which backend and why. `adapter`/`why`: the WebGPU probe;
 * `noWasm`: why the wasm backend cannot run here (null when it can). Throws when a backend asked
 * for by name cannot run.
 */
export function decideBackend(
  request: BackendRequest,
  adapter: GpuAdapterLike | null,
  why: string,
  noWasm: string | null,
): { kind: BackendKind; reason: string } {
  const software =
    adapter !== null && (adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false);
  const name = adapter ? `${adapterName(adapter)}${software ? ' (software)' : ''}` : '';
  switch (request) {
    case 'webgpu':
      if (!adapter) throw new Error(`?backend=webgpu: ${why}`);
      return { kind: 'webgpu', reason: `asked for by ?backend=webgpu; adapter: ${name}` };
    case 'wasm':
      if (noWasm) throw new Error(`?backend=wasm: ${noWasm}`);
      return { kind: 'wasm', reason: 'asked for by ?backend=wasm' };
    case 'cpu':
      return { kind: 'cpu', reason: 'asked for by ?backend=cpu' };
  }
  if (adapter && !software)
    return { kind: 'webgpu', reason: `a hardware WebGPU adapter answered: ${name}` };
  const noGpu = adapter
    ? `the only WebGPU adapter, ${name}, is slower than the CPU backends`
    : `no WebGPU: ${why}`;
  if (!noWasm) return { kind: 'wasm', reason: noGpu };
  return { kind: 'cpu', reason: `${noGpu}; no wasm backend: ${noWasm}` };
}

/**
 * Selects the backend for `request` (it becomes the default) and says which and why; `threads`
 * (from ?threads=) sets the wasm backend's threads, null leaves the default.
 */
export async function chooseBackend(
  request: BackendRequest,
  threads: number | null,
): Promise<{ backend: Backend; report: BackendReport }> {
  setPlatform(browserPlatform(threads === null ? {} : { MINI_DINO_THREADS: String(threads) }));
  const { adapter, why } = await probeAdapter();
  const { kind, reason } = decideBackend(request, adapter, why, wasmUnavailable());
  const backend =
    kind === 'webgpu' ? await selectBackend('gpu', { mode: 'webgpu' }) : await selectBackend(kind);
  const used = (backend as { threads?: number }).threads ?? 1;
  return { backend, report: { kind, description: backend.describe(), reason, threads: used } };
}
