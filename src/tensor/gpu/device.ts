// The WebGPU device under the gpu backend's webgpu mode: gpu.js's shared device, its pipeline
// handles (WebGPUBufferResult: a GPU buffer that gpu.js kernels accept as an argument), and the
// few raw device operations the runtime does itself — filling a new buffer from the host,
// reading one back, and creating the output buffers of the raw WGSL kernels (./wgsl.ts).
// The types below are the parts of the WebGPU API this code uses (the `webgpu` package's types
// are not a dependency: it is optional). Reference: the WebGPU spec, GPUDevice and GPUBuffer;
// gpu.js 2.24.1 src/backend/web-gpu/buffer-result.js and context.js.

import { gpujs } from './gpujs.js';

/** A pipeline handle of gpu.js's webgpu backend (the fields this code uses). */
export interface DeviceBuffer {
  readonly buffer: GPUBufferLike;
  readonly context: unknown;
  readonly kernel: unknown;
  delete(): void;
}

export interface GPUBufferLike {
  readonly size: number;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
  destroy(): void;
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
}

export interface GPUCommandEncoderLike {
  copyBufferToBuffer(a: GPUBufferLike, ao: number, b: GPUBufferLike, bo: number, n: number): void;
  beginComputePass(): {
    setPipeline(p: unknown): void;
    setBindGroup(i: number, g: unknown): void;
    dispatchWorkgroups(x: number, y?: number, z?: number): void;
    end(): void;
  };
  finish(): unknown;
}

export interface GPUDeviceLike {
  createBuffer(d: { size: number; usage: number; mappedAtCreation?: boolean }): GPUBufferLike;
  createCommandEncoder(): GPUCommandEncoderLike;
  createShaderModule(d: { code: string }): {
    getCompilationInfo(): Promise<{
      messages: { type: string; message: string; lineNum: number }[];
    }>;
  };
  createComputePipeline(d: object): { getBindGroupLayout(i: number): unknown };
  createBindGroup(d: object): unknown;
  pushErrorScope(filter: string): void;
  popErrorScope(): Promise<{ message: string } | null>;
  queue: {
    submit(c: unknown[]): void;
    writeBuffer(b: GPUBufferLike, offset: number, data: ArrayBuffer | ArrayBufferView): void;
    onSubmittedWorkDone(): Promise<void>;
  };
  limits: Record<string, number>;
}

export interface WebGPUContext {
  adapter: { info?: Record<string, string> };
  device: GPUDeviceLike;
}

// GPUBufferUsage and GPUMapMode flags (WebGPU spec; the globals exist only once Dawn is loaded)
export const USAGE_MAP_READ = 0x1;
export const USAGE_COPY_SRC = 0x4;
export const USAGE_COPY_DST = 0x8;
export const USAGE_UNIFORM = 0x40;
export const USAGE_STORAGE = 0x80;
const MAP_MODE_READ = 0x1;

/** gpu.js's shared WebGPU device (one per process). */
export function webgpuContext(): Promise<WebGPUContext> {
  return (
    gpujs() as unknown as { WebGPUContext: { acquire(): Promise<WebGPUContext> } }
  ).WebGPUContext.acquire();
}

/** A gpu.js pipeline handle over `buffer` (size floats), which kernels accept as an argument. */
export function bufferResult(
  buffer: GPUBufferLike,
  size: number,
  context: object,
  kernel: unknown = null,
): DeviceBuffer {
  const BufferResult = (
    gpujs() as unknown as { WebGPUBufferResult: new (s: object) => DeviceBuffer }
  ).WebGPUBufferResult;
  return new BufferResult({ buffer, output: [size], componentCount: 1, context, kernel });
}

/** A 4-component result as a flat 1-component handle over the same buffer (refcounted by gpu.js).
 * */
export function flatView(h: DeviceBuffer, size: number): DeviceBuffer {
  const view = bufferResult(h.buffer, size, h.context as object, h.kernel);
  h.delete();
  return view;
}

/** A storage buffer of `size` floats (at least 4 bytes: WebGPU binds no empty buffer). */
export function storageBuffer(device: GPUDeviceLike, size: number, mapped = false): GPUBufferLike {
  return device.createBuffer({
    size: Math.max(4, size * 4),
    usage: USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST,
    mappedAtCreation: mapped,
  });
}

/** A new device buffer holding `data`, filled at creation (no copy command). */
export function filledBuffer(context: WebGPUContext, data: Float32Array): DeviceBuffer {
  const buffer = storageBuffer(context.device, data.length, true);
  new Float32Array(buffer.getMappedRange(), 0, data.length).set(data);
  buffer.unmap();
  return bufferResult(buffer, data.length, context);
}

/**
 * Submits the copy of `size` floats of `buffer` into a new mappable buffer at once (so it stays
 * in queue order ahead of a later release) and returns the mapping's completion and the values.
 */
export function readBack(device: GPUDeviceLike, buffer: GPUBufferLike, size: number) {
  const bytes = size * 4;
  const staging = device.createBuffer({ size: bytes, usage: USAGE_MAP_READ | USAGE_COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
  device.queue.submit([encoder.finish()]);
  const mapped = staging.mapAsync(MAP_MODE_READ, 0, bytes);
  return {
    values: async (): Promise<Float32Array> => {
      try {
        await mapped;
        return new Float32Array(staging.getMappedRange().slice(0));
      } finally {
        staging.destroy();
      }
    },
  };
}
