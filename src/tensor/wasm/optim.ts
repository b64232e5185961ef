// wasm kernels: parameter updates outside autograd, one AdamW step and the teacher EMA. Twin of
// src/tensor/cpu/optim.ts, in the same order of operations (torch.optim.AdamW, single-tensor path):
//   p ← p·(1 − lr·wd);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²
//   p ← p − (lr / (1−β₁ⁿ)) · m / (√v / √(1−β₂ⁿ) + ε)
//   teacher ← teacher·m + student·(1 − m)
// Both run in float64 lanes (f64x2), as the cpu computes them in JavaScript numbers, with m and v
// rounded to float32 before p uses them: every operation is the cpu's, so the results are the
// cpu's to the bit. Threads take ranges of elements.

import type { AdamWParams } from '../backend.js';
import { CHEAP_PER_THREAD } from './threads.js';
import { f32x4, f64, f64x2, i32, i8x16, v128 } from './instructions.js';
import type { Runtime, WasmStorage } from './runtime.js';
import { high } from './simd.js';
import {
  type Code,
  type Func,
  type Local,
  type ModuleWriter,
  type ValType,
  forRange,
  set,
} from './writer.js';

/** f64x2 lanes of the low or high half of an f32x4. */
const wide = (v: Local, half: 0 | 1): Code => f64x2.promote_low_f32x4(half ? high(v) : v);
/** Two f64x2 rounded to float32 and joined into one f32x4. */
const narrow = (lo: Code, hi: Code): Code =>
  i8x16.shuffle(
    f32x4.demote_f64x2_zero(lo),
    f32x4.demote_f64x2_zero(hi),
    [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23],
  );
const splat = (x: Local) => f64x2.splat(x);

function emitAdamW(m: ModuleWriter): void {
  // adamw(pOut, mOut, vOut, p, g, m, v, decay, stepSize, bc2Sqrt, b1, b2, eps, start, end)
  const f: Func = m.func('adamw', [
    ...Array<ValType>(7).fill('i32'),
    ...Array<ValType>(6).fill('f64'),
    'i32',
    'i32',
  ]);
  const [pOut, mOut, vOut, p, g, mm, vv, decay, stepSize, bc2Sqrt, b1, b2, eps, start, end] =
    f.params;
  const [i, off] = f.locals('i32', 2);
  const [pv, gv, mv, vvv, mNew, vNew] = f.locals('v128', 6);
  const half = (h: 0 | 1): { m: Code; v: Code } => ({
    // β₁m + g(1 − β₁), β₂v + (1 − β₂)g·g
    m: f64x2.add(
      f64x2.mul(wide(mv, h), splat(b1)),
      f64x2.mul(wide(gv, h), f64x2.splat(f64.sub(f64.const(1), b1))),
    ),
    v: f64x2.add(
      f64x2.mul(wide(vvv, h), splat(b2)),
      f64x2.mul(f64x2.mul(f64x2.splat(f64.sub(f64.const(1), b2)), wide(gv, h)), wide(gv, h)),
    ),
  });
  // p·decay − stepSize · (m / (√v / bc2Sqrt + eps)), from the float32 m and v just stored
  const pHalf = (h: 0 | 1): Code =>
    f64x2.sub(
      f64x2.mul(wide(pv, h), splat(decay)),
      f64x2.mul(
        splat(stepSize),
        f64x2.div(
          wide(mNew, h),
          f64x2.add(f64x2.div(f64x2.sqrt(wide(vNew, h)), splat(bc2Sqrt)), splat(eps)),
        ),
      ),
    );
  f.emit(
    forRange(
      i,
      start,
      end,
      4,
      set(off, i32.shl(i, 2)),
      set(pv, v128.load(i32.add(p, off))),
      set(gv, v128.load(i32.add(g, off))),
      set(mv, v128.load(i32.add(mm, off))),
      set(vvv, v128.load(i32.add(vv, off))),
      set(mNew, narrow(half(0).m, half(1).m)),
      set(vNew, narrow(half(0).v, half(1).v)),
      v128.store(i32.add(mOut, off), mNew),
      v128.store(i32.add(vOut, off), vNew),
      v128.store(i32.add(pOut, off), narrow(pHalf(0), pHalf(1))),
    ),
  );
}

function emitEma(m: ModuleWriter): void {
  // ema(out, t, s, momentum, start, end): t·momentum + s·(1 − momentum)
  const f = m.func('ema', ['i32', 'i32', 'i32', 'f64', 'i32', 'i32']);
  const [out, t, s, mom, start, end] = f.params;
  const [i, off] = f.locals('i32', 2);
  const [tv, sv] = f.locals('v128', 2);
  const [w] = f.locals('f64', 1);
  const half = (h: 0 | 1) =>
    f64x2.add(f64x2.mul(wide(tv, h), splat(mom)), f64x2.mul(wide(sv, h), splat(w)));
  f.emit(
    set(w, f64.sub(f64.const(1), mom)),
    forRange(
      i,
      start,
      end,
      4,
      set(off, i32.shl(i, 2)),
      set(tv, v128.load(i32.add(t, off))),
      set(sv, v128.load(i32.add(s, off))),
      v128.store(i32.add(out, off), narrow(half(0), half(1))),
    ),
  );
}

export function emitOptim(m: ModuleWriter): void {
  emitAdamW(m);
  emitEma(m);
}

// ---- calls

export function adamw(
  rt: Runtime,
  p: WasmStorage,
  g: WasmStorage,
  m: WasmStorage,
  v: WasmStorage,
  hp: AdamWParams,
): { p: WasmStorage; m: WasmStorage; v: WasmStorage } {
  const pOut = rt.alloc(p.size);
  const mOut = rt.alloc(p.size);
  const vOut = rt.alloc(p.size);
  const decay = 1 - hp.lr * hp.weightDecay;
  const stepSize = hp.lr / (1 - Math.pow(hp.beta1, hp.step));
  const bc2Sqrt = Math.sqrt(1 - Math.pow(hp.beta2, hp.step));
  const args = [pOut.ptr, mOut.ptr, vOut.ptr, p.ptr, g.ptr, m.ptr, v.ptr];
  args.push(decay, stepSize, bc2Sqrt, hp.beta1, hp.beta2, hp.eps);
  rt.run('adamw', args, p.size, CHEAP_PER_THREAD / 4, 16);
  return { p: pOut, m: mOut, v: vOut };
}

export function ema(rt: Runtime, t: WasmStorage, s: WasmStorage, momentum: number): WasmStorage {
  const out = rt.alloc(t.size);
  rt.run('ema', [out.ptr, t.ptr, s.ptr, momentum], t.size, CHEAP_PER_THREAD, 16);
  return out;
}
