// Shared by the wasm suites: two wasm backends (with relaxed SIMD's fused multiply-add where the
// runtime accepts it, and without), each on 3 threads with every kernel split over them however
// small (so fast-check's small awkward shapes exercise the splits), running one kernel on wasm
// and on the cpu reference from the same host data; and the check that a wasm kernel gives the
// same bits on 1, 2 and 3 threads.
//
// Tolerances are written per kernel in the test files as multiples of u = 2⁻²⁴ (float32 unit
// roundoff) times the magnitudes that enter each output (the cpu computes in float64 and rounds
// once; wasm computes in float32 lanes).

import * as assert from 'uvu/assert';
import type { Backend, Storage } from '../../../src/tensor/backend.js';
import { cpu } from '../../../src/tensor/cpu/index.js';
import { createWasmBackend, type WasmBackend } from '../../../src/tensor/wasm/index.js';

export const relaxed = await createWasmBackend({ threads: 3, splitAll: true });
export const plain = await createWasmBackend({ threads: 3, splitAll: true, relaxed: false });
/** The backends under test: relaxed SIMD first (when the runtime has it), then plain SIMD. */
export const BACKENDS: { label: string; k: WasmBackend }[] = [
  { label: relaxed.rt.relaxed ? 'relaxed' : 'plain', k: relaxed },
  ...(relaxed.rt.relaxed ? [{ label: 'plain', k: plain }] : []),
];
export { cpu };

/** float32 unit roundoff. */
export const U = 2 ** -24;

/** n normal values (scale `scale`) from a seed, the same in every backend's suite. */
export { normals } from '../props/harness.js';
export { assertClose, exact, prod } from '../props/close.js';

type Call = (k: Backend, inputs: Storage[]) => Storage | Storage[];

function runOn(k: Backend, inputs: Float32Array[], call: Call): Float32Array[] {
  const ins = inputs.map((a) => k.upload(a, true));
  const out = call(k, ins);
  const outs = Array.isArray(out) ? out : [out];
  const values = outs.map((s) => Float32Array.from(k.readSync(s)));
  for (const s of [...ins, ...outs]) k.release(s);
  return values;
}

/**
 * Runs `call` on the wasm backend `k` with 3, 2 and 1 threads (asserting identical bits) and
 * on the cpu; returns the wasm and the cpu outputs.
 */
export function both(
  k: WasmBackend,
  inputs: Float32Array[],
  call: Call,
): { got: Float32Array[]; want: Float32Array[] } {
  const wasm = k as unknown as Backend;
  k.setThreads(3);
  const got = runOn(wasm, inputs, call);
  for (const t of [2, 1]) {
    k.setThreads(t);
    const again = runOn(wasm, inputs, call);
    again.forEach((a, o) => sameBits(a, got[o], `output ${o} on ${t} vs 3 threads`));
  }
  k.setThreads(3);
  return { got, want: runOn(cpu as unknown as Backend, inputs, call) };
}

/** Identical bits element by element (NaN payloads aside). */
export function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  assert.is(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i]))
      assert.unreachable(`${what}: element ${i} is ${a[i]}, expected ${b[i]}`);
  }
}

/** fast-check settings: WASM_TEST_RUNS runs per property (default 40). */
export const RUNS = { numRuns: Number(process.env.WASM_TEST_RUNS ?? 40) };
