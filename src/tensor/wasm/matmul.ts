// wasm kernel: the matrix product of the kernel contract (src/tensor/backend.ts matmul):
//   out[t0, t1] = alpha · a[t0, t1] · b[t0, t1] (+ bias on every row),
// operands read in place through strides (two batch dimensions, any row and column stride),
// the output written through its layout. Twin of src/tensor/cpu/matmul.ts.
//
// Blocked as in Goto & van de Geijn, "Anatomy of high-performance matrix multiplication" (2008):
// for each block of NC columns and KC of the inner dimension, B's block is packed into panels of
// NR = 8 columns ([k][8] floats), then for each block of MC rows A's block into panels of MR rows
// ([k][MR]); the micro-kernel keeps an MR×8 block of the output in 2·MR f32x4 registers and per k
// loads two vectors of B, splats MR scalars of A and does 2·MR multiply-adds (fused where relaxed
// SIMD is available). Packing reads any strides, so transposed operands cost nothing extra; edges
// are zero-padded panels whose extra rows and columns are not stored. The epilogue adds the
// previous K blocks' partial sums, then scales by alpha and adds the bias after the last one.
// One call runs a whole range of (batch entry, block of MC rows) units: threads take contiguous
// ranges, and since blocks start at multiples of MC, every output element is computed by the same
// instructions in the same order whatever the number of threads.
// Packing, loop nest and micro-kernel stay in this one file, past the 500-line aim: they are one
// algorithm, and docs/READING.md holds every op to five files (the 4×4 transpose is in simd.ts).

import type { GemmOperand, GemmOutLayout, GemmShape } from '../backend.js';
import { CHEAP_PER_THREAD } from './threads.js';
import { f32, f32x4, i32, v128 } from './instructions.js';
import type { Runtime, WasmStorage } from './runtime.js';
import { madd, type SimdConfig, transpose4 } from './simd.js';
import {
  type Code,
  type Expr,
  type Func,
  type Local,
  type ModuleWriter,
  type ValType,
  block,
  br,
  brIf,
  forRange,
  ifElse,
  ifValue,
  loop,
  seq,
  set,
} from './writer.js';

/**
 * Rows of the micro-kernel's register block: 8 accumulators, 2 vectors of B and the splats of A
 * fit the 16 SIMD registers of x86-64 (measured: 5 or 6 rows spill in V8 and run at half speed).
 */
export const MR = 4;
/** Columns of the register block: two f32x4. */
export const NR = 8;
/** Rows of A packed at a time (a multiple of MR; the packed block stays in L2). */
export const MC = 16 * MR;
/** Inner dimension packed at a time (an MR×KC panel and a KC×8 panel stay in L1). */
export const KC = 256;
/** Columns of B packed at a time (KC×NC floats: 256 KiB, in L2). */
export const NC = 256;
/** Bytes of scratch per thread: packed A, packed B, and one tile for partial stores. */
export const SCRATCH_BYTES = 4 * (MC * KC + KC * NC + MR * NR);

const PARAMS: ValType[] = [
  ...Array<ValType>(21).fill('i32'),
  'f32',
  ...Array<ValType>(5).fill('i32'),
];

export function emitMatmul(m: ModuleWriter, cfg: SimdConfig): void {
  const f = m.func('gemm', PARAMS);
  const [a, aB0, aB1, aRS, aCS, b, bB0, bB1, bRS, bCS, o, oB0, oB1, oRS, oCS] = f.params;
  const [bias, hasBias, M, K, N, batch1, alpha, scratch, scratchBytes, u0, u1, thread] =
    f.params.slice(15);
  const L = (n: number) => f.locals('i32', n);
  const [u, uEnd, t, RB, rowStart, rowEnd, aT, bT, oT] = L(9);
  const [jc, nc, pc, kc, ic, mc, jr, ir, first, last] = L(10);
  const [Ap, Bp, tile, cp, mv, nv] = L(6);
  const min = (x: Expr, y: Expr) => i32.min_s(x, y);

  f.emit(
    set(Ap, i32.add(scratch, i32.mul(thread, scratchBytes))),
    set(Bp, i32.add(Ap, 4 * MC * KC)),
    set(tile, i32.add(Bp, 4 * KC * NC)),
    set(RB, i32.div_u(i32.add(M, MC - 1), MC)),
    set(u, u0),
    block(
      loop(
        brIf(1, i32.ge_u(u, u1)),
        // unit u = (batch entry t, block of MC rows); this call takes rows [rowStart, rowEnd)
        set(t, i32.div_u(u, RB)),
        set(rowStart, i32.mul(i32.sub(u, i32.mul(t, RB)), MC)),
        set(uEnd, min(u1, i32.mul(i32.add(t, 1), RB))),
        set(rowEnd, min(i32.mul(i32.sub(uEnd, i32.mul(t, RB)), MC), M)),
        set(aT, entry(a, aB0, aB1, t, batch1)),
        set(bT, entry(b, bB0, bB1, t, batch1)),
        set(oT, entry(o, oB0, oB1, t, batch1)),
        forRange(
          jc,
          0,
          N,
          NC,
          set(nc, min(NC, i32.sub(N, jc))),
          // at least one pass over K, so that K = 0 stores alpha·0 (+ bias)
          forRange(
            pc,
            0,
            i32.add(K, i32.eqz(K)),
            KC,
            set(kc, min(KC, i32.sub(K, pc))),
            set(first, i32.eqz(pc)),
            set(last, i32.ge_s(i32.add(pc, KC), K)),
            packB(
              f,
              Bp,
              i32.add(i32.add(bT, i32.mul(pc, bRS)), i32.mul(jc, bCS)),
              bRS,
              bCS,
              kc,
              nc,
            ),
            forRange(
              ic,
              rowStart,
              rowEnd,
              MC,
              set(mc, min(MC, i32.sub(rowEnd, ic))),
              packA(
                f,
                Ap,
                i32.add(i32.add(aT, i32.mul(ic, aRS)), i32.mul(pc, aCS)),
                aRS,
                aCS,
                mc,
                kc,
              ),
              forRange(
                jr,
                0,
                nc,
                NR,
                forRange(
                  ir,
                  0,
                  mc,
                  MR,
                  set(
                    cp,
                    i32.add(
                      i32.add(oT, i32.mul(i32.add(ic, ir), oRS)),
                      i32.mul(i32.add(jc, jr), oCS),
                    ),
                  ),
                  set(mv, min(MR, i32.sub(mc, ir))),
                  set(nv, min(NR, i32.sub(nc, jr))),
                  microKernel(
                    f,
                    cfg,
                    i32.add(Ap, i32.mul(ir, i32.shl(kc, 2))),
                    i32.add(Bp, i32.mul(jr, i32.shl(kc, 2))),
                    kc,
                    {
                      cp,
                      oRS,
                      oCS,
                      mv,
                      nv,
                      first,
                      last,
                      alpha,
                      hasBias,
                      bias: i32.add(bias, i32.shl(i32.add(jc, jr), 2)),
                      tile,
                    },
                  ),
                ),
              ),
            ),
          ),
        ),
        set(u, uEnd),
        br(0),
      ),
    ),
  );
}

/** Byte address of batch entry t = t0·batch1 + t1 of an operand. */
function entry(base: Local, s0: Local, s1: Local, t: Local, batch1: Local): Code {
  return i32.add(
    i32.add(base, i32.mul(i32.div_u(t, batch1), s0)),
    i32.mul(i32.rem_u(t, batch1), s1),
  );
}

/**
 * Packs rows × kc of A (element (i, k) at src + i·rs + k·cs) into panels of MR = 4 rows, [k][4]:
 * one vector per k when A's columns are contiguous (a transposed operand), 4×4 transposes when
 * its rows are, element by element otherwise and for a partial last panel (zero rows).
 */
function packA(f: Func, dst: Local, src: Code, rs: Local, cs: Local, rows: Local, kc: Local): Code {
  const [base, ir, r, k, d, s, s1, s2, s3] = f.locals('i32', 9);
  const vecs = f.locals('v128', 4);
  const row = (rr: Code | Local) => i32.add(ir, rr);
  const at = (kk: Code | Local) => i32.add(d, i32.shl(kk, 4));
  const generic = forRange(
    k,
    0,
    kc,
    1,
    set(s, i32.add(base, i32.mul(k, cs))),
    forRange(
      r,
      0,
      MR,
      1,
      f32.store(
        i32.add(at(k), i32.shl(r, 2)),
        selectF32(i32.lt_s(row(r), rows), f32.load(i32.add(s, i32.mul(row(r), rs)))),
      ),
    ),
  );
  const columns = seq(
    set(s, i32.add(base, i32.shl(ir, 2))),
    forRange(k, 0, kc, 1, v128.store(at(k), v128.load(s)), set(s, i32.add(s, cs))),
  );
  const transposes = seq(
    set(s, i32.add(base, i32.mul(ir, rs))),
    set(s1, i32.add(s, rs)),
    set(s2, i32.add(s1, rs)),
    set(s3, i32.add(s2, rs)),
    set(k, 0),
    block(
      loop(
        brIf(1, i32.gt_s(i32.add(k, 4), kc)),
        ...[s, s1, s2, s3].map((p, i) => set(vecs[i], v128.load(i32.add(p, i32.shl(k, 2))))),
        transpose4(f, vecs, (i, v) => v128.store(at(k), v, 16 * i)),
        set(k, i32.add(k, 4)),
        br(0),
      ),
    ),
    forRange(
      k,
      k,
      kc,
      1,
      ...[s, s1, s2, s3].map((p, i) =>
        f32.store(i32.add(at(k), 4 * i), f32.load(i32.add(p, i32.shl(k, 2)))),
      ),
    ),
  );
  return seq(
    set(base, src),
    forRange(
      ir,
      0,
      rows,
      MR,
      set(d, i32.add(dst, i32.shl(i32.mul(ir, kc), 2))),
      ifElse(
        i32.gt_s(i32.add(ir, MR), rows),
        [generic],
        [ifElse(i32.eq(rs, 4), [columns], [ifElse(i32.eq(cs, 4), [transposes], [generic])])],
      ),
    ),
  );
}

/** The loaded value when cond, else 0 (without reading: a padded row may lie past the matrix). */
const selectF32 = (cond: Code, load: Code): Code => ifValue('f32', cond, [load], [f32.const(0)]);

/** Packs kc × cols of B (element (k, j) at src + k·rs + j·cs) into panels of 8 columns, [k][8]. */
function packB(f: Func, dst: Local, src: Code, rs: Local, cs: Local, kc: Local, cols: Local): Code {
  const [base, jr, c, k, d, s] = f.locals('i32', 6);
  const ptrs = f.locals('i32', NR);
  const rows = f.locals('v128', 4);
  const col = (cc: Code | Local | number) => i32.add(jr, cc);
  // columns contiguous along k (a transposed operand, the weight of x·Wᵀ): 4 k of 4 columns at a
  // time, transposed into the panel's [k][8]; the last k one by one
  const columns = seq(
    ...ptrs.map((p, i) => set(p, i32.add(base, i32.mul(col(i), cs)))),
    set(k, 0),
    block(
      loop(
        brIf(1, i32.gt_s(i32.add(k, 4), kc)),
        ...[0, 1].map((half) =>
          seq(
            ...rows.map((r, i) => set(r, v128.load(i32.add(ptrs[4 * half + i], i32.shl(k, 2))))),
            transpose4(f, rows, (i, v) =>
              v128.store(i32.add(d, i32.shl(i32.add(k, i), 5)), v, 16 * half),
            ),
          ),
        ),
        set(k, i32.add(k, 4)),
        br(0),
      ),
    ),
    forRange(
      k,
      k,
      kc,
      1,
      ...ptrs.map((p, i) =>
        f32.store(i32.add(d, i32.shl(k, 5)), f32.load(i32.add(p, i32.shl(k, 2))), 4 * i),
      ),
    ),
  );
  return seq(
    set(base, src),
    forRange(
      jr,
      0,
      cols,
      NR,
      set(d, i32.add(dst, i32.shl(i32.mul(jr, kc), 2))),
      ifElse(
        i32.and(i32.eq(rs, 4), i32.le_s(i32.add(jr, NR), cols)),
        [columns],
        [
          ifElse(
            i32.and(i32.eq(cs, 4), i32.le_s(i32.add(jr, NR), cols)),
            [
              // a whole panel of contiguous rows: two vectors per k
              set(s, i32.add(base, i32.shl(jr, 2))),
              forRange(
                k,
                0,
                kc,
                1,
                v128.store(i32.add(d, i32.shl(k, 5)), v128.load(s)),
                v128.store(i32.add(d, i32.shl(k, 5)), v128.load(s, 16), 16),
                set(s, i32.add(s, rs)),
              ),
            ],
            [
              forRange(
                c,
                0,
                NR,
                1,
                set(s, i32.add(base, i32.mul(col(c), cs))),
                forRange(
                  k,
                  0,
                  kc,
                  1,
                  f32.store(
                    i32.add(d, i32.shl(i32.add(i32.shl(k, 3), c), 2)),
                    selectF32(i32.lt_s(col(c), cols), f32.load(i32.add(s, i32.mul(k, rs)))),
                  ),
                ),
              ),
            ],
          ),
        ],
      ),
    ),
  );
}

interface Epilogue {
  cp: Local;
  oRS: Local;
  oCS: Local;
  mv: Local;
  nv: Local;
  first: Local;
  last: Local;
  alpha: Local;
  hasBias: Local;
  bias: Code;
  tile: Local;
}

/** The MR×8 block of the product of two packed panels over kc, then stored (see Epilogue). */
function microKernel(
  f: Func,
  cfg: SimdConfig,
  apIn: Code,
  bpIn: Code,
  kc: Local,
  e: Epilogue,
): Code {
  const acc = f.locals('v128', 2 * MR);
  const [b0, b1, av, v0, v1, al, bi0, bi1] = f.locals('v128', 8);
  const [ap, bp, k, row, bptr] = f.locals('i32', 5);
  const [r, c, addr] = f.locals('i32', 3);
  const sv = f.local('f32');
  const kernel = seq(
    ...acc.map((x) => set(x, f32x4.const(0))),
    set(ap, apIn),
    set(bp, bpIn),
    forRange(
      k,
      0,
      kc,
      1,
      set(b0, v128.load(bp)),
      set(b1, v128.load(bp, 16)),
      ...Array.from({ length: MR }, (_, i) =>
        seq(
          set(av, v128.load32_splat(ap, 4 * i)),
          set(acc[2 * i], madd(cfg, av, b0, acc[2 * i])),
          set(acc[2 * i + 1], madd(cfg, av, b1, acc[2 * i + 1])),
        ),
      ),
      set(ap, i32.add(ap, 4 * MR)),
      set(bp, i32.add(bp, 4 * NR)),
    ),
  );
  // full block, contiguous columns: vectors straight to the output
  const vectorStore = seq(
    set(al, f32x4.splat(e.alpha)),
    set(bptr, e.bias),
    ifElse(e.hasBias, [set(bi0, v128.load(bptr)), set(bi1, v128.load(bptr, 16))]),
    ...Array.from({ length: MR }, (_, i) =>
      seq(
        set(row, i32.add(e.cp, i32.mul(e.oRS, i))),
        set(v0, acc[2 * i]),
        set(v1, acc[2 * i + 1]),
        ifElse(i32.eqz(e.first), [
          set(v0, f32x4.add(v0, v128.load(row))),
          set(v1, f32x4.add(v1, v128.load(row, 16))),
        ]),
        ifElse(e.last, [
          set(v0, f32x4.mul(v0, al)),
          set(v1, f32x4.mul(v1, al)),
          ifElse(e.hasBias, [set(v0, f32x4.add(v0, bi0)), set(v1, f32x4.add(v1, bi1))]),
        ]),
        v128.store(row, v0),
        v128.store(row, v1, 16),
      ),
    ),
  );
  // an edge block or a strided output: through the tile, element by element, same operations
  const scalarStore = seq(
    ...acc.map((x, i) => v128.store(e.tile, x, 16 * i)),
    set(bptr, e.bias),
    forRange(
      r,
      0,
      e.mv,
      1,
      forRange(
        c,
        0,
        e.nv,
        1,
        set(addr, i32.add(i32.add(e.cp, i32.mul(r, e.oRS)), i32.mul(c, e.oCS))),
        set(sv, f32.load(i32.add(e.tile, i32.shl(i32.add(i32.shl(r, 3), c), 2)))),
        ifElse(i32.eqz(e.first), [set(sv, f32.add(sv, f32.load(addr)))]),
        ifElse(e.last, [
          set(sv, f32.mul(sv, e.alpha)),
          ifElse(e.hasBias, [set(sv, f32.add(sv, f32.load(i32.add(bptr, i32.shl(c, 2)))))]),
        ]),
        f32.store(addr, sv),
      ),
    ),
  );
  return seq(
    kernel,
    ifElse(
      i32.and(i32.and(i32.eq(e.mv, MR), i32.eq(e.nv, NR)), i32.eq(e.oCS, 4)),
      [vectorStore],
      [scalarStore],
    ),
  );
}

// ---- calls

/**
 * out = alpha·a·b (+ bias) for every batch entry, written in `layout` (strides in elements).
 * Threads take ranges of (batch entry, block of MC rows).
 */
export function matmul(
  rt: Runtime,
  a: GemmOperand<WasmStorage>,
  b: GemmOperand<WasmStorage>,
  shape: GemmShape,
  bias: WasmStorage | null,
  layout: GemmOutLayout,
): WasmStorage {
  const out = rt.alloc(layout.size);
  const { batch, M, K, N, alpha } = shape;
  const entries = batch[0] * batch[1];
  if (entries === 0 || M === 0 || N === 0) return out;
  const op = (x: GemmOperand<WasmStorage>) => [
    x.data.ptr + 4 * x.offset,
    4 * x.batchStrides[0],
    4 * x.batchStrides[1],
    4 * x.rowStride,
    4 * x.colStride,
  ];
  const o = layout;
  const args = [
    ...op(a),
    ...op(b),
    out.ptr,
    4 * o.batchStrides[0],
    4 * o.batchStrides[1],
    4 * o.rowStride,
    4 * o.colStride,
    bias ? bias.ptr : 0,
    bias ? 1 : 0,
    M,
    K,
    N,
    batch[1],
    alpha,
    rt.scratch(SCRATCH_BYTES),
    SCRATCH_BYTES,
  ];
  const units = entries * Math.ceil(M / MC);
  // at least ~2 M multiply-adds per thread (a hand-over costs a few microseconds)
  const perUnit = Math.min(M, MC) * Math.max(K, 1) * N;
  rt.run('gemm', args, units, Math.ceil((64 * CHEAP_PER_THREAD) / perUnit));
  return out;
}
