// Raw WGSL kernels on gpu.js's WebGPU device, for what gpu.js kernels cannot express: several
// outputs from one launch (AdamW's p, m and v), workgroup memory and barriers (the tiled matrix
// product), more than four outputs per thread. webgpu mode only; the webasm mode keeps the gpu.js
// kernels, and each raw kernel is tested against the cpu reference like every other kernel.
//
// A kernel is WGSL text with a fixed binding layout: binding 0 is a uniform struct of 4-byte
// scalars (`uniforms` lists their types in order), then one read-only storage array<f32> per
// input, then one read-write array<f32> per output. Pipelines are compiled once per kernel name
// (a compile error names the kernel and the WGSL line). Launches go through the runtime's queue
// (Runtime.runRaw), so they interleave with gpu.js kernels in program order and are counted with
// them. Reference: WebGPU and WGSL specs (createComputePipeline, bind groups, dispatchWorkgroups).

import type { GPUBufferLike, GPUDeviceLike } from './device.js';
import { USAGE_COPY_DST, USAGE_UNIFORM } from './device.js';
import type { GpuStorage, Runtime } from './runtime.js';

export type UniformType = 'f32' | 'i32' | 'u32';

export interface WgslKernel {
  readonly name: string;
  /** The module; entry point `main`. */
  readonly code: string;
  /** Types of the uniform struct's fields, in order (values are passed in the same order). */
  readonly uniforms: readonly UniformType[];
}

type Pipeline = ReturnType<GPUDeviceLike['createComputePipeline']>;
const pipelines = new WeakMap<GPUDeviceLike, Map<string, Promise<Pipeline>>>();

/** Compiles `k` once per device; a WGSL error rejects with the compiler's messages. */
function pipeline(device: GPUDeviceLike, k: WgslKernel): Promise<Pipeline> {
  let byName = pipelines.get(device);
  if (!byName) pipelines.set(device, (byName = new Map()));
  let p = byName.get(k.name);
  if (!p) {
    p = (async () => {
      const module = device.createShaderModule({ code: k.code });
      const info = await module.getCompilationInfo();
      const errors = info.messages.filter((m) => m.type === 'error');
      if (errors.length > 0) {
        throw new Error(
          `WGSL of ${k.name} does not compile: ` +
            errors.map((m) => `line ${m.lineNum}: ${m.message}`).join('; '),
        );
      }
      device.pushErrorScope('validation');
      const made = device.createComputePipeline({
        layout: 'auto',
        compute: { module, entryPoint: 'main' },
      });
      const error = await device.popErrorScope();
      if (error) throw new Error(`pipeline of ${k.name}: ${error.message}`);
      return made;
    })();
    p.catch(() => byName.delete(k.name)); // a later launch reports it again
    byName.set(k.name, p);
  }
  return p;
}

/** The uniform struct's bytes (16-byte multiple, as WGSL lays out a struct of scalars). */
export function packUniforms(
  types: readonly UniformType[],
  values: readonly number[],
): ArrayBuffer {
  if (types.length !== values.length)
    throw new Error(`packUniforms: ${types.length} fields but ${values.length} values`);
  const bytes = new ArrayBuffer(Math.max(16, Math.ceil((types.length * 4) / 16) * 16));
  const view = new DataView(bytes);
  types.forEach((t, i) => {
    if (t === 'f32') view.setFloat32(i * 4, values[i], true);
    else if (t === 'i32') view.setInt32(i * 4, values[i], true);
    else view.setUint32(i * 4, values[i], true);
  });
  return bytes;
}

/**
 * Launches `k` with `groups` workgroups over `inputs` (storages) and returns new storages of
 * `outSizes` floats. `uniforms` are the uniform struct's values.
 */
export function runWgsl(
  rt: Runtime,
  k: WgslKernel,
  inputs: GpuStorage[],
  outSizes: number[],
  uniforms: readonly number[],
  groups: readonly [number, number, number],
): GpuStorage[] {
  const data = packUniforms(k.uniforms, uniforms);
  return rt.runRaw(k.name, inputs, outSizes, async (device, ins, outs) => {
    const made = await pipeline(device, k);
    const params = device.createBuffer({
      size: data.byteLength,
      usage: USAGE_UNIFORM | USAGE_COPY_DST,
    });
    device.queue.writeBuffer(params, 0, data);
    const buffers: GPUBufferLike[] = [params, ...ins, ...outs];
    const bindGroup = device.createBindGroup({
      layout: made.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(made);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    pass.end();
    device.queue.submit([encoder.finish()]);
    params.destroy(); // WebGPU keeps it alive until the submitted work is done
  });
}

/**
 * WGSL for kernels that give each row of a [rows, n] view one workgroup of 64 threads: `row()`
 * (the workgroup's row, folded over two dispatch axes), and workgroup-wide reductions that every
 * thread calls with its partial value: rowSum (each thread's Kahan sum, then thread 0 adds the 64
 * partial sums with Kahan too, so the error stays that of one compensated sum) and rowMax
 * (NaN-blind, as the cpu twin's `>`). `u.rows` and `u.width` (workgroups along x) must be the
 * first two uniforms.
 */
export const ROW_WGSL = `
var<workgroup> red: array<f32, 64>;
fn row(wid: vec3<u32>) -> u32 { return wid.x + wid.y * u.width; }
fn rowSum(t: u32, v: f32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  if (t == 0u) {
    var s = 0.0;
    var c = 0.0;
    for (var i = 0u; i < 64u; i++) {
      let y = red[i] - c;
      let q = s + y;
      c = (q - s) - y;
      s = q;
    }
    red[0] = s;
  }
  workgroupBarrier();
  let r = red[0];
  workgroupBarrier();
  return r;
}
fn rowMax(t: u32, v: f32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  if (t == 0u) {
    var m = red[0];
    for (var i = 1u; i < 64u; i++) { if (red[i] > m) { m = red[i]; } }
    red[0] = m;
  }
  workgroupBarrier();
  let r = red[0];
  workgroupBarrier();
  return r;
}
`;

/** The most negative finite float32 (WGSL has no infinity literal). */
export const F32_LOWEST = '-3.4028234663852886e38';

/** Workgroups for one workgroup per row, folded into y past the 65535 limit. */
export function rowGroups(rows: number): [number, number, number] {
  return groups1d(rows, 1);
}

/** Workgroups for `n` threads in groups of `size` along x, folded into y past the 65535 limit. */
export function groups1d(n: number, size: number): [number, number, number] {
  const total = Math.max(1, Math.ceil(n / size));
  const y = Math.ceil(total / 65535);
  return [Math.ceil(total / y), y, 1];
}
