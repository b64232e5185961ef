// wasm kernels: LayerNorm over the last axis of x viewed as [rows, n] (biased variance, eps inside
// the square root, elementwise affine), and its backward. Twin of src/tensor/cpu/layernorm.ts:
//   x̂ = (x − μ) · rstd,  rstd = 1/√(σ² + eps),  y = x̂ ⊙ w + b
//   dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)),  ĝ = dy ⊙ w
//   dw = Σ_rows dy ⊙ x̂,  db = Σ_rows dy
// Row statistics (μ, σ² in two passes, the backward's two means) and the parameter gradients
// accumulate in float64 as on the cpu; the per-element work is float32 lanes. Threads take rows
// (forward, backward) or groups of four columns (parameter gradients).

import { COSTLY_PER_THREAD } from './threads.js';
import { f32, f32x4, f64, f64x2, i32, v128 } from './instructions.js';
import { vectorThenScalar } from './rows.js';
import type { Runtime, WasmStorage } from './runtime.js';
import { high, madd, rowSum64, type SimdConfig } from './simd.js';
import {
  type Code,
  type Local,
  type ModuleWriter,
  type ValType,
  block,
  br,
  brIf,
  forRange,
  ifElse,
  loop,
  seq,
  set,
} from './writer.js';

const at = (p: Local, j: Local) => i32.add(p, i32.shl(j, 2));

function emitForward(m: ModuleWriter, cfg: SimdConfig): void {
  // layer_norm(y, mean, rstd, x, w, b, n, eps, r0, r1)
  const f = m.func('layer_norm', [...Array<ValType>(7).fill('i32'), 'f64', 'i32', 'i32']);
  const [y, mean, rstd, x, w, b, n, eps, r0, r1] = f.params;
  const [r, p, q, j] = f.locals('i32', 4);
  const [mu, v, rs] = f.locals('f64', 3);
  const [mu2, a0, a1, xv, muv, rsv, d] = f.locals('v128', 7);
  const [dd] = f.locals('f64', 1);
  const variance = seq(
    // Σ (x − μ)² in float64
    set(mu2, f64x2.splat(mu)),
    set(a0, f64x2.splat(f64.const(0))),
    set(a1, a0),
    set(j, 0),
    block(
      loop(
        brIf(1, i32.gt_s(i32.add(j, 4), n)),
        set(xv, v128.load(at(p, j))),
        set(d, f64x2.sub(f64x2.promote_low_f32x4(xv), mu2)),
        set(a0, f64x2.add(a0, f64x2.mul(d, d))),
        set(d, f64x2.sub(f64x2.promote_low_f32x4(high(xv)), mu2)),
        set(a1, f64x2.add(a1, f64x2.mul(d, d))),
        set(j, i32.add(j, 4)),
        br(0),
      ),
    ),
    set(a0, f64x2.add(a0, a1)),
    set(v, f64.add(f64x2.extract_lane(a0, 0), f64x2.extract_lane(a0, 1))),
    forRange(
      j,
      j,
      n,
      1,
      set(dd, f64.sub(f64.promote_f32(f32.load(at(p, j))), mu)),
      set(v, f64.add(v, f64.mul(dd, dd))),
    ),
  );
  const yv = (xe: Code, we: Code, be: Code) =>
    madd(cfg, f32x4.mul(f32x4.sub(xe, muv), rsv), we, be);
  f.emit(
    forRange(
      r,
      r0,
      r1,
      1,
      set(p, i32.add(x, i32.shl(i32.mul(r, n), 2))),
      set(q, i32.add(y, i32.shl(i32.mul(r, n), 2))),
      set(mu, f64.div(rowSum64(f, p, n), f64.convert_i32_s(n))),
      variance,
      set(rs, f64.div(f64.const(1), f64.sqrt(f64.add(f64.div(v, f64.convert_i32_s(n)), eps)))),
      f32.store(at(mean, r), f32.demote_f64(mu)),
      f32.store(at(rstd, r), f32.demote_f64(rs)),
      set(muv, f32x4.splat(f32.demote_f64(mu))),
      set(rsv, f32x4.splat(f32.demote_f64(rs))),
      vectorThenScalar(
        f,
        n,
        (k) =>
          v128.store(at(q, k), yv(v128.load(at(p, k)), v128.load(at(w, k)), v128.load(at(b, k)))),
        (k) =>
          f32.store(
            at(q, k),
            f32x4.extract_lane(
              yv(
                v128.load32_splat(at(p, k)),
                v128.load32_splat(at(w, k)),
                v128.load32_splat(at(b, k)),
              ),
              0,
            ),
          ),
      ),
    ),
  );
}

function emitBackward(m: ModuleWriter, cfg: SimdConfig): void {
  // layer_norm_backward(dx, dy, x, w, mean, rstd, n, r0, r1)
  const f = m.func('layer_norm_backward', Array<ValType>(9).fill('i32'));
  const [dx, dy, x, w, mean, rstd, n, r0, r1] = f.params;
  const [r, pd, px, q] = f.locals('i32', 4);
  const [muv, rsv, mgv, mgxv] = f.locals('v128', 4);
  const [sg, sgx] = f.locals('f64', 2);
  const rowOf = (base: Local) => i32.add(base, i32.shl(i32.mul(r, n), 2));
  const g = (de: Code, we: Code) => f32x4.mul(de, we);
  const xh = (xe: Code) => f32x4.mul(f32x4.sub(xe, muv), rsv);
  // per element through lanes: ĝ, x̂, then rstd·(ĝ − mean(ĝ) − x̂·mean(ĝx̂))
  const load = (p: Local, k: Local, splat: boolean) =>
    splat ? v128.load32_splat(at(p, k)) : v128.load(at(p, k));
  const gxh = (k: Local, splat: boolean) =>
    f32x4.mul(g(load(pd, k, splat), load(w, k, splat)), xh(load(px, k, splat)));
  const out = (k: Local, splat: boolean) =>
    f32x4.mul(
      rsv,
      madd(
        cfg,
        f32x4.neg(xh(load(px, k, splat))),
        mgxv,
        f32x4.sub(g(load(pd, k, splat), load(w, k, splat)), mgv),
      ),
    );
  f.emit(
    forRange(
      r,
      r0,
      r1,
      1,
      set(pd, rowOf(dy)),
      set(px, rowOf(x)),
      set(q, rowOf(dx)),
      set(muv, v128.load32_splat(at(mean, r))),
      set(rsv, v128.load32_splat(at(rstd, r))),
      set(
        sg,
        rowSum64(
          f,
          pd,
          n,
          (k) => g(load(pd, k, false), load(w, k, false)),
          (k) => f32x4.extract_lane(g(load(pd, k, true), load(w, k, true)), 0),
        ),
      ),
      set(
        sgx,
        rowSum64(
          f,
          pd,
          n,
          (k) => gxh(k, false),
          (k) => f32x4.extract_lane(gxh(k, true), 0),
        ),
      ),
      set(mgv, f32x4.splat(f32.demote_f64(f64.div(sg, f64.convert_i32_s(n))))),
      set(mgxv, f32x4.splat(f32.demote_f64(f64.div(sgx, f64.convert_i32_s(n))))),
      vectorThenScalar(
        f,
        n,
        (k) => v128.store(at(q, k), out(k, false)),
        (k) => f32.store(at(q, k), f32x4.extract_lane(out(k, true), 0)),
      ),
    ),
  );
}

function emitParamGrads(m: ModuleWriter): void {
  // layer_norm_param_grads(dw, db, dy, x, mean, rstd, rows, n, u0, u1): columns 4u .. 4u+3
  const f = m.func('layer_norm_param_grads', Array<ValType>(10).fill('i32'));
  const [dw, db, dy, x, mean, rstd, rows, n, u0, u1] = f.params;
  const [u, c, c1, r, off] = f.locals('i32', 5);
  const [gv, xhv, w0, w1, b0, b1] = f.locals('v128', 6);
  const [sw, sb] = f.locals('f64', 2);
  const [gs] = f.locals('f32', 1);
  const rowStat = (base: Local) => f32.load(at(base, r));
  const vecColumns = seq(
    set(w0, f64x2.splat(f64.const(0))),
    set(w1, w0),
    set(b0, w0),
    set(b1, w0),
    forRange(
      r,
      0,
      rows,
      1,
      set(off, i32.shl(i32.add(i32.mul(r, n), c), 2)),
      set(gv, v128.load(i32.add(dy, off))),
      set(
        xhv,
        f32x4.mul(
          f32x4.sub(v128.load(i32.add(x, off)), v128.load32_splat(at(mean, r))),
          v128.load32_splat(at(rstd, r)),
        ),
      ),
      set(xhv, f32x4.mul(gv, xhv)),
      set(w0, f64x2.add(w0, f64x2.promote_low_f32x4(xhv))),
      set(w1, f64x2.add(w1, f64x2.promote_low_f32x4(high(xhv)))),
      set(b0, f64x2.add(b0, f64x2.promote_low_f32x4(gv))),
      set(b1, f64x2.add(b1, f64x2.promote_low_f32x4(high(gv)))),
    ),
    v128.store64_lane0(at(dw, c), f32x4.demote_f64x2_zero(w0)),
    v128.store64_lane0(at(dw, c), f32x4.demote_f64x2_zero(w1), 8),
    v128.store64_lane0(at(db, c), f32x4.demote_f64x2_zero(b0)),
    v128.store64_lane0(at(db, c), f32x4.demote_f64x2_zero(b1), 8),
  );
  const scalarColumn = seq(
    set(sw, f64.const(0)),
    set(sb, f64.const(0)),
    forRange(
      r,
      0,
      rows,
      1,
      set(off, i32.shl(i32.add(i32.mul(r, n), c), 2)),
      set(gs, f32.load(i32.add(dy, off))),
      set(
        sw,
        f64.add(
          sw,
          f64.promote_f32(
            f32.mul(gs, f32.mul(f32.sub(f32.load(i32.add(x, off)), rowStat(mean)), rowStat(rstd))),
          ),
        ),
      ),
      set(sb, f64.add(sb, f64.promote_f32(gs))),
    ),
    f32.store(at(dw, c), f32.demote_f64(sw)),
    f32.store(at(db, c), f32.demote_f64(sb)),
  );
  f.emit(
    forRange(
      u,
      u0,
      u1,
      1,
      set(c, i32.shl(u, 2)),
      set(c1, i32.add(c, 4)),
      ifElse(i32.le_s(c1, n), [vecColumns], [forRange(c, c, n, 1, scalarColumn)]),
    ),
  );
}

export function emitLayerNorm(m: ModuleWriter, cfg: SimdConfig): void {
  emitForward(m, cfg);
  emitBackward(m, cfg);
  emitParamGrads(m);
}

// ---- calls

export function layerNorm(
  rt: Runtime,
  x: WasmStorage,
  w: WasmStorage,
  b: WasmStorage,
  rows: number,
  n: number,
  eps: number,
): { y: WasmStorage; mean: WasmStorage; rstd: WasmStorage } {
  const y = rt.alloc(rows * n);
  const mean = rt.alloc(rows);
  const rstd = rt.alloc(rows);
  if (n > 0) {
    const args = [y.ptr, mean.ptr, rstd.ptr, x.ptr, w.ptr, b.ptr, n, eps];
    rt.run('layer_norm', args, rows, Math.ceil(COSTLY_PER_THREAD / n));
  }
  return { y, mean, rstd };
}

export function layerNormBackward(
  rt: Runtime,
  dy: WasmStorage,
  x: WasmStorage,
  w: WasmStorage,
  mean: WasmStorage,
  rstd: WasmStorage,
  rows: number,
  n: number,
): WasmStorage {
  const dx = rt.alloc(rows * n);
  if (dx.size > 0) {
    const args = [dx.ptr, dy.ptr, x.ptr, w.ptr, mean.ptr, rstd.ptr, n];
    rt.run('layer_norm_backward', args, rows, Math.ceil(COSTLY_PER_THREAD / n));
  }
  return dx;
}

export function layerNormParamGrads(
  rt: Runtime,
  dy: WasmStorage,
  x: WasmStorage,
  mean: WasmStorage,
  rstd: WasmStorage,
  rows: number,
  n: number,
): { dweight: WasmStorage; dbias: WasmStorage } {
  const dweight = rt.alloc(n);
  const dbias = rt.alloc(n);
  if (n > 0) {
    const args = [dweight.ptr, dbias.ptr, dy.ptr, x.ptr, mean.ptr, rstd.ptr, rows, n];
    const units = Math.ceil(n / 4);
    rt.run('layer_norm_param_grads', args, units, Math.ceil(COSTLY_PER_THREAD / (4 * rows + 1)));
  }
  return { dweight, dbias };
}
