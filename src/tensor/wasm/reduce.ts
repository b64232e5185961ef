// wasm kernels: reductions over the middle axis of x viewed as [outer, n, inner]. Twin of
// src/tensor/cpu/reduce.ts. Sums accumulate in float64 as the cpu's do (float32 lanes widened
// with f64x2.promote_low_f32x4), so results differ from the cpu only by the order of float64
// additions; max keeps the cpu's rule (a later element wins if greater, NaN propagates).
//   inner = 1: one contiguous row per output, threads take rows;
//   inner > 1: each output column sums down the rows, threads take blocks of 16 columns.
// Every output element is computed by the same loop whichever thread runs it.

import { COSTLY_PER_THREAD } from './threads.js';
import { f32, f32x4, f64, f64x2, i32, select, v128 } from './instructions.js';
import type { Runtime, WasmStorage } from './runtime.js';
import { high, rowSum64 } from './simd.js';
import {
  type Code,
  type Local,
  type ModuleWriter,
  type ValType,
  block,
  br,
  brIf,
  forRange,
  loop,
  seq,
  set,
} from './writer.js';

/** reduce_sum_rows(out, x, n, r0, r1): out[r] = Σ_j x[r, j] for rows [r0, r1). */
function emitRowSum(m: ModuleWriter): void {
  const f = m.func('reduce_sum_rows', Array<ValType>(5).fill('i32'));
  const [out, x, n, r0, r1] = f.params;
  const [r, p] = f.locals('i32', 2);
  f.emit(
    forRange(
      r,
      r0,
      r1,
      1,
      set(p, i32.add(x, i32.shl(i32.mul(r, n), 2))),
      f32.store(i32.add(out, i32.shl(r, 2)), f32.demote_f64(rowSum64(f, p, n))),
    ),
  );
}

/** reduce_max_rows(out, x, n, r0, r1): out[r] = max_j x[r, j] (n ≥ 1). */
function emitRowMax(m: ModuleWriter): void {
  const f = m.func('reduce_max_rows', Array<ValType>(5).fill('i32'));
  const [out, x, n, r0, r1] = f.params;
  const [r, p, j] = f.locals('i32', 3);
  const [mv, v] = f.locals('v128', 2);
  const [ms, s] = f.locals('f32', 2);
  const later = (a: Code | Local, b: Code | Local) => v128.or(f32x4.gt(a, b), f32x4.ne(a, a));
  f.emit(
    forRange(
      r,
      r0,
      r1,
      1,
      set(p, i32.add(x, i32.shl(i32.mul(r, n), 2))),
      set(ms, f32.load(p)),
      set(mv, f32x4.splat(ms)),
      set(j, 0),
      block(
        loop(
          brIf(1, i32.gt_s(i32.add(j, 4), n)),
          set(v, v128.load(i32.add(p, i32.shl(j, 2)))),
          set(mv, v128.bitselect(v, mv, later(v, mv))),
          set(j, i32.add(j, 4)),
          br(0),
        ),
      ),
      // lanes in order, then the tail
      ...[0, 1, 2, 3].map((l) =>
        seq(
          set(s, f32x4.extract_lane(mv, l)),
          set(ms, select(s, ms, i32.or(f32.gt(s, ms), f32.ne(s, s)))),
        ),
      ),
      forRange(
        j,
        j,
        n,
        1,
        set(s, f32.load(i32.add(p, i32.shl(j, 2)))),
        set(ms, select(s, ms, i32.or(f32.gt(s, ms), f32.ne(s, s)))),
      ),
      f32.store(i32.add(out, i32.shl(r, 2)), ms),
    ),
  );
}

/**
 * reduce_<op>_cols(out, x, n, inner, u0, u1): for units u = (o, block of 16 columns), out[o, i] =
 * op_j x[o, j, i], column by column in row order (4 columns per vector, then single columns).
 */
function emitColumns(m: ModuleWriter, op: 'sum' | 'max'): void {
  const f = m.func(`reduce_${op}_cols`, Array<ValType>(6).fill('i32'));
  const [out, x, n, inner, u0, u1] = f.params;
  const [u, blocks, o, c, c1, j, p, q] = f.locals('i32', 8);
  const [v, a0, a1] = f.locals('v128', 3);
  const [s64] = f.locals('f64', 1);
  const [s32, t] = f.locals('f32', 2);
  const rowStride = i32.shl(inner, 2);
  // column group c .. c+3 (vector) or column c (scalar) of block o, down the n rows
  const vecColumn: Code =
    op === 'sum'
      ? seq(
          set(a0, f64x2.splat(f64.const(0))),
          set(a1, a0),
          forRange(
            j,
            0,
            n,
            1,
            set(v, v128.load(p)),
            set(a0, f64x2.add(a0, f64x2.promote_low_f32x4(v))),
            set(a1, f64x2.add(a1, f64x2.promote_low_f32x4(high(v)))),
            set(p, i32.add(p, rowStride)),
          ),
          v128.store64_lane0(q, f32x4.demote_f64x2_zero(a0)),
          v128.store64_lane0(q, f32x4.demote_f64x2_zero(a1), 8),
        )
      : seq(
          set(a0, v128.load(p)),
          forRange(
            j,
            1,
            n,
            1,
            set(p, i32.add(p, rowStride)),
            set(v, v128.load(p)),
            set(a0, v128.bitselect(v, a0, v128.or(f32x4.gt(v, a0), f32x4.ne(v, v)))),
          ),
          v128.store(q, a0),
        );
  const scalarColumn: Code =
    op === 'sum'
      ? seq(
          set(s64, f64.const(0)),
          forRange(
            j,
            0,
            n,
            1,
            set(s64, f64.add(s64, f64.promote_f32(f32.load(p)))),
            set(p, i32.add(p, rowStride)),
          ),
          f32.store(q, f32.demote_f64(s64)),
        )
      : seq(
          set(s32, f32.load(p)),
          forRange(
            j,
            1,
            n,
            1,
            set(p, i32.add(p, rowStride)),
            set(t, f32.load(p)),
            set(s32, select(t, s32, i32.or(f32.gt(t, s32), f32.ne(t, t)))),
          ),
          f32.store(q, s32),
        );
  const start = (col: Local) =>
    seq(
      set(p, i32.add(x, i32.shl(i32.add(i32.mul(i32.mul(o, n), inner), col), 2))),
      set(q, i32.add(out, i32.shl(i32.add(i32.mul(o, inner), col), 2))),
    );
  f.emit(
    set(blocks, i32.div_u(i32.add(inner, 15), 16)),
    forRange(
      u,
      u0,
      u1,
      1,
      set(o, i32.div_u(u, blocks)),
      set(c, i32.shl(i32.rem_u(u, blocks), 4)),
      set(c1, i32.min_s(i32.add(c, 16), inner)),
      block(
        loop(
          brIf(1, i32.gt_s(i32.add(c, 4), c1)),
          start(c),
          vecColumn,
          set(c, i32.add(c, 4)),
          br(0),
        ),
      ),
      forRange(c, c, c1, 1, start(c), scalarColumn),
    ),
  );
}

export function emitReduce(m: ModuleWriter): void {
  emitRowSum(m);
  emitRowMax(m);
  emitColumns(m, 'sum');
  emitColumns(m, 'max');
}

// ---- calls

function reduce(
  rt: Runtime,
  op: 'sum' | 'max',
  x: WasmStorage,
  outer: number,
  n: number,
  inner: number,
): WasmStorage {
  const out = rt.alloc(outer * inner);
  if (out.size === 0) return out;
  if (n === 0) {
    rt.run('fill', [out.ptr, op === 'sum' ? 0 : -Infinity], out.size, 1 << 15, 16);
    return out;
  }
  if (inner === 1) {
    rt.run(`reduce_${op}_rows`, [out.ptr, x.ptr, n], outer, Math.ceil(COSTLY_PER_THREAD / n));
  } else {
    const units = outer * Math.ceil(inner / 16);
    const per = Math.ceil(COSTLY_PER_THREAD / (16 * n));
    rt.run(`reduce_${op}_cols`, [out.ptr, x.ptr, n, inner], units, per);
  }
  return out;
}

export function sum(rt: Runtime, x: WasmStorage, outer: number, n: number, inner: number) {
  return reduce(rt, 'sum', x, outer, n, inner);
}

/** Maximum; NaN propagates (as torch.amax). n ≥ 1 (the op checks). */
export function max(rt: Runtime, x: WasmStorage, outer: number, n: number, inner: number) {
  return reduce(rt, 'max', x, outer, n, inner);
}
