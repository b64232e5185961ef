// Worker thread of the cpu backend (threads.ts): runs its share of a matrix product (the same
// gemm as the main thread) or its range of an elementwise kernel, then flips its flag and wakes
// the main thread.

import { parentPort, workerData } from 'node:worker_threads';
import { runBinary, runGemmJobs, runMap, type WorkerTask } from './threads.js';

// tell the main thread this worker is ready (threads.ts waits for it)
const boot = workerData as { flags: Int32Array; slot: number };
Atomics.store(boot.flags, boot.slot, 1);
Atomics.notify(boot.flags, boot.slot);

parentPort?.on('message', (task: WorkerTask) => {
  let status = 1;
  try {
    if (task.kind === 'map') runMap(task);
    else if (task.kind === 'binary') runBinary(task);
    else runGemmJobs(task);
  } catch (e) {
    status = 2;
    console.error('mini-dino cpu worker:', e);
  }
  Atomics.store(task.flags, task.slot, status);
  Atomics.notify(task.flags, task.slot);
});
