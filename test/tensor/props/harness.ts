// What a backend's kernel suite hands to the properties shared between backends
// (layernorm.ts, softmax.ts beside it): how to run one kernel on the backend and on the cpu
// reference from the same host data, its closeness check and its fast-check settings; and the
// seeded inputs those properties draw. Each backend keeps its own harness in its setup.ts
// (test/tensor/wasm/setup.ts checks every result on 1, 2 and 3 threads; test/tensor/gpu/setup.ts
// reads back asynchronously).

import type { Backend, Storage } from '../../../src/tensor/backend.js';
import { Generator } from '../../../src/tensor/random.js';

/** A kernel call on backend `k` with the inputs uploaded there. */
export type Call = (k: Backend, inputs: Storage[]) => Storage | Storage[];

/** The outputs of one call on the backend under test (got) and on the cpu (want). */
export interface Outputs {
  got: Float32Array[];
  want: Float32Array[];
}

export interface Harness {
  /** The backend in the test names ("softmax: gpu equals cpu"). */
  backend: string;
  /** The variant of the backend in the test names ("softmax (relaxed): wasm equals cpu"). */
  variant?: string;
  /** Runs `call` on the backend and on the cpu from the same inputs. */
  both(inputs: Float32Array[], call: Call): Outputs | Promise<Outputs>;
  /** Asserts |got[i] − want[i]| ≤ tol(i) for every i. */
  assertClose(
    label: string,
    got: Float32Array,
    want: Float32Array,
    tol: (i: number) => number,
  ): void;
  /** fast-check settings of every property. */
  runs: { numRuns: number; endOnFailure?: boolean };
}

/** The test name of `what` on this harness: "softmax (relaxed): wasm equals cpu". */
export function title(h: Harness, op: string, what: string): string {
  return `${op}${h.variant ? ` (${h.variant})` : ''}: ${what}`;
}

/** n normal values (scale `scale`) from a seed: fast-check draws the seed, not the values. */
export function normals(n: number, seed: number, scale = 1): Float32Array {
  const g = new Generator(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = g.normal() * scale;
  return a;
}
