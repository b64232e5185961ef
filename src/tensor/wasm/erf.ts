// The error function erf per lane, for the exact (erf) GELU. Twin of src/tensor/cpu/erf.ts, with
// the same piecewise Chebyshev series (the float32 coefficient set, ERF32_TABLES) evaluated in
// float32, as the gpu twin does:
//   |x| ≤ 1       erf(x)  = x · P(2x² − 1)
//   1 < |x| ≤ 6   erfc(x) = exp(−x²) · Q(t), Q and t = a·|x| + b for [1, 2], [2, 3.5], [3.5, 6]
//   |x| > 6       erf(x)  = sign(x)
// Four lanes may fall in four different intervals. Each Chebyshev coefficient is stored as one
// v128 holding its value for the four series [P, Q1, Q2, Q3], and i8x16.swizzle picks each lane's
// own from it (the lane's interval j selects bytes 4j..4j+3), so the Clenshaw recurrence runs
// once for all four lanes; shorter series are padded with leading zeros.

import { ERF32_TABLES } from '../cpu/erf.js';
import { f32x4, i32x4, i8x16, v128 } from './instructions.js';
import { exp, madd, type SimdConfig } from './simd.js';
import { type Code, type Expr, type Func, seq, set } from './writer.js';

const { P, Q1, Q2, Q3 } = ERF32_TABLES;
const SERIES = [P, Q1, Q2, Q3];
const TERMS = Math.max(...SERIES.map((s) => s.length));
/** t = a·v + b per interval, v = x² on [0, 1] and |x| beyond (cpu: 2x² − 1, 2|x| − 3, ...). */
const T_SCALE = [2, 2, 2 / 1.5, 2 / 2.5];
const T_SHIFT = [-1, -3, -5.5 / 1.5, -9.5 / 2.5];

/** erf of every lane of the f32x4 `x` (evaluated once). */
export function erf(f: Func, cfg: SimdConfig, x: Expr): Code {
  const [v, ax, x2, over1, idx, t, t2, b1, b2, b0, s, e] = f.locals('v128', 12);
  const pick = (values: readonly number[]) =>
    i8x16.swizzle(f32x4.const(values[0], values[1], values[2], values[3]), idx);
  const code: Code[] = [
    set(v, x),
    set(ax, f32x4.abs(v)),
    set(x2, f32x4.mul(v, v)),
    set(over1, f32x4.gt(ax, f32x4.const(1))),
    // j = (|x| > 1) + (|x| > 2) + (|x| > 3.5): comparisons give −1 per true lane
    set(
      idx,
      i32x4.sub(
        i32x4.splat(0),
        i32x4.add(i32x4.add(over1, f32x4.gt(ax, f32x4.const(2))), f32x4.gt(ax, f32x4.const(3.5))),
      ),
    ),
    // byte indices 4j, 4j+1, 4j+2, 4j+3 of lane j's float in a 4-float table
    set(idx, i32x4.add(i32x4.mul(idx, i32x4.splat(0x04040404)), i32x4.splat(0x03020100))),
    set(t, madd(cfg, pick(T_SCALE), v128.bitselect(ax, x2, over1), pick(T_SHIFT))),
    set(t2, f32x4.add(t, t)),
    set(b1, f32x4.const(0)),
    set(b2, b1),
  ];
  // Clenshaw: b_k = 2t·b_{k+1} − b_{k+2} + c_k for k = TERMS − 1 .. 1, then t·b_1 − b_2 + c_0
  const coeff = (k: number) => pick(SERIES.map((s) => s[k] ?? 0));
  for (let k = TERMS - 1; k >= 1; k--) {
    code.push(set(b0, madd(cfg, t2, b1, f32x4.sub(coeff(k), b2))), set(b2, b1), set(b1, b0));
  }
  code.push(set(s, madd(cfg, t, b1, f32x4.sub(coeff(0), b2))));
  code.push(set(e, exp(f, cfg, f32x4.neg(x2))));
  const sign = f32x4.const(-0);
  // |x| ≤ 1: x·s;  else ±(1 − e^(−x²)·s);  |x| > 6: ±1
  const tail = v128.bitselect(v, madd(cfg, f32x4.neg(e), s, f32x4.const(1)), sign);
  const body = v128.bitselect(tail, f32x4.mul(v, s), over1);
  const one = v128.bitselect(v, f32x4.const(1), sign);
  return seq(...code, v128.bitselect(one, body, f32x4.gt(ax, f32x4.const(6))));
}
