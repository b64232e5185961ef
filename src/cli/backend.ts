// --backend: resolves the name (auto, cpu, wasm, gpu) to a backend, makes it the default, and
// describes it for `info` and the JSON outputs (with auto's reason). The rule for auto lives in
// src/tensor/select.ts, loaded only when needed so that --backend cpu never touches the others.

import type { Backend, BackendName } from '../tensor/backend.js';
import { cpu } from '../tensor/cpu/index.js';
import { setDefaultBackend } from '../tensor/tensor.js';

export interface BackendInfo {
  backend: BackendName;
  gpuMode: 'webgpu' | 'webasm' | 'cpu' | null;
  adapter: string | null;
  description: string;
  /** Why --backend auto chose this backend (null when one was named). */
  reason: string | null;
}

/** Resolves --backend, makes it the default backend, and describes it. */
export async function chooseBackend(
  name: string | undefined,
): Promise<{ backend: Backend; info: BackendInfo }> {
  const wanted = (name ?? 'auto') as 'auto' | 'cpu' | 'wasm' | 'gpu';
  if (wanted === 'cpu') {
    setDefaultBackend(cpu);
    return {
      backend: cpu,
      info: {
        backend: 'cpu',
        gpuMode: null,
        adapter: null,
        description: cpu.describe(),
        reason: null,
      },
    };
  }
  const select = await import('../tensor/select.js');
  const backend = await select.selectBackend(wanted);
  const gi = select.backendInfo(backend);
  return {
    backend,
    info: {
      backend: gi.backend,
      gpuMode: gi.gpuMode,
      adapter: gi.adapter,
      description: backend.describe(),
      reason: wanted === 'auto' ? select.autoReason() : null,
    },
  };
}
