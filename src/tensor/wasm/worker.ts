// A worker thread of the wasm backend (threads.ts). It instantiates the backend's compiled module
// over the same shared memory, then waits for tasks on the control block: a task is an exported
// kernel, its arguments, and this thread's range [start, end) of the work. The worker runs
// fn(...args, start, end, thread), counts itself done and goes back to waiting, spinning briefly
// before it blocks in Atomics.wait because the next kernel usually follows within microseconds.
// (thread: 1, 2, ... for the workers, 0 for the main thread; kernels that keep per-thread scratch
// memory take it, the others ignore the extra argument.)
//
// The platform starts a worker from this function's source text (platform().startWorker), so it
// must stay self-contained: no imports, no names from this module (the control block's layout
// comes with the boot data), and no named inner functions or classes, which a transpiler may wrap
// in helpers that would be missing in the worker.

import type { WorkerBoot } from './control.js';

export function workerMain(boot: WorkerBoot): void {
  const L = boot.layout;
  const instance = new WebAssembly.Instance(boot.module, { env: { memory: boot.memory }, Math });
  const fns = boot.names.map((n) => instance.exports[n] as (...args: number[]) => void);
  const ctl = new Int32Array(boot.control, 0, L.ints);
  const args = new Float64Array(boot.control, L.argsByte);
  const slot = boot.slot;
  Atomics.store(ctl, L.ready + slot, 1);
  Atomics.notify(ctl, L.ready + slot);
  let seen = Atomics.load(ctl, L.gen);
  for (;;) {
    let spins = 0;
    let gen: number;
    while ((gen = Atomics.load(ctl, L.gen)) === seen) {
      if (++spins > L.spins) {
        Atomics.wait(ctl, L.gen, seen);
        spins = 0;
      }
    }
    seen = gen;
    const active = Atomics.load(ctl, L.active);
    if (slot >= active) continue; // this task uses fewer threads
    const n = ctl[L.nargs];
    const call = args.slice(0, n + 3);
    call[n] = args[L.maxArgs + 2 * slot];
    call[n + 1] = args[L.maxArgs + 2 * slot + 1];
    call[n + 2] = slot + 1;
    try {
      fns[ctl[L.fn]](...call);
    } catch (e) {
      Atomics.store(ctl, L.error, 1);
      console.error(`mini-dino: wasm worker ${slot + 1}: ${boot.names[ctl[L.fn]]}:`, e);
    }
    if (Atomics.add(ctl, L.done, 1) + 1 === active) Atomics.notify(ctl, L.done);
  }
}
