// Worker threads of the wasm backend. Every worker instantiates the same compiled module over
// the same shared memory (worker.ts), so a kernel runs on several cores by calling the same
// exported function with different ranges [start, end) of its work: elements, rows, or blocks of
// a matrix product (and the thread's index: 0 here, 1, 2, ... on the workers). Ranges are chosen
// so that every output element is computed by the same code in the same order whatever the
// number of threads, which makes results independent of it.
//
// Hand-over: the main thread writes the kernel's index, its arguments and the boundaries of its
// chunks (a few per thread) into a small shared control block, bumps a generation counter and
// wakes the workers; every thread then takes chunks until none is left, and the main thread waits
// until the chunks the workers took are done. On a busy machine a worker may not run for a while:
// the main thread then simply takes its chunks. Both sides spin briefly before blocking in
// Atomics.wait (a training step runs kernels back to back, microseconds apart). Ops are
// synchronous (docs/ARCHITECTURE.md), so the main thread blocks; in a browser, where the page's
// main thread may not block, it spins instead (run the engine in a Web Worker there).

import { platform, type WorkerHandle } from '../../platform/index.js';
import { CONTROL, CONTROL_BYTES, nextWord, type WorkerBoot } from './control.js';
import { workerMain } from './worker.js';

/** Elements per thread below which a cheap kernel (~0.3 ns an element) stays on one thread. */
export const CHEAP_PER_THREAD = 1 << 15;
/** The same for kernels with a transcendental function (exp, erf: a few ns an element). */
export const COSTLY_PER_THREAD = 1 << 12;

/** The workers' code: the source text of workerMain (worker.ts). */
const main = workerMain.toString();

type Kernel = (...args: number[]) => unknown;

export class ThreadPool {
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private readonly canBlock: boolean;
  /** Threads a kernel may use, the calling thread included (at most workers + 1). */
  private used: number;
  /** Kernel calls split over threads, their units of work, and those this thread ran. */
  tasks = 0;
  totalUnits = 0;
  mainUnits = 0;

  private constructor(
    private readonly workers: WorkerHandle[],
    control: SharedArrayBuffer,
    /** Kernel names by index (for messages). */
    private readonly names: readonly string[],
  ) {
    this.ctl = new Int32Array(control, 0, CONTROL.ints);
    this.args = new Float64Array(control, CONTROL.argsByte);
    this.used = workers.length + 1;
    this.canBlock = canBlockHere(this.ctl);
  }

  /**
   * Starts `threads − 1` workers and waits (asynchronously, at most 20 s) until each has
   * instantiated the module. Workers that do not come up turn threading off with a warning.
   */
  static async start(
    boot: Omit<WorkerBoot, 'control' | 'slot' | 'layout'>,
    threads: number,
  ): Promise<ThreadPool> {
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const n = Math.min(CONTROL.maxWorkers, Math.max(0, threads - 1));
    const workers: WorkerHandle[] = [];
    const ctl = new Int32Array(control, 0, CONTROL.ints);
    try {
      for (let slot = 0; slot < n; slot++)
        workers.push(platform().startWorker(main, { ...boot, layout: CONTROL, control, slot }));
      const deadline = Date.now() + 20000;
      const ready = () => workers.every((_, s) => Atomics.load(ctl, CONTROL.ready + s) === 1);
      while (!ready() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      if (!ready()) throw new Error('no answer within 20 s');
    } catch (e) {
      platform().warn(
        `wasm backend: worker threads did not start (${(e as Error).message}); running on one ` +
          'thread (MINI_DINO_THREADS=1 silences this)',
      );
      for (const w of workers) w.terminate();
      workers.length = 0;
    }
    return new ThreadPool(workers, control, boot.names);
  }

  /** Threads a kernel may use, the calling thread included. */
  get threads(): number {
    return this.used;
  }

  /** Threads started, the calling thread included. */
  get capacity(): number {
    return this.workers.length + 1;
  }

  /** Uses at most n threads (tests compare 1, 2 and 3); never more than were started. */
  setThreads(n: number): void {
    this.used = Math.max(1, Math.min(n, this.workers.length + 1));
  }

  /**
   * Runs kernel `fn` (index `index` in the workers' list, `own` on this thread) over the chunks
   * [bounds[c], bounds[c + 1]). Every thread, this one included, takes chunks until none is left,
   * so a worker that the system has not scheduled yet delays nothing: this thread does its share.
   */
  run(index: number, own: Kernel, args: readonly number[], bounds: readonly number[]): void {
    const { ctl } = this;
    const chunks = bounds.length - 1;
    if (args.length > CONTROL.maxArgs || chunks > CONTROL.maxChunks)
      throw new Error('wasm threads: too many arguments or chunks');
    for (let i = 0; i < args.length; i++) this.args[i] = args[i];
    for (let c = 0; c <= chunks; c++) this.args[CONTROL.maxArgs + c] = bounds[c];
    const gen = (ctl[CONTROL.gen] + 1) | 0;
    ctl[CONTROL.fn] = index;
    ctl[CONTROL.nargs] = args.length;
    // `next` takes the new task's tag before `chunks` grows: a worker still in the previous
    // task's loop may hold that task's exhausted `next` word, and if it saw the new, larger
    // chunk count while `next` still had the old tag, its compare-and-swap would claim a chunk
    // that does not exist and count it done after `done` was reset (a hang, seen under load)
    Atomics.store(ctl, CONTROL.next, nextWord(gen, 0));
    Atomics.store(ctl, CONTROL.chunks, chunks);
    Atomics.store(ctl, CONTROL.active, this.used - 1);
    Atomics.store(ctl, CONTROL.done, 0);
    Atomics.store(ctl, CONTROL.gen, gen);
    Atomics.notify(ctl, CONTROL.gen);
    this.tasks++;
    this.totalUnits += bounds[chunks] - bounds[0];
    // this thread's chunks; after a failure it claims the rest unrun, so nobody starts them
    let mine = 0;
    let failure: unknown = null;
    const mask = (1 << CONTROL.chunkBits) - 1;
    const call = [...args, 0, 0, 0];
    for (;;) {
      const cur = Atomics.load(ctl, CONTROL.next);
      if ((cur & mask) >= chunks) break;
      if (Atomics.compareExchange(ctl, CONTROL.next, cur, cur + 1) !== cur) continue;
      mine++;
      if (failure !== null) continue;
      const c = cur & mask;
      call[args.length] = bounds[c];
      call[args.length + 1] = bounds[c + 1];
      try {
        own(...call);
        this.mainUnits += bounds[c + 1] - bounds[c];
      } catch (e) {
        failure = e;
      }
    }
    let spins = 0;
    for (;;) {
      const done = Atomics.load(ctl, CONTROL.done);
      if (done === chunks - mine) break;
      if (++spins > CONTROL.spins && this.canBlock) Atomics.wait(ctl, CONTROL.done, done, 100);
    }
    // the flag is cleared before anything is thrown, so a failure here and one on a worker in
    // the same call leave nothing behind for the next call
    const workerFailed = Atomics.exchange(ctl, CONTROL.error, 0) !== 0;
    if (failure !== null) throw failure;
    if (workerFailed) {
      throw new Error(
        `wasm backend: ${this.names[index]} failed on a worker thread (its message is above)`,
      );
    }
  }

  /** Stops the workers (the pool is unusable afterwards). */
  terminate(): void {
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
    this.used = 1;
  }
}

/** Whether Atomics.wait may block this thread (not on a browser page's main thread). */
function canBlockHere(ctl: Int32Array): boolean {
  try {
    Atomics.wait(ctl, CONTROL.error, 1, 0); // returns at once: the word is not 1
    return true;
  } catch {
    return false;
  }
}
