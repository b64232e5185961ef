// Shared by the gpu suites: the backend under test, running one kernel on gpu and cpu from the
// same host data, and a float32 closeness check with an explicit per-element tolerance.
//
// The mode is MINI_DINO_GPU_MODE (npm run test:gpu sets webgpu), else webasm (CI). Tolerances are
// written per kernel in the test files as multiples of u = 2⁻²⁴ (float32 unit roundoff) times the
// magnitudes that enter each output; WEBGPU widens only the kernels whose WGSL builtins the spec
// allows to be inexact (exp: 3 + 2|x| ulp, log: 3 ulp, division and sqrt: 2.5 ulp).

import type { Backend, GemmOperand, Storage } from '../../../src/tensor/backend.js';
import { cpu } from '../../../src/tensor/cpu/index.js';
import type { GpuMode } from '../../../src/tensor/gpu/index.js';
import { createGpuBackend } from '../../../src/tensor/gpu/mode.js';
import { Generator } from '../../../src/tensor/random.js';

export const MODE = (process.env.MINI_DINO_GPU_MODE || 'webasm') as GpuMode;
export const WEBGPU = MODE === 'webgpu';
export const gpu = await createGpuBackend({ mode: MODE });
export { cpu };

/** float32 unit roundoff. */
export const U = 2 ** -24;
/** Extra ulp a WGSL builtin may be off by (0 on webasm, whose Math imports are the cpu's). */
export const wgsl = (ulps: number) => (WEBGPU ? ulps : 0);

/** n normal values (scale `scale`) from a seed, the same in every backend's suite. */
export { normals } from '../props/harness.js';
export { assertClose, exact, prod } from '../props/close.js';

export function uniforms(n: number, seed: number, lo: number, hi: number): Float32Array {
  const g = new Generator(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = g.uniformRange(lo, hi);
  return a;
}

type Call<S extends Storage> = (k: Backend<S>, inputs: S[]) => S | S[];

/** Runs `call` on the gpu and the cpu backend with the same inputs; returns both outputs. */
export async function both(
  inputs: Float32Array[],
  call: Call<Storage>,
  on: Backend = gpu as unknown as Backend,
): Promise<{ got: Float32Array[]; want: Float32Array[] }> {
  const run = async (k: Backend) => {
    const ins = inputs.map((a) => k.upload(a, true));
    const out = call(k, ins);
    const outs = Array.isArray(out) ? out : [out];
    const values = await Promise.all(outs.map(async (s) => Float32Array.from(await k.read(s))));
    for (const s of [...ins, ...outs]) k.release(s);
    return values;
  };
  const [got, want] = [await run(on), await run(cpu as unknown as Backend)];
  return { got, want };
}

/** Row-major strides. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let p = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = p;
    p *= shape[i];
  }
  return s;
}

/** fast-check settings: a fixed number of runs (kernels compile per shape, so runs cost). */
export const RUNS = {
  numRuns: Number(process.env.GPU_TEST_RUNS ?? 25),
  endOnFailure: !!process.env.GPU_TEST_NO_SHRINK,
};

/**
 * A row-major [rows, cols] matrix as a matmul operand, read transposed ([cols, rows]) with
 * `trans`; consecutive batch entries `batchStride` apart (0: one matrix for all).
 */
export function dense<S extends Storage>(
  data: S,
  rows: number,
  cols: number,
  opts: { trans?: boolean; batchStride?: number } = {},
): GemmOperand<S> {
  return {
    data,
    offset: 0,
    batchStrides: [0, opts.batchStride ?? 0],
    rowStride: opts.trans ? 1 : cols,
    colStride: opts.trans ? cols : 1,
  };
}
