// The Node platform (see index.ts). Built-ins come from process.getBuiltinModule (Node ≥ 20.16)
// at call time, never from a static import, so a browser bundle of the engine contains none.

import type { Platform } from './index.js';
import { vulkanObstacle } from './vulkan.js';

type OsModule = typeof import('node:os');

interface NodeProcess {
  env: Record<string, string | undefined>;
  stderr: { write(s: string): unknown };
  getBuiltinModule?: (id: string) => unknown;
}

/** The Node platform, or null when this is not Node. */
export function nodePlatform(): Platform | null {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (!proc?.getBuiltinModule) return null;
  const os = proc.getBuiltinModule('node:os') as OsModule;
  return {
    name: 'node',
    env: (name) => proc.env[name],
    cores: () => os.availableParallelism(),
    totalMemory: () => os.totalmem(),
    warn: (message) => void proc.stderr.write(`mini-dino: ${message}\n`),
    webgpuObstacle: () =>
      vulkanObstacle(
        proc.env,
        proc.getBuiltinModule!('node:fs') as typeof import('node:fs'),
        proc.getBuiltinModule!('node:path') as typeof import('node:path'),
        os.platform(),
      ),
  };
}
