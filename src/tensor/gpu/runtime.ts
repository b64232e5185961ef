// The gpu backend's machinery: storage, the kernel cache, launching, readback and release.
// It has no CPU twin; src/tensor/cpu/index.ts plays the same part (allocation, pool) for cpu.
//
// Storage lives where the mode computes. In `webasm` and gpu.js `cpu` mode that is host memory:
// a Float32Array that gpu.js copies into the kernel's wasm memory on each call (there is no
// device). In `webgpu` mode it is a GPU buffer: every kernel call returns a Promise of a
// pipeline handle (WebGPUBufferResult) that later kernels take as an argument, so nothing is read
// back between ops. Ops stay synchronous: a storage holds the Promise of its handle, and launches
// run on one serial queue, so kernels are submitted in program order and a buffer is deleted
// only after every kernel that reads it was submitted (Dawn keeps it alive until the GPU is done).
// Kernels are built once and cached (LRU), so gpu.js never recompiles on a hot path: in webgpu
// mode one kernel per output rank serves every size (sizes travel as uniforms; a training step
// has hundreds of shapes), in webasm mode one per shape signature (output size, argument sizes,
// loop bound), which gpu.js compiles in. Uploads are device buffers filled at creation and reads
// copy into a mappable buffer, without a kernel. `counters` counts dispatches, uploads and reads
// (bench/dispatches.ts). References: gpu.js 2.24.1 README (Pipelining, WebGPU, WebAssembly) and
// its src/backend/web-gpu/kernel.js.

import type { GPU } from 'gpu.js';
import type { Storage } from '../backend.js';
import { fmtShape } from '../shape.js';
import {
  bufferResult,
  filledBuffer,
  flatView,
  readBack,
  storageBuffer,
  webgpuContext,
  type DeviceBuffer,
  type GPUBufferLike,
  type GPUDeviceLike,
} from './device.js';
import { gpujs } from './gpujs.js';
import { INDEX_HELPERS, type HelperSpec } from './helpers.js';

export type GpuMode = 'webgpu' | 'webasm' | 'cpu';

export interface GpuStorage extends Storage {
  readonly dtype: 'float32';
  /** Host modes (webasm, cpu): the values. Never modified once written. */
  data: Float32Array | null;
  /** webgpu: resolves to the device buffer once the kernel that writes it was submitted. */
  handle: Promise<DeviceBuffer> | null;
  released: boolean;
}

export type ArgKind = 'Array' | 'Integer' | 'Float';

/** `this` inside a kernel: the thread's output coordinates (x fastest). */
export interface KernelThis {
  readonly thread: { readonly x: number; readonly y: number; readonly z: number };
}

/** A gpu.js kernel function with its argument types (in parameter order). */
export interface KernelSpec {
  readonly name: string;
  readonly fn: ((...args: never[]) => unknown) | string;
  readonly args: Readonly<Record<string, ArgKind>>;
  /** Extra helper functions (the index helpers are always available). */
  readonly helpers?: readonly HelperSpec[];
  /** 4 when each thread returns [v0, v1, v2, v3]: four consecutive outputs. */
  readonly components?: 1 | 4;
}

export interface RuntimeOptions {
  /** Kernels kept built (least recently used ones are destroyed past it); default 1024. */
  maxKernels?: number;
  /** matmul: each thread computes 4 adjacent outputs (default: on in webgpu mode only). */
  tiledMatmul?: boolean;
  /** matmul: the register-tiled WGSL kernel (./gemm-wgsl.ts; webgpu mode only, its default). */
  wgslMatmul?: boolean;
  /** webgpu: time every kernel on its own (Runtime.profile; slows everything down). */
  profile?: boolean;
}

/** A kernel argument: storage, a number (Integer or Float), or host data (index tables). */
export type Arg = GpuStorage | number | Float32Array;

type GpuKernel = ((...args: unknown[]) => unknown) & {
  destroy(): void;
  setOutput(output: number[]): void;
  kernel?: { constructor: { mode?: string }; fallbackReason?: string };
};

const noop = () => undefined;
/** gpu.js's loop guard (LOOP_MAX) set past any loop a kernel here runs. */
const LOOP_UNBOUNDED = 2 ** 31 - 1;
const prod = (xs: readonly number[]) => xs.reduce((p, d) => p * d, 1);
const isStorage = (a: Arg): a is GpuStorage =>
  typeof a === 'object' && !(a instanceof Float32Array);

/**
 * What the runtime has done since it was created: kernel launches, host-to-device copies
 * (uploads, and in webgpu mode host tables such as gather's index passed to a kernel) and
 * readbacks; bench/dispatches.ts reports them per training step.
 */
export interface GpuCounters {
  dispatches: number;
  uploads: number;
  bytesUploaded: number;
  reads: number;
  bytesRead: number;
}

export class Runtime {
  readonly gpu: GPU;
  /** Storages created and not yet released (the memory test watches this). */
  liveBuffers = 0;
  readonly counters: GpuCounters = {
    dispatches: 0,
    uploads: 0,
    bytesUploaded: 0,
    reads: 0,
    bytesRead: 0,
  };
  /** Launches per kernel name (where the dispatches of a step come from). */
  readonly dispatchesByKernel = new Map<string, number>();
  /**
   * webgpu with the `profile` option: milliseconds per kernel and output shape, each launch
   * waited for on its own (so the queue runs dry between kernels: for finding slow kernels only).
   */
  readonly profile: Map<string, number> | null;
  /** gpu.js kernels built so far (a hot loop must not raise it). */
  kernelsBuilt = 0;
  private readonly kernels = new Map<string, GpuKernel>();
  private tail: Promise<unknown> = Promise.resolve();
  private filler: GpuStorage | null = null;

  constructor(
    readonly mode: GpuMode,
    readonly options: RuntimeOptions = {},
  ) {
    this.gpu = new (gpujs().GPU)({ mode });
    this.profile = options.profile && mode === 'webgpu' ? new Map() : null;
  }

  /** A new zero-element storage. */
  empty(): GpuStorage {
    return this.storage(0, new Float32Array(0), null);
  }

  /**
   * Runs `spec` with gpu.js output dims `output` ([x], [x, y] or [x, y, z], x fastest) and
   * returns the new storage of prod(output)·components elements. `loop` is the longest loop the
   * kernel runs (gpu.js stops loops silently at loopMaxIterations, so it is set from it).
   */
  run(spec: KernelSpec, output: number[], args: Arg[], loop = 0): GpuStorage {
    const size = prod(output) * (spec.components ?? 1);
    if (size === 0) return this.storage(0, new Float32Array(0), null);
    if (this.mode === 'webgpu' && pastWorkgroupLimit(output)) {
      // the same kernel over a 1-D launch (gpu.js folds those across dispatch rows)
      return this.run(flatSpec(spec), [prod(output)], [...args, output[0], output[1] ?? 1], loop);
    }
    const values = args.map((a) => (isStorage(a) && a.size === 0 ? this.fillerStorage() : a));
    const sizes = values.map((a) =>
      typeof a === 'number' ? '' : a instanceof Float32Array ? a.length : a.size,
    );
    // webgpu: one kernel per rank serves every size (sizes are uniforms); webasm compiles sizes in
    const key =
      this.mode === 'webgpu'
        ? `${spec.name}|${output.length}`
        : [spec.name, output.join('x'), loop, ...sizes].join('|');
    const kernel = this.kernel(key, spec, output, loop);
    this.count(spec.name, values);
    if (this.mode !== 'webgpu') {
      const host = values.map((a) => (isStorage(a) ? this.dataOf(a, spec.name) : a));
      const result = kernel(...host);
      this.checkNoFallback(kernel, spec, key);
      return this.storage(size, toFlat(result, size), null);
    }
    const inputs = values.map((a) => (isStorage(a) ? this.handleOf(a, spec.name) : a));
    const handle = this.enqueue(async () => {
      const ready = await Promise.all(inputs);
      let h: DeviceBuffer;
      try {
        kernel.setOutput(output);
        const t0 = this.profile ? performance.now() : 0;
        h = (await kernel(...ready)) as DeviceBuffer;
        if (this.profile) await this.timeKernel(`${spec.name} ${fmtShape(output)}`, t0);
      } catch (e) {
        throw new Error(
          `gpu (webgpu): kernel ${spec.name} with output ${fmtShape(output)} ` +
            `failed: ${(e as Error).message}`,
          { cause: e },
        );
      }
      return spec.components === 4 ? flatView(h, size) : h;
    });
    return this.storage(size, null, handle);
  }

  /** Waits for the GPU to finish the kernel just submitted and adds its time to `profile`. */
  private async timeKernel(label: string, t0: number): Promise<void> {
    const { device } = await webgpuContext();
    await device.queue.onSubmittedWorkDone();
    const p = this.profile!;
    p.set(label, (p.get(label) ?? 0) + performance.now() - t0);
  }

  private count(name: string, args: Arg[]): void {
    const c = this.counters;
    c.dispatches++;
    this.dispatchesByKernel.set(name, (this.dispatchesByKernel.get(name) ?? 0) + 1);
    if (this.mode !== 'webgpu') return; // host modes copy every argument anyway
    for (const a of args) {
      if (a instanceof Float32Array) {
        c.uploads++;
        c.bytesUploaded += a.byteLength;
      }
    }
  }

  /**
   * Host values into a new storage. webgpu: a new device buffer filled at creation (no kernel
   * launch); this and the host tables some kernels take are the only host→device copies.
   */
  upload(data: Float32Array): GpuStorage {
    if (data.length > 0) {
      this.counters.uploads++;
      this.counters.bytesUploaded += data.byteLength;
    }
    if (this.mode !== 'webgpu' || data.length === 0) return this.storage(data.length, data, null);
    const handle = this.enqueue(async () => filledBuffer(await webgpuContext(), data));
    return this.storage(data.length, null, handle);
  }

  /** The values on the host: one copy into a mappable buffer. // sync point */
  async read(s: GpuStorage): Promise<Float32Array> {
    if (s.size === 0) return new Float32Array(0);
    if (this.mode !== 'webgpu') return this.readSync(s);
    this.counters.reads++;
    this.counters.bytesRead += s.size * 4;
    const h = this.handleOf(s, 'read');
    const copy = await this.enqueue(async () =>
      readBack((await webgpuContext()).device, (await h).buffer, s.size),
    );
    return copy.values();
  }

  /**
   * webgpu: queues one raw WGSL kernel (./wgsl.ts). `encode` records and submits its dispatch
   * over the ready input buffers and new output buffers of `outSizes` floats, one storage each.
   */
  runRaw(
    name: string,
    inputs: GpuStorage[],
    outSizes: number[],
    encode: (device: GPUDeviceLike, inputs: GPUBufferLike[], outputs: GPUBufferLike[]) => unknown,
  ): GpuStorage[] {
    if (this.mode !== 'webgpu') throw new Error(`${name}: raw WGSL kernels need webgpu mode`);
    this.count(name, []);
    const handles = inputs.map((s) => this.handleOf(s.size === 0 ? this.fillerStorage() : s, name));
    const done = this.enqueue(async () => {
      const context = await webgpuContext();
      const ready = await Promise.all(handles);
      const outputs = outSizes.map((n) => storageBuffer(context.device, n));
      const t0 = this.profile ? performance.now() : 0;
      try {
        await encode(
          context.device,
          ready.map((h) => h.buffer),
          outputs,
        );
      } catch (e) {
        for (const b of outputs) b.destroy();
        throw new Error(`gpu (webgpu): kernel ${name} failed: ${(e as Error).message}`, {
          cause: e,
        });
      }
      if (this.profile) await this.timeKernel(`${name} ${fmtShape(outSizes)}`, t0);
      return outputs.map((b, i) => bufferResult(b, outSizes[i], context));
    });
    return outSizes.map((n, i) => {
      const handle = done.then((hs) => hs[i]);
      handle.catch(noop); // failures surface on read, as for gpu.js kernels
      return this.storage(n, null, handle);
    });
  }

  readSync(s: GpuStorage): Float32Array {
    if (this.mode === 'webgpu') {
      throw new Error(
        'readSync: the gpu backend runs in webgpu mode, where reading is ' +
          'asynchronous; use await t.data() (or item(), toArray())',
      );
    }
    this.counters.reads++;
    this.counters.bytesRead += s.size * 4;
    return this.dataOf(s, 'readSync');
  }

  release(s: GpuStorage): void {
    if (s.released) return;
    s.released = true;
    this.liveBuffers--;
    s.data = null;
    const h = s.handle;
    s.handle = null;
    if (h) this.enqueue(() => h.then((b) => b.delete(), noop));
  }

  /** Resolves when everything launched so far was submitted (webgpu) and has finished on the GPU.
   * */
  async sync(): Promise<void> {
    await this.tail;
    if (this.mode !== 'webgpu') return;
    const { device } = await webgpuContext();
    await device.queue.onSubmittedWorkDone();
  }

  /** Kernels built and kept. */
  get kernelsCached(): number {
    return this.kernels.size;
  }

  /** Destroys every cached kernel (their wasm memories and GPU buffers). */
  clearKernels(): void {
    for (const k of this.kernels.values()) this.destroyKernel(k);
    this.kernels.clear();
  }

  /** The storage's host values, or a clear error when it was released. */
  private dataOf(s: GpuStorage, op: string): Float32Array {
    if (s.released || !s.data) throw releasedError(op, s);
    return s.data;
  }

  private handleOf(s: GpuStorage, op: string): Promise<DeviceBuffer> {
    if (s.released || !s.handle) throw releasedError(op, s);
    return s.handle;
  }

  private storage(
    size: number,
    data: Float32Array | null,
    handle: Promise<DeviceBuffer> | null,
    counted = true,
  ): GpuStorage {
    if (counted) this.liveBuffers++;
    return { dtype: 'float32', size, data, handle, released: false };
  }

  /** A one-element stand-in for empty array arguments (gpu.js cannot bind zero-length arrays). */
  private fillerStorage(): GpuStorage {
    if (!this.filler) {
      const one = new Float32Array(1);
      this.filler = this.upload(one);
      this.liveBuffers--; // internal: lives as long as the backend
      this.counters.uploads--;
      this.counters.bytesUploaded -= 4;
    }
    return this.filler;
  }

  private kernel(key: string, spec: KernelSpec, output: number[], loop: number): GpuKernel {
    const cached = this.kernels.get(key);
    if (cached) {
      this.kernels.delete(key); // Map order is the LRU order
      this.kernels.set(key, cached);
      return cached;
    }
    const k = this.gpu.createKernel(
      spec.fn as never,
      {
        output,
        pipeline: true,
        immutable: true,
        argumentTypes: spec.args,
        functions: [...INDEX_HELPERS, ...(spec.helpers ?? [])],
        // webgpu: loops end by their own test, so the guard must never bind (sizes vary per call)
        loopMaxIterations: this.mode === 'webgpu' ? LOOP_UNBOUNDED : Math.max(1, loop + 1),
        dynamicOutput: this.mode === 'webgpu',
        dynamicArguments: this.mode === 'webgpu',
      } as never,
    ) as unknown as GpuKernel;
    this.kernelsBuilt++;
    this.kernels.set(key, k);
    while (this.kernels.size > (this.options.maxKernels ?? 1024)) {
      const [oldKey, old] = this.kernels.entries().next().value as [string, GpuKernel];
      this.kernels.delete(oldKey);
      this.destroyKernel(old);
    }
    return k;
  }

  private destroyKernel(k: GpuKernel): void {
    // webgpu: after the launches already queued on it
    if (this.mode === 'webgpu') this.enqueue(() => k.destroy());
    else k.destroy();
  }

  /** gpu.js degrades some kernels to its cpu mode with only a console warning: make that an error.
   * */
  private checkNoFallback(k: GpuKernel, spec: KernelSpec, key: string): void {
    const ran = k.kernel?.constructor.mode;
    if (ran && ran !== this.mode) {
      this.kernels.delete(key);
      throw new Error(
        `gpu (${this.mode}): gpu.js ran kernel ${spec.name} in ${ran} mode ` +
          `instead (${k.kernel?.fallbackReason ?? 'no reason given'})`,
      );
    }
  }

  /** Serial launch queue (webgpu): program order is submission order. Failures surface on read. */
  private enqueue<T>(fn: () => T | Promise<T>): Promise<T> {
    const p = this.tail.then(fn);
    this.tail = p.then(noop, noop);
    p.catch(noop);
    return p;
  }
}

/**
 * gpu.js launches 2-D and 3-D kernels in workgroups of 8×8×1, and a launch may have at most 65535
 * workgroups along each axis (WebGPU's default maxComputeWorkgroupsPerDimension, which gpu.js
 * keeps), so an output dimension x or y past 524280, or z past 65535, cannot launch as it is.
 */
function pastWorkgroupLimit(output: readonly number[]): boolean {
  const [x, y = 1, z = 1] = output;
  return output.length > 1 && (x > 65535 * 8 || y > 65535 * 8 || z > 65535);
}

const flatSpecs = new WeakMap<KernelSpec, KernelSpec>();

/**
 * `spec` rewritten for a 1-D launch over the same elements: the kernel gets the output's x and y
 * sizes as two more arguments and recovers its coordinates from the flat thread index with the
 * exact integer helpers, so the body is otherwise unchanged.
 */
export function flatSpec(spec: KernelSpec): KernelSpec {
  let flat = flatSpecs.get(spec);
  if (flat) return flat;
  const src = String(spec.fn);
  const open = src.indexOf('(');
  const close = src.indexOf(')', open);
  const params = src.slice(open + 1, close).trim();
  const coord: Record<string, string> = {
    x: 'imod(this.thread.x, flatX)',
    y: 'imod(idiv(this.thread.x, flatX), flatY)',
    z: 'idiv(this.thread.x, flatX * flatY)',
  };
  const body = src.slice(close + 1).replace(/this\.thread\.([xyz])/g, (_, d: string) => coord[d]);
  flat = {
    ...spec,
    name: `${spec.name}~flat`,
    fn: `function (${params ? `${params}, ` : ''}flatX, flatY)${body}`,
    args: { ...spec.args, flatX: 'Integer', flatY: 'Integer' },
  };
  flatSpecs.set(spec, flat);
  return flat;
}

function releasedError(op: string, s: GpuStorage): Error {
  return new Error(
    `${op}: gpu storage of ${s.size} elements was already released (disposed ` +
      `tensor, see the memory rule in docs/ARCHITECTURE.md)`,
  );
}

/** A kernel result (typed array, or rows of one for 2-D/3-D outputs) as one flat Float32Array. */
export function toFlat(r: unknown, size: number): Float32Array {
  if (r instanceof Float32Array) return r.length === size ? r : r.slice(0, size);
  // webasm returns row views of one fresh buffer: reuse it when that is what we got
  let first: unknown = r;
  while (Array.isArray(first)) first = first[0];
  if (
    first instanceof Float32Array &&
    first.byteOffset === 0 &&
    first.buffer.byteLength === size * 4
  ) {
    return new Float32Array(first.buffer, 0, size);
  }
  const out = new Float32Array(size);
  let i = 0;
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) for (const v of x) walk(v);
    else if (x instanceof Float32Array) {
      out.set(x, i);
      i += x.length;
    } else out[i++] = x as number;
  };
  walk(r);
  return out;
}
