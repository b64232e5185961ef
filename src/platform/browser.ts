// The browser platform (see index.ts): settings from a plain object that the page may fill,
// cores from navigator.hardwareConcurrency, memory from navigator.deviceMemory (a lower bound in
// GiB that browsers round down; 4 GiB when absent).

import type { Platform } from './index.js';

interface BrowserNavigator {
  hardwareConcurrency?: number;
  deviceMemory?: number;
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
  };
}
