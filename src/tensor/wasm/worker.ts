// A worker thread of the wasm backend (threads.ts). It instantiates the backend's compiled module
// over the same shared memory, then waits for tasks on the control block. A task is an exported
// kernel, its arguments and a list of chunks (ranges [start, end) of its work); the worker takes
// chunks one at a time (compare-and-swap on a counter tagged with the task, so a late worker
// never runs a chunk of another task), runs fn(...args, start, end, thread) for each, counts
// them done, and goes back to waiting, spinning briefly first because the next kernel usually
// follows within microseconds. (thread: 1, 2, ... for the workers, 0 for the main thread;
// kernels that keep per-thread scratch memory take it, the others ignore the extra argument.)
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
    if (slot >= Atomics.load(ctl, L.active)) continue; // this task uses fewer threads
    const tag = gen & L.tagMask;
    const mask = (1 << L.chunkBits) - 1;
    let did = 0;
    let fn = -1;
    let call: Float64Array<ArrayBufferLike> = new Float64Array(0);
    for (;;) {
      const cur = Atomics.load(ctl, L.next);
      if (cur >>> L.chunkBits !== tag || (cur & mask) >= Atomics.load(ctl, L.chunks)) break;
      if (Atomics.compareExchange(ctl, L.next, cur, cur + 1) !== cur) continue;
      if (did === 0) {
        // the task cannot change while this worker holds one of its chunks
        fn = ctl[L.fn];
        const n = ctl[L.nargs];
        call = args.slice(0, n + 3);
        call[n + 2] = slot + 1;
      }
      const c = cur & mask;
      call[call.length - 3] = args[L.maxArgs + c];
      call[call.length - 2] = args[L.maxArgs + c + 1];
      try {
        fns[fn](...call);
      } catch (e) {
        Atomics.store(ctl, L.error, 1);
        console.error(`mini-dino: wasm worker ${slot + 1}: ${boot.names[fn]}:`, e);
      }
      did++;
    }
    if (did > 0) {
      Atomics.add(ctl, L.done, did);
      Atomics.notify(ctl, L.done);
    }
  }
}
