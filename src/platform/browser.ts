// The browser platform (see index.ts): settings from a plain object that the page may fill,
// cores from navigator.hardwareConcurrency, memory from navigator.deviceMemory (a lower bound in
// GiB that browsers round down; 4 GiB when absent), worker threads as Web Workers started from a
// Blob URL (shared memory needs a cross-origin isolated page: COOP and COEP headers).

import type { Platform, WorkerHandle } from './index.js';

interface BrowserNavigator {
  hardwareConcurrency?: number;
  deviceMemory?: number;
}

interface BrowserWorker {
  postMessage(data: unknown): void;
  terminate(): void;
}
type WorkerConstructor = new (url: string, options: { type: 'module' }) => BrowserWorker;
interface BlobUrls {
  Blob: new (parts: string[], options: { type: string }) => object;
  URL: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void };
}

/** A browser (or Web Worker) platform; `settings` stands in for environment variables. */
export function browserPlatform(settings: Record<string, string> = {}): Platform {
  const nav = (globalThis as { navigator?: BrowserNavigator }).navigator;
  return {
    name: 'browser',
    env: (name) => settings[name],
    cores: () => Math.max(1, nav?.hardwareConcurrency ?? 1),
    totalMemory: () => (nav?.deviceMemory ?? 4) * 2 ** 30,
    warn: (message) => console.warn(`mini-dino: ${message}`),
    startWorker(main: string, data: unknown): WorkerHandle {
      const g = globalThis as unknown as BlobUrls & { Worker?: WorkerConstructor };
      if (!g.Worker) throw new Error('startWorker: this browser context has no Worker');
      // the worker runs `main` on the first message it receives
      const source = `self.onmessage = (e) => { self.onmessage = null; (${main})(e.data); };`;
      const url = g.URL.createObjectURL(new g.Blob([source], { type: 'text/javascript' }));
      const w = new g.Worker(url, { type: 'module' });
      g.URL.revokeObjectURL(url);
      w.postMessage(data);
      return { terminate: () => w.terminate() };
    },
    enableWasmFeatures() {}, // browsers decide their WebAssembly features themselves
  };
}
