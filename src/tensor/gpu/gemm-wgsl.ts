// The matrix product of the kernel contract in WGSL, for webgpu mode: register-tiled, the GPU
// counterpart of the cpu's SIMD micro-kernel (../cpu/gemm-simd.ts).
//   out[t0, t1, i, j] = alpha · Σ_k a[t0, t1, i, k] · b[t0, t1, k, j]  (+ bias[j])
// Operands are read in place through their offsets and strides and the output is written in its
// layout, exactly as the gpu.js kernels of ./matmul.ts do; only the schedule differs.
//
// A workgroup of 16×16 threads computes a 64×64 block of one batch entry: it walks K in steps of
// 16, staging a 64×16 slice of a and a 16×64 slice of b in workgroup memory (zeros past the
// edges, so any M, N, K works), and each thread keeps a 4×4 block of outputs in registers — rows
// ly + 16r and columns lx + 16c, so that neighbouring threads read neighbouring words of the
// staged slices and write neighbouring outputs. Every staged element is read by 16 threads and
// every register value is used 4 times: 16 multiply-adds per 8 loads from workgroup memory,
// against 1 per 2 global loads for one output per thread. Products with 32 rows or fewer (or
// columns) use 2 or 1 register rows (32- or 16-row blocks; registerBlock), so attention's small
// heads do not compute mostly padding. Each output still sums its K products in order
// k = 0, 1, …, one rounding per step, so the float32 error bound of the simple kernel holds.
// The tiles are loaded with k fastest when that is the operand's contiguous direction.
// gpu.js cannot express this (no workgroup memory, at most four outputs per thread), hence WGSL
// (./wgsl.ts). Reference: the classic shared-memory tiling of CUDA's matrixMul sample and of
// "WebGPU compute shader matmul" tutorials; register blocking as in the cpu twin.

import type { GemmOperand, GemmOutLayout, GemmShape } from '../backend.js';
import type { GpuStorage, Runtime } from './runtime.js';
import { runWgsl, type WgslKernel } from './wgsl.js';

/** Rows and columns of outputs each thread keeps in registers (1, 2 or 4 each). */
export interface RegisterBlock {
  rows: 1 | 2 | 4;
  cols: 1 | 2 | 4;
}

/** `line` once per register (r, c) of the rows×cols block, {r}, {c}, {16r}, {16c} filled in:
 * the block is unrolled into scalars, which every compiler keeps in registers. */
function unrolled(block: RegisterBlock, line: string): string {
  const lines: string[] = [];
  for (let r = 0; r < block.rows; r++)
    for (let c = 0; c < block.cols; c++)
      lines.push(
        line
          .replaceAll('{r}', `${r}`)
          .replaceAll('{c}', `${c}`)
          .replaceAll('{16r}', `${16 * r}`)
          .replaceAll('{16c}', `${16 * c}`),
      );
  return lines.join('\n');
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The kernel for one register block: BM = 16·rows, BN = 16·cols (64×64 for 4×4). */
function gemmKernel(block: RegisterBlock): WgslKernel {
  const BM = 16 * block.rows;
  const BN = 16 * block.cols;
  return {
    name: `gemmTiled${block.rows}x${block.cols}`,
    uniforms: [
      ...Array<'u32'>(21).fill('u32'), // M … kFastB, see U
      'f32',
    ],
    code: `
struct U {
  M: u32, N: u32, K: u32, batch1: u32,
  aOff: u32, aB0: u32, aB1: u32, aRS: u32, aCS: u32,
  bOff: u32, bB0: u32, bB1: u32, bRS: u32, bCS: u32,
  oB0: u32, oB1: u32, oRS: u32, oCS: u32,
  hasBias: u32, kFastA: u32, kFastB: u32, alpha: f32,
}
@group(0) @binding(0) var<uniform> u: U;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
const BM = ${BM}u;
const BN = ${BN}u;
const BK = 16u;
var<workgroup> As: array<f32, ${16 * BM}>; // [BK][BM]
var<workgroup> Bs: array<f32, ${16 * BN}>; // [BK][BN]

fn store(t0: u32, t1: u32, i: u32, j: u32, acc: f32) {
  if (i < u.M && j < u.N) {
    var v = u.alpha * acc;
    if (u.hasBias != 0u) { v = v + bias[j]; }
    out[t0 * u.oB0 + t1 * u.oB1 + i * u.oRS + j * u.oCS] = v;
  }
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let t0 = wid.z / u.batch1;
  let t1 = wid.z % u.batch1;
  let aBase = u.aOff + t0 * u.aB0 + t1 * u.aB1;
  let bBase = u.bOff + t0 * u.bB0 + t1 * u.bB1;
  let row0 = wid.y * BM;
  let col0 = wid.x * BN;
  let tid = lid.y * 16u + lid.x;
${unrolled(block, '  var acc{r}{c} = 0.0;')}
  for (var k0 = 0u; k0 < u.K; k0 += BK) {
    // a's slice: element (ii, kk) to As[kk][ii], ${block.rows} per thread
    for (var l = 0u; l < ${block.rows}u; l++) {
      let e = tid + l * 256u;
      var kk = e / BM;
      var ii = e % BM;
      if (u.kFastA != 0u) {
        kk = e % BK;
        ii = e / BK;
      }
      var v = 0.0;
      if (row0 + ii < u.M && k0 + kk < u.K) {
        v = a[aBase + (row0 + ii) * u.aRS + (k0 + kk) * u.aCS];
      }
      As[kk * BM + ii] = v;
    }
    // b's slice: element (kk, jj) to Bs[kk][jj], ${block.cols} per thread
    for (var l = 0u; l < ${block.cols}u; l++) {
      let e = tid + l * 256u;
      var kb = e / BN;
      var jj = e % BN;
      if (u.kFastB != 0u) {
        kb = e % BK;
        jj = e / BK;
      }
      var w = 0.0;
      if (col0 + jj < u.N && k0 + kb < u.K) {
        w = b[bBase + (k0 + kb) * u.bRS + (col0 + jj) * u.bCS];
      }
      Bs[kb * BN + jj] = w;
    }
    workgroupBarrier();
    let steps = min(BK, u.K - k0);
    for (var kk = 0u; kk < steps; kk++) {
${range(block.rows)
  .map((r) => `      let a${r} = As[kk * BM + lid.y + ${16 * r}u];`)
  .join('\n')}
${range(block.cols)
  .map((c) => `      let b${c} = Bs[kk * BN + lid.x + ${16 * c}u];`)
  .join('\n')}
${unrolled(block, '      acc{r}{c} = acc{r}{c} + a{r} * b{c};')}
    }
    workgroupBarrier();
  }
${unrolled(block, `  store(t0, t1, row0 + lid.y + {16r}u, col0 + lid.x + {16c}u, acc{r}{c});`)}
}`,
  };
}

const KERNELS = new Map<string, WgslKernel>();
function kernelFor(block: RegisterBlock): WgslKernel {
  const key = `${block.rows}x${block.cols}`;
  let k = KERNELS.get(key);
  if (!k) KERNELS.set(key, (k = gemmKernel(block)));
  return k;
}

/**
 * The register block for an M×N output: 4 rows (a 64-row block) past 32 rows, 2 past 16, else 1,
 * and likewise for columns, so that a small product (attention's 17×16 heads) does not run a
 * 64×64 block of which it uses a fifteenth.
 */
export function registerBlock(M: number, N: number): RegisterBlock {
  const pick = (n: number) => (n > 32 ? 4 : n > 16 ? 2 : 1);
  return { rows: pick(M), cols: pick(N) };
}

type Operand = GemmOperand<GpuStorage>;

/** Whether gemmWgsl can run this product: offsets and strides in u32, a launchable grid. */
export function gemmWgslFits(
  a: Operand,
  b: Operand,
  shape: GemmShape,
  out: GemmOutLayout,
  block: RegisterBlock = registerBlock(shape.M, shape.N),
): boolean {
  const { batch, M, N } = shape;
  const strides = [
    a.offset,
    ...a.batchStrides,
    a.rowStride,
    a.colStride,
    b.offset,
    ...b.batchStrides,
    b.rowStride,
    b.colStride,
    ...out.batchStrides,
    out.rowStride,
    out.colStride,
  ];
  return (
    strides.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 32) &&
    Math.max(a.data.size, b.data.size, out.size) < 2 ** 32 &&
    Math.ceil(N / (16 * block.cols)) <= 65535 &&
    Math.ceil(M / (16 * block.rows)) <= 65535 &&
    batch[0] * batch[1] <= 65535
  );
}

/**
 * The product into a new buffer of `out.size` elements laid out by `out` (which must cover it
 * exactly once); M, N and the batch sizes are positive.
 */
export function gemmWgsl(
  rt: Runtime,
  a: Operand,
  b: Operand,
  shape: GemmShape,
  bias: GpuStorage | null,
  out: GemmOutLayout,
  block: RegisterBlock = registerBlock(shape.M, shape.N),
): GpuStorage {
  const { batch, M, K, N, alpha } = shape;
  const biasIn = bias ?? rt.empty();
  const [result] = runWgsl(
    rt,
    kernelFor(block),
    [a.data, b.data, biasIn],
    [out.size],
    [
      M,
      N,
      K,
      batch[1],
      a.offset,
      a.batchStrides[0],
      a.batchStrides[1],
      a.rowStride,
      a.colStride,
      b.offset,
      b.batchStrides[0],
      b.batchStrides[1],
      b.rowStride,
      b.colStride,
      out.batchStrides[0],
      out.batchStrides[1],
      out.rowStride,
      out.colStride,
      bias ? 1 : 0,
      a.colStride === 1 ? 1 : 0,
      b.rowStride === 1 ? 1 : 0,
      alpha,
    ],
    [Math.ceil(N / (16 * block.cols)), Math.ceil(M / (16 * block.rows)), batch[0] * batch[1]],
  );
  if (!bias) rt.release(biasIn);
  return result;
}
