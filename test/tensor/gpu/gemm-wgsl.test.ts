// The register-tiled WGSL matrix product (src/tensor/gpu/gemm-wgsl.ts), webgpu's matmul, against
// the cpu reference kernel on random problems of the contract (test/tensor/gemm-problems.ts: both
// batch dimensions, broadcast stride 0, operands stored in any order of their coordinates with
// gaps and offsets, so transposed and interleaved reads and both load orders of the staged
// slices; alpha, bias, every order of the output layout, sizes 0 and 1, M and N across several
// 64×64 blocks and their edges, K across the 16-step slices and above 1000). Every register block
// (1, 2 or 4 rows × 1, 2 or 4 columns per thread) is run on its own, and webgpu's matmul is
// checked to launch this kernel. webgpu mode only.
// Tolerance: (K + 2)·u·|alpha|·Σ_k |a·b| + 2u·|out| (gemm-problems.ts), the bound of float32
// recursive summation: each output sums its products in order k = 0, 1, ….
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { contiguousLayout, type GemmOperand } from '../../../src/tensor/backend.js';
import type { GpuStorage } from '../../../src/tensor/gpu/runtime.js';
import { gemmWgsl, type RegisterBlock } from '../../../src/tensor/gpu/gemm-wgsl.js';
import { assertF32Bound, blockDim, type GemmProblem, gemmProblemArb } from '../gemm-problems.js';
import { gpu, RUNS, WEBGPU } from './setup.js';

const wtest = WEBGPU ? test : test.skip;

/** Runs the problem through `product` on the gpu backend and checks it against the cpu. */
async function check(
  p: GemmProblem,
  label: string,
  product: (
    a: GemmOperand<GpuStorage>,
    b: GemmOperand<GpuStorage>,
    bias: GpuStorage | null,
  ) => GpuStorage,
): Promise<void> {
  const up = (x: Float64Array) => gpu.upload(Float32Array.from(x), true);
  const [a, b] = [up(p.a.data), up(p.b.data)];
  const bias = p.bias ? up(p.bias) : null;
  const op = { ...p.a.view, data: a };
  const out = product(op, { ...p.b.view, data: b }, bias);
  const got = await gpu.read(out);
  for (const s of [a, b, out, ...(bias ? [bias] : [])]) gpu.release(s);
  assertF32Bound(p, got, label);
}

wtest('webgpu matmul (the WGSL kernel) equals the cpu reference', async () => {
  await fc.assert(
    fc.asyncProperty(gemmProblemArb(1100, false, blockDim), (p) =>
      check(p, 'matmul (WGSL)', (a, b, bias) => gpu.matmul(a, b, p.shape, bias, p.layout)),
    ),
    RUNS,
  );
});

const blocks: RegisterBlock[] = [];
for (const rows of [1, 2, 4] as const)
  for (const cols of [1, 2, 4] as const) blocks.push({ rows, cols });

wtest('gemmWgsl: every register block equals the cpu reference', async () => {
  const nonEmpty = gemmProblemArb(1100, false, blockDim).filter((p) =>
    [...p.shape.batch, p.shape.M, p.shape.N].every((e) => e > 0),
  );
  await fc.assert(
    fc.asyncProperty(nonEmpty, fc.constantFrom(...blocks), (p, block) =>
      check(p, `gemmWgsl ${block.rows}x${block.cols}`, (a, b, bias) =>
        gemmWgsl(gpu.rt, a, b, p.shape, bias, p.layout ?? contiguousLayout(p.shape), block),
      ),
    ),
    RUNS,
  );
});

wtest('webgpu matmul launches the WGSL kernel, one dispatch per product', async () => {
  const s = gpu.upload(new Float32Array(40 * 70), true);
  const op = { data: s, offset: 0, batchStrides: [0, 0] as const, rowStride: 70, colStride: 1 };
  const before = gpu.rt.counters.dispatches;
  const tiled = gpu.rt.dispatchesByKernel.get('gemmTiled4x4') ?? 0;
  // [40, 70] · [70, 40]ᵀ read in place: M = N = 40, K = 70
  const out = gpu.matmul(
    op,
    { ...op, rowStride: 1, colStride: 70 },
    {
      batch: [1, 1],
      M: 40,
      K: 70,
      N: 40,
      alpha: 1,
    },
    null,
  );
  await gpu.read(out);
  gpu.release(out);
  gpu.release(s);
  assert.is(gpu.rt.counters.dispatches - before, 1);
  assert.is((gpu.rt.dispatchesByKernel.get('gemmTiled4x4') ?? 0) - tiled, 1);
});

test.run();
