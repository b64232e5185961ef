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
// Kernels are built once per shape signature (kernel, output size, argument sizes, loop bound)
// and cached (LRU), so gpu.js never recompiles on a hot path. References: gpu.js 2.24.1 README
// (Pipelining, WebGPU, WebAssembly) and src/backend/web-gpu/kernel.js.

import { GPU } from 'gpu.js';
import * as gpujs from 'gpu.js';
import type { Storage } from '../backend.js';
import { fmtShape } from '../shape.js';
import { INDEX_HELPERS, type HelperSpec } from './helpers.js';

export type GpuMode = 'webgpu' | 'webasm' | 'cpu';

/** A pipeline handle of gpu.js's webgpu backend (the fields this file uses). */
export interface DeviceBuffer {
  readonly buffer: unknown;
  readonly context: unknown;
  readonly kernel: unknown;
  toArray(): Promise<unknown>;
  delete(): void;
}

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
  /** Kernels kept built (least recently used ones are destroyed past it); default 256. */
  maxKernels?: number;
  /** matmul: each thread computes 4 adjacent outputs (default: on in webgpu mode only). */
  tiledMatmul?: boolean;
}

/** A kernel argument: storage, a number (Integer or Float), or host data (index tables). */
export type Arg = GpuStorage | number | Float32Array;

type GpuKernel = ((...args: unknown[]) => unknown) & {
  destroy(): void;
  kernel?: { constructor: { mode?: string }; fallbackReason?: string };
};

const noop = () => undefined;
const prod = (xs: readonly number[]) => xs.reduce((p, d) => p * d, 1);
const isStorage = (a: Arg): a is GpuStorage =>
  typeof a === 'object' && !(a instanceof Float32Array);

export class Runtime {
  readonly gpu: GPU;
  /** Storages created and not yet released (the memory test watches this). */
  liveBuffers = 0;
  /** gpu.js kernels built so far (a hot loop must not raise it). */
  kernelsBuilt = 0;
  private readonly kernels = new Map<string, GpuKernel>();
  private tail: Promise<unknown> = Promise.resolve();
  private filler: GpuStorage | null = null;

  constructor(
    readonly mode: GpuMode,
    readonly options: RuntimeOptions = {},
  ) {
    this.gpu = new GPU({ mode });
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
    const values = args.map((a) => (isStorage(a) && a.size === 0 ? this.fillerStorage() : a));
    const sizes = values.map((a) =>
      typeof a === 'number' ? '' : a instanceof Float32Array ? a.length : a.size,
    );
    const key = [spec.name, output.join('x'), loop, ...sizes].join('|');
    const kernel = this.kernel(key, spec, output, loop);
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
        h = (await kernel(...ready)) as DeviceBuffer;
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

  /** Host values into a new storage (webgpu: an upload kernel; the only host→device copy). */
  upload(data: Float32Array): GpuStorage {
    if (this.mode !== 'webgpu' || data.length === 0) return this.storage(data.length, data, null);
    return this.run(UPLOAD, [data.length], [data]);
  }

  /** The values on the host. // sync point */
  async read(s: GpuStorage): Promise<Float32Array> {
    if (this.mode !== 'webgpu' || s.size === 0) return this.readSync(s);
    const h = this.handleOf(s, 'read');
    // toArray() submits the copy at once; queueing it keeps it ahead of a later release
    const pending = await this.enqueue(async () => ({ values: (await h).toArray() }));
    return toFlat(await pending.values, s.size);
  }

  readSync(s: GpuStorage): Float32Array {
    if (this.mode === 'webgpu') {
      throw new Error(
        'readSync: the gpu backend runs in webgpu mode, where reading is ' +
          'asynchronous; use await t.data() (or item(), toArray())',
      );
    }
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
      this.filler =
        this.mode === 'webgpu' ? this.run(UPLOAD, [1], [one]) : this.storage(1, one, null);
      this.liveBuffers--; // internal: lives as long as the backend
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
        loopMaxIterations: Math.max(1, loop + 1),
      } as never,
    ) as unknown as GpuKernel;
    this.kernelsBuilt++;
    this.kernels.set(key, k);
    while (this.kernels.size > (this.options.maxKernels ?? 256)) {
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

const UPLOAD: KernelSpec = {
  name: 'upload',
  fn: function upload(this: { thread: { x: number } }, x: number[]) {
    return x[this.thread.x];
  },
  args: { x: 'Array' },
};

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

/** A 4-component result as a flat 1-component handle over the same buffer (refcounted by gpu.js).
 * */
function flatView(h: DeviceBuffer, size: number): DeviceBuffer {
  const BufferResult = (gpujs as unknown as { WebGPUBufferResult: new (s: object) => DeviceBuffer })
    .WebGPUBufferResult;
  const view = new BufferResult({
    buffer: h.buffer,
    output: [size],
    componentCount: 1,
    context: h.context,
    kernel: h.kernel,
  });
  h.delete();
  return view;
}

/** gpu.js's shared WebGPU device. */
export function webgpuContext(): Promise<{
  adapter: { info?: Record<string, string> };
  device: { queue: { onSubmittedWorkDone(): Promise<void> } };
}> {
  return (
    gpujs as unknown as { WebGPUContext: { acquire(): Promise<never> } }
  ).WebGPUContext.acquire();
}
