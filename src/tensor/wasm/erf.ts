// The error function erf per lane, for the exact (erf) GELU. Twin of src/tensor/cpu/erf.ts, with
// the same piecewise Chebyshev series (the float32 coefficient set, ERF32_TABLES) evaluated in
// float32, as the gpu twin does:
//   |x| ≤ 1       erf(x)  = x · P(2x² − 1)
//   1 < |x| ≤ 6   erfc(x) = exp(−x²) · Q(t), Q and t = a·|x| + b for [1, 2], [2, 3.5], [3.5, 6]
//   |x| > 6       erf(x)  = sign(x)
// Four lanes may fall in four different intervals. Each series is turned into the power basis of
// t (its coefficients stay below 1 in magnitude, so Horner's rule in float32 is as accurate as
// Clenshaw's recurrence: 9e-8 against 50-digit erf, simulated), and each coefficient is stored as
// one v128 holding its value for the four series [P, Q1, Q2, Q3]: i8x16.swizzle picks each lane's
// own (the lane's interval j selects bytes 4j..4j+3), so one Horner loop of 10 multiply-adds
// serves all four lanes; shorter series are padded with zeros.

import { ERF32_TABLES } from '../cpu/erf.js';
import { f32x4, i32x4, i8x16, v128 } from './instructions.js';
import { exp, k4, madd, type SimdConfig } from './simd.js';
import { type Code, type Expr, type Func, type Local, seq, set } from './writer.js';

/** Σ c_k T_k(t) as Σ a_k t^k (T_0 = 1, T_1 = t, T_(k+1) = 2t·T_k − T_(k−1)), in float64. */
export function chebyshevToPower(c: readonly number[]): number[] {
  const a = new Array<number>(c.length).fill(0);
  let prev = [1];
  let cur = [0, 1];
  a[0] += c[0];
  for (let k = 1; k < c.length; k++) {
    cur.forEach((v, i) => (a[i] += c[k] * v));
    const next = new Array<number>(cur.length + 1).fill(0);
    cur.forEach((v, i) => (next[i + 1] += 2 * v));
    prev.forEach((v, i) => (next[i] -= v));
    [prev, cur] = [cur, next];
  }
  return a;
}

const { P, Q1, Q2, Q3 } = ERF32_TABLES;
const SERIES = [P, Q1, Q2, Q3].map(chebyshevToPower);
const TERMS = Math.max(...SERIES.map((s) => s.length));
/** t = a·v + b per interval, v = x² on [0, 1] and |x| beyond (cpu: 2x² − 1, 2|x| − 3, ...). */
const T_SCALE = [2, 2, 2 / 1.5, 2 / 2.5];
const T_SHIFT = [-1, -3, -5.5 / 1.5, -9.5 / 2.5];

/**
 * erf of every lane of the f32x4 `x` (evaluated once). With `expOut`, also sets that local to
 * e^(−x²), which the series needs anyway (GELU's backward uses it for the normal density).
 */
export function erf(f: Func, cfg: SimdConfig, x: Expr, expOut?: Local): Code {
  const [v, ax, x2, over1, idx, t, s] = f.locals('v128', 7);
  const e = expOut ?? f.local('v128');
  const swizzle = cfg.relaxed ? i8x16.relaxed_swizzle : i8x16.swizzle;
  const pick = (values: readonly number[]) =>
    swizzle(k4(cfg, values[0], values[1], values[2], values[3]), idx);
  const code: Code[] = [
    set(v, x),
    set(ax, f32x4.abs(v)),
    set(x2, f32x4.mul(v, v)),
    set(over1, f32x4.gt(ax, k4(cfg, 1))),
    // j = (|x| > 1) + (|x| > 2) + (|x| > 3.5): comparisons give −1 per true lane
    set(
      idx,
      i32x4.sub(
        cfg.consts.i32x4(0),
        i32x4.add(i32x4.add(over1, f32x4.gt(ax, k4(cfg, 2))), f32x4.gt(ax, k4(cfg, 3.5))),
      ),
    ),
    // byte indices 4j, 4j+1, 4j+2, 4j+3 of lane j's float in a 4-float table
    set(idx, i32x4.add(i32x4.mul(idx, cfg.consts.i32x4(0x04040404)), cfg.consts.i32x4(0x03020100))),
    set(t, madd(cfg, pick(T_SCALE), v128.bitselect(ax, x2, over1), pick(T_SHIFT))),
  ];
  // Horner: s = a_(n−1), then s = s·t + a_k for k = n − 2 .. 0
  const coeff = (k: number) => pick(SERIES.map((c) => c[k] ?? 0));
  code.push(set(s, coeff(TERMS - 1)));
  for (let k = TERMS - 2; k >= 0; k--) code.push(set(s, madd(cfg, s, t, coeff(k))));
  code.push(set(e, exp(f, cfg, f32x4.neg(x2))));
  const sign = k4(cfg, -0);
  // |x| ≤ 1: x·s;  else ±(1 − e^(−x²)·s);  |x| > 6: ±1
  const tail = v128.bitselect(v, madd(cfg, f32x4.neg(e), s, k4(cfg, 1)), sign);
  const body = v128.bitselect(tail, f32x4.mul(v, s), over1);
  const one = v128.bitselect(v, k4(cfg, 1), sign);
  return seq(...code, v128.bitselect(one, body, f32x4.gt(ax, k4(cfg, 6))));
}
