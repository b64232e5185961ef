// wasm kernels: softmax and log-softmax over the last axis of x viewed as [rows, n], and their
// backward rules. Twin of src/tensor/cpu/softmax.ts, same formulas:
//   softmax:     y = exp(x − m) / Σ exp(x − m)         dx = y ⊙ (dy − Σ dy ⊙ y)
//   logSoftmax:  y = x − m − log Σ exp(x − m)          dx = dy − exp(y) · Σ dy
// exp is the vectorised one of simd.ts (the tail of a row goes through the same lanes, one
// element at a time); sums accumulate in float64 as on the cpu, and log Σ is the host's Math.log.
// Threads take rows.

import { COSTLY_PER_THREAD } from './threads.js';
import { f32, f32x4, f64, f64x2, i32, i8x16, v128 } from './instructions.js';
import { vectorThenScalar } from './rows.js';
import type { Runtime, WasmStorage } from './runtime.js';
import { exp, high, madd, rowSum64, type SimdConfig } from './simd.js';
import {
  type Code,
  type Func,
  type Local,
  type ModuleWriter,
  type ValType,
  block,
  br,
  brIf,
  call,
  forRange,
  loop,
  seq,
  set,
} from './writer.js';

/** Address of element j of the row at p. */
const at = (p: Local, j: Local) => i32.add(p, i32.shl(j, 2));

/** The maximum of a row (NaN if any element is NaN): leaves an f32x4 with it in every lane. */
function rowMax(f: Func, p: Local, n: Local): Code {
  const [mv, v] = f.locals('v128', 2);
  const j = f.local('i32');
  const lanesMax = (a: Local, lanes: number[]) => f32x4.max(a, i8x16.shuffle(a, a, lanes));
  return seq(
    set(mv, v128.load32_splat(p)),
    set(j, 0),
    block(
      loop(
        brIf(1, i32.gt_s(i32.add(j, 4), n)),
        set(mv, f32x4.max(mv, v128.load(at(p, j)))),
        set(j, i32.add(j, 4)),
        br(0),
      ),
    ),
    forRange(j, j, n, 1, set(mv, f32x4.max(mv, v128.load32_splat(at(p, j))))),
    set(v, lanesMax(mv, [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7])),
    lanesMax(v, [4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11]),
  );
}

/** One element of a row through the lanes of `vec` (so the tail is computed like the body). */
const viaLanes = (vec: (v: Code) => Code, x: Code): Code =>
  f32x4.extract_lane(vec(f32x4.splat(x)), 0);

function emitSoftmax(m: ModuleWriter, cfg: SimdConfig, log: number): void {
  for (const kind of ['softmax', 'log_softmax'] as const) {
    const f = m.func(kind, Array<ValType>(5).fill('i32'));
    const [out, x, n, r0, r1] = f.params;
    const [r, p, q] = f.locals('i32', 3);
    const mv = f.local('v128');
    const s = f.local('f64');
    const e = (v: Code) => exp(f, cfg, f32x4.sub(v, mv));
    const body: Code =
      kind === 'softmax'
        ? seq(
            // out = exp(x − m) and s = Σ out (float64) in one pass, then out *= 1/s
            set(
              s,
              rowSum64(
                f,
                p,
                n,
                (j) => e(v128.load(at(p, j))),
                (j) => viaLanes(e, f32.load(at(p, j))),
                q,
              ),
            ),
            set(mv, f32x4.splat(f32.demote_f64(f64.div(f64.const(1), s)))),
            vectorThenScalar(
              f,
              n,
              (j) => v128.store(at(q, j), f32x4.mul(v128.load(at(q, j)), mv)),
              (j) => f32.store(at(q, j), f32.mul(f32.load(at(q, j)), f32x4.extract_lane(mv, 0))),
            ),
          )
        : seq(
            // lse = m + log Σ exp(x − m) (float64), out = x − lse (float64, rounded once)
            set(
              s,
              rowSum64(
                f,
                p,
                n,
                (j) => e(v128.load(at(p, j))),
                (j) => viaLanes(e, f32.load(at(p, j))),
              ),
            ),
            set(s, f64.add(f64.promote_f32(f32x4.extract_lane(mv, 0)), call(log, s))),
            logSoftmaxStore(f, p, q, n, s),
          );
    f.emit(
      forRange(
        r,
        r0,
        r1,
        1,
        set(p, i32.add(x, i32.shl(i32.mul(r, n), 2))),
        set(q, i32.add(out, i32.shl(i32.mul(r, n), 2))),
        set(mv, rowMax(f, p, n)),
        body,
      ),
    );
  }
}

/** out[j] = x[j] − lse computed in float64 and rounded once, as the cpu does. */
function logSoftmaxStore(f: Func, p: Local, q: Local, n: Local, lse: Local): Code {
  const [v, l] = f.locals('v128', 2);
  return seq(
    set(l, f64x2.splat(lse)),
    vectorThenScalar(
      f,
      n,
      (j) =>
        seq(
          set(v, v128.load(at(p, j))),
          v128.store(
            at(q, j),
            i8x16.shuffle(
              f32x4.demote_f64x2_zero(f64x2.sub(f64x2.promote_low_f32x4(v), l)),
              f32x4.demote_f64x2_zero(f64x2.sub(f64x2.promote_low_f32x4(high(v)), l)),
              [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23],
            ),
          ),
        ),
      (j) => f32.store(at(q, j), f32.demote_f64(f64.sub(f64.promote_f32(f32.load(at(p, j))), lse))),
    ),
  );
}

function emitBackward(m: ModuleWriter, cfg: SimdConfig): void {
  // softmax_backward(out, y, dy, n, r0, r1): out = y·(dy − Σ dy·y)
  // log_softmax_backward(out, y, dy, n, r0, r1): out = dy − exp(y)·Σ dy
  for (const kind of ['softmax_backward', 'log_softmax_backward'] as const) {
    const f = m.func(kind, Array<ValType>(6).fill('i32'));
    const [out, y, dy, n, r0, r1] = f.params;
    const [r, py, pd, q] = f.locals('i32', 4);
    const sv = f.local('v128');
    const soft = kind === 'softmax_backward';
    const total = soft
      ? rowSum64(
          f,
          py,
          n,
          (j) => f32x4.mul(v128.load(at(py, j)), v128.load(at(pd, j))),
          (j) => f32.mul(f32.load(at(py, j)), f32.load(at(pd, j))),
        )
      : rowSum64(f, pd, n);
    const vec = (yv: Code, dv: Code): Code =>
      soft ? f32x4.mul(yv, f32x4.sub(dv, sv)) : madd(cfg, f32x4.neg(exp(f, cfg, yv)), sv, dv);
    f.emit(
      forRange(
        r,
        r0,
        r1,
        1,
        set(py, i32.add(y, i32.shl(i32.mul(r, n), 2))),
        set(pd, i32.add(dy, i32.shl(i32.mul(r, n), 2))),
        set(q, i32.add(out, i32.shl(i32.mul(r, n), 2))),
        set(sv, f32x4.splat(f32.demote_f64(total))),
        vectorThenScalar(
          f,
          n,
          (j) => v128.store(at(q, j), vec(v128.load(at(py, j)), v128.load(at(pd, j)))),
          (j) =>
            f32.store(
              at(q, j),
              f32x4.extract_lane(
                vec(v128.load32_splat(at(py, j)), v128.load32_splat(at(pd, j))),
                0,
              ),
            ),
        ),
      ),
    );
  }
}

export function emitSoftmaxKernels(m: ModuleWriter, cfg: SimdConfig, log: number): void {
  emitSoftmax(m, cfg, log);
  emitBackward(m, cfg);
}

// ---- calls

function rows(rt: Runtime, name: string, ins: WasmStorage[], rowCount: number, n: number) {
  const out = rt.alloc(rowCount * n);
  if (out.size === 0) return out;
  const args = [out.ptr, ...ins.map((s) => s.ptr), n];
  rt.run(name, args, rowCount, Math.ceil(COSTLY_PER_THREAD / n));
  return out;
}

export function softmax(rt: Runtime, x: WasmStorage, rowCount: number, n: number) {
  return rows(rt, 'softmax', [x], rowCount, n);
}
export function logSoftmax(rt: Runtime, x: WasmStorage, rowCount: number, n: number) {
  return rows(rt, 'log_softmax', [x], rowCount, n);
}
export function softmaxBackward(
  rt: Runtime,
  y: WasmStorage,
  dy: WasmStorage,
  rowCount: number,
  n: number,
) {
  return rows(rt, 'softmax_backward', [y, dy], rowCount, n);
}
export function logSoftmaxBackward(
  rt: Runtime,
  y: WasmStorage,
  dy: WasmStorage,
  rowCount: number,
  n: number,
) {
  return rows(rt, 'log_softmax_backward', [y, dy], rowCount, n);
}
