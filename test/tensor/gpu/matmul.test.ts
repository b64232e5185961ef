// gpu vs cpu: batched matmul with every transpose combination, broadcast batches (batch stride 0)
// and inner dimensions above 1000 (loop cap), for the simple kernel and the 4-wide tiled one
// (the webgpu default, run here on the same mode with tiledMatmul: true).
// Tolerance: |Δ| ≤ (K + 2)·u·Σ_k |a_ik·b_kj| (u = 2⁻²⁴), the classic bound for float32 recursive
// summation of K products, plus the cpu's own rounding of its float64 sum.
import fc from 'fast-check';
import { test } from 'uvu';
import type { Backend } from '../../../src/tensor/backend.js';
import { createGpuBackend } from '../../../src/tensor/gpu/mode.js';
import { assertClose, both, gpu, MODE, normals, RUNS, U } from './setup.js';

const tiled = await createGpuBackend({ mode: MODE, tiledMatmul: true });
const simple = await createGpuBackend({ mode: MODE, tiledMatmul: false });

const problem = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  M: fc.integer({ min: 1, max: 24 }),
  K: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1001, max: 1400 })),
  N: fc.oneof(
    fc.integer({ min: 1, max: 24 }),
    fc.integer({ min: 1, max: 8 }).map((q) => 4 * q),
  ),
  transA: fc.boolean(),
  transB: fc.boolean(),
  shareA: fc.boolean(),
  shareB: fc.boolean(),
  seed: fc.integer(),
});

type Problem = typeof problem extends fc.Arbitrary<infer T> ? T : never;

async function check(p: Problem, on: Backend, label: string): Promise<void> {
  if (process.env.DEBUG_MM) console.error(label, JSON.stringify(p));
  const { batch, M, K, N, transA, transB, shareA, shareB, seed } = p;
  const a = normals((shareA ? 1 : batch) * M * K, seed);
  const b = normals((shareB ? 1 : batch) * K * N, seed + 1);
  const aBS = shareA ? 0 : M * K;
  const bBS = shareB ? 0 : K * N;
  const { got, want } = await both(
    [a, b],
    (k, [sa, sb]) => k.matmul(sa, sb, batch, M, K, N, aBS, bBS, transA, transB),
    on,
  );
  const ars = transA ? 1 : K,
    acs = transA ? M : 1,
    brs = transB ? 1 : N,
    bcs = transB ? K : 1;
  assertClose(
    `${label} batch ${batch} [${M}, ${K}]·[${K}, ${N}] transA=${transA} transB=${transB}`,
    got[0],
    want[0],
    (o) => {
      const t = Math.floor(o / (M * N)),
        i = Math.floor(o / N) % M,
        j = o % N;
      let s = 0;
      for (let k = 0; k < K; k++)
        s += Math.abs(a[t * aBS + i * ars + k * acs] * b[t * bBS + k * brs + j * bcs]);
      return (K + 2) * U * s;
    },
  );
}

test('matmul (simple kernel): gpu equals cpu', async () => {
  await fc.assert(
    fc.asyncProperty(problem, (p) => check(p, simple as unknown as Backend, 'matmul')),
    RUNS,
  );
});

test('matmul (tiled kernel, 4 outputs per thread): gpu equals cpu', async () => {
  await fc.assert(
    fc.asyncProperty(problem, (p) => check(p, tiled as unknown as Backend, 'matmulTiled')),
    RUNS,
  );
});

test('matmul: the default backend at the benchmark shape [3200, 64]·[64, 192]', async () => {
  await check(
    {
      batch: 1,
      M: 3200,
      K: 64,
      N: 192,
      transA: false,
      transB: true,
      shareA: false,
      shareB: false,
      seed: 3,
    },
    gpu as unknown as Backend,
    'matmul',
  );
});

test.run();
