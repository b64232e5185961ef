// float32 matrix products with WebAssembly SIMD: the fast path of the cpu backend's matmul.
// Same contract as gemmBlocked() in gemm-blocked.ts (tests check the two agree, and the fast path
// against the reference in matmul.ts): out[oOff + i·ldo + j] = Σ_k A(i, k)·B(k, j), A and B read
// through arbitrary strides, so transposed operands and attention heads cost nothing extra.
//
// The operands are copied into the module's memory, zero-padded to multiples of 4 rows and 8
// columns: whole rows with one memcpy when they are contiguous, otherwise (a transposed operand)
// packed into k-major panels as in Goto & van de Geijn, "Anatomy of high-performance matrix
// multiplication" (2008). A 4×8 micro-kernel keeps the output block in eight f32x4 registers
// and per k loads two vectors of B, splats four scalars of A and does eight multiply-adds. Measured
// ~30 GFLOP/s
// on one core here against ~3.5 for the plain TypeScript loop (bench/kernels.ts).
// Products run in column chunks whose B panels stay in L2. MINI_DINO_SIMD=0 turns this off.

import { platform } from '../../platform/index.js';
import { buildModule, I32, op, V128 } from './wasm.js';

/** Columns per chunk so that a chunk of packed B (K × NC floats) is ~256 KiB. */
function chunkColumns(K: number): number {
  return Math.max(8, 8 * Math.floor(65536 / Math.max(1, K) / 8));
}

/**
 * kernel(ap, aRS, aKS, bp, bKS, cp, ldc, K, alphaP): the 4×8 block C = alpha·A·B + C, all
 * addresses in bytes. A(r, k) is at ap + r·aRS + k·aKS (packed panels: aRS 4, aKS 16; row-major
 * rows: aRS = row stride, aKS 4); B(k, 0..7) is 8 contiguous floats at bp + k·bKS; C row r at
 * cp + r·ldc (holding the bias, or zeros); alpha is the float at alphaP.
 */
function microKernel(): Parameters<typeof buildModule>[0][0] {
  const [ap, aRS, aKS, bp, bKS, cp, ldc, K, alphaP, k, row, acc, b0, b1, a] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 19, 20, 21,
  ];
  const body: number[] = [];
  const emit = (...parts: (readonly number[])[]) => {
    for (const p of parts) body.push(...p);
  };
  for (let i = 0; i < 8; i++) emit(op.v128Zero, op.set(acc + i));
  emit(op.i32(0), op.set(k));
  emit(op.block, op.loop);
  emit(op.get(bp), op.v128Load(0, 2), op.set(b0)); // B(k, 0..3)
  emit(op.get(bp), op.v128Load(16, 2), op.set(b1)); // B(k, 4..7)
  for (let r = 0; r < 4; r++) {
    // A(r, k) in every lane
    emit(
      op.get(ap),
      ...(r > 0 ? [op.get(aRS), op.i32(r), op.i32Mul, op.i32Add] : []),
      op.v128Load32Splat(0),
      op.set(a),
    );
    for (let c = 0; c < 2; c++) {
      emit(
        op.get(acc + 2 * r + c),
        op.get(a),
        op.get(c === 0 ? b0 : b1),
        op.f32x4Mul,
        op.f32x4Add,
        op.set(acc + 2 * r + c),
      );
    }
  }
  emit(op.get(ap), op.get(aKS), op.i32Add, op.set(ap));
  emit(op.get(bp), op.get(bKS), op.i32Add, op.set(bp));
  emit(op.get(k), op.i32(1), op.i32Add, op.tee(k), op.get(K), op.i32Ne, op.brIf(0));
  emit(op.end, op.end);
  emit(op.get(alphaP), op.v128Load32Splat(0), op.set(a)); // alpha in every lane
  for (let r = 0; r < 4; r++) {
    emit(op.get(cp), op.get(ldc), op.i32(r), op.i32Mul, op.i32Add, op.set(row));
    for (let c = 0; c < 2; c++) {
      // C(r, 8 columns) = alpha · acc + C(r, ·)
      emit(
        op.get(row),
        op.get(acc + 2 * r + c),
        op.get(a),
        op.f32x4Mul,
        op.get(row),
        op.v128Load(16 * c, 2),
        op.f32x4Add,
        op.v128Store(16 * c, 2),
      );
    }
  }
  return {
    name: 'kernel',
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32],
    locals: [
      [2, I32],
      [11, V128],
    ],
    body,
  };
}

interface Instance {
  memory: WebAssembly.Memory;
  kernel: (
    ap: number,
    aRS: number,
    aKS: number,
    bp: number,
    bKS: number,
    cp: number,
    ldc: number,
    K: number,
    alphaP: number,
  ) => void;
  f32: Float32Array;
}

let instance: Instance | null | undefined;

/** The module of this thread (built once), or null where WebAssembly SIMD is unavailable or off. */
function getInstance(): Instance | null {
  if (instance !== undefined) return instance;
  instance = null;
  if (platform().env('MINI_DINO_SIMD') === '0' || typeof WebAssembly === 'undefined') return null;
  try {
    const bytes = buildModule([microKernel()]);
    if (!WebAssembly.validate(bytes)) return null;
    const memory = new WebAssembly.Memory({ initial: 16 });
    const mod = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    instance = {
      memory,
      kernel: mod.exports.kernel as Instance['kernel'],
      f32: new Float32Array(memory.buffer),
    };
  } catch {
    instance = null;
  }
  return instance;
}

export function simdAvailable(): boolean {
  return getInstance() !== null;
}

function ensureFloats(inst: Instance, n: number): Float32Array {
  const need = n * 4;
  if (inst.memory.buffer.byteLength < need) {
    inst.memory.grow(Math.ceil((need - inst.memory.buffer.byteLength) / 65536));
  }
  if (inst.f32.buffer !== inst.memory.buffer) inst.f32 = new Float32Array(inst.memory.buffer);
  return inst.f32;
}

/**
 * gemmBlocked() for float32 arrays with the SIMD kernel: out = alpha·A·B (+ bias on every row).
 * Returns false (doing nothing) when the kernel is unavailable, so callers fall back to the
 * TypeScript loop.
 */
export function gemmSimd(
  out: Float32Array,
  oOff: number,
  ldo: number,
  a: Float32Array,
  aOff: number,
  ars: number,
  acs: number,
  b: Float32Array,
  bOff: number,
  brs: number,
  bcs: number,
  M: number,
  K: number,
  N: number,
  alpha: number,
  bias: Float32Array | null,
): boolean {
  const inst = getInstance();
  if (!inst) return false;
  if (M === 0 || N === 0) return true;
  if (K === 0) {
    for (let i = 0; i < M; i++) {
      if (bias) out.set(bias.subarray(0, N), oOff + i * ldo);
      else out.fill(0, oOff + i * ldo, oOff + i * ldo + N);
    }
    return true;
  }
  const Mp = Math.ceil(M / 4) * 4;
  const NC = Math.min(chunkColumns(K), Math.ceil(N / 8) * 8);
  // memory: alpha | A (Mp rows) | B chunk (K rows of NCp floats, or packed panels) |
  // C chunk [Mp][NCp]
  const aBase = 4; // floats; alpha at 0 (16-byte aligned A)
  const bBase = aBase + Mp * K;
  const cBase = bBase + K * NC;
  const F = ensureFloats(inst, cBase + Mp * NC);
  F[0] = alpha;
  // A: rows of K floats copied whole when contiguous (acs = 1), else packed into 4-row panels
  const aRows = acs === 1;
  if (aRows) {
    for (let i = 0; i < M; i++)
      F.set(a.subarray(aOff + i * ars, aOff + i * ars + K), aBase + i * K);
    F.fill(0, aBase + M * K, aBase + Mp * K);
  } else {
    for (let i = 0; i < Mp; i++) {
      const q0 = aBase + (i - (i % 4)) * K + (i % 4);
      if (i < M)
        for (let k = 0, p = aOff + i * ars, q = q0; k < K; k++, p += acs, q += 4) F[q] = a[p];
      else for (let k = 0, q = q0; k < K; k++, q += 4) F[q] = 0;
    }
  }
  const [aRS, aKS] = aRows ? [4 * K, 4] : [4, 16];
  for (let j0 = 0; j0 < N; j0 += NC) {
    const nc = Math.min(NC, N - j0);
    const ncp = Math.ceil(nc / 8) * 8;
    // B: rows of the chunk copied whole when contiguous (bcs = 1, row stride ncp), else packed
    const bRows = bcs === 1;
    if (bRows) {
      for (let k = 0; k < K; k++) {
        const src = bOff + k * brs + j0;
        F.set(b.subarray(src, src + nc), bBase + k * ncp);
        if (ncp > nc) F.fill(0, bBase + k * ncp + nc, bBase + (k + 1) * ncp);
      }
    } else {
      for (let jb = 0; jb < ncp; jb += 8) {
        const panel = bBase + jb * K;
        for (let t = 0; t < 8; t++) {
          const j = j0 + jb + t;
          if (j < N)
            for (let k = 0, p = bOff + j * bcs, q = panel + t; k < K; k++, p += brs, q += 8)
              F[q] = b[p];
          else for (let k = 0, q = panel + t; k < K; k++, q += 8) F[q] = 0;
        }
      }
    }
    const bKS = bRows ? 4 * ncp : 32;
    // C starts as the bias (the kernel adds alpha·A·B to it), or zeros
    if (bias) for (let i = 0; i < Mp; i++) F.set(bias.subarray(j0, j0 + nc), cBase + i * ncp);
    else F.fill(0, cBase, cBase + Mp * ncp);
    for (let i0 = 0; i0 < Mp; i0 += 4) {
      const ap = 4 * (aBase + i0 * K);
      for (let jb = 0; jb < ncp; jb += 8) {
        const bp = 4 * (bBase + (bRows ? jb : jb * K));
        inst.kernel(ap, aRS, aKS, bp, bKS, 4 * (cBase + i0 * ncp + jb), 4 * ncp, K, 0);
      }
    }
    for (let i = 0; i < M; i++)
      out.set(F.subarray(cBase + i * ncp, cBase + i * ncp + nc), oOff + i * ldo + j0);
  }
  return true;
}
