// Where the PyTorch yardstick lives and how it runs: the reference implementation
// tools/torch_dino.py (or MINI_DINO_TORCH_REFERENCE) under /usr/bin/python3, tuned as its header
// says (OpenMP threads that do not spin, jemalloc that keeps freed pages).

import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The path of torch_dino.py, or null when it is not there. */
export function torchReference(): string | null {
  const candidates = [
    process.env.MINI_DINO_TORCH_REFERENCE,
    join(import.meta.dirname, '..', 'tools', 'torch_dino.py'),
  ];
  const found = candidates.find((p) => p && existsSync(p));
  return found && existsSync('/usr/bin/python3') ? found : null;
}

/** The environment PyTorch is measured in. */
export function torchEnv(): NodeJS.ProcessEnv {
  const jemalloc = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2';
  return {
    ...process.env,
    OMP_WAIT_POLICY: 'PASSIVE',
    ...(existsSync(jemalloc)
      ? { LD_PRELOAD: jemalloc, MALLOC_CONF: 'dirty_decay_ms:-1,muzzy_decay_ms:-1' }
      : {}),
  };
}
