// What the kernels need beyond single instructions: a·b + c that is fused where relaxed SIMD
// is available (f32x4.relaxed_madd) and a multiply then an add elsewhere, chosen once per
// module; the vectorised exp used by exp, softmax, GELU's backward and erf (erf.ts); float64 row
// sums; and the 4×4 transpose in registers (SSE's _MM_TRANSPOSE4_PS) that matmul packs with.
//
// exp(x) = 2ⁿ · eʳ with n = round(x / ln 2) and r = x − n·ln 2 ∈ [−ln2/2, ln2/2] (ln 2 split in
// two constants, Cody & Waite, so that n·ln2_hi is exact), eʳ by the degree-7 polynomial of
// Cephes' expf (S. Moshier), max error about 1 ulp. 2ⁿ is built from exponent bits as
// 2^⌊n/2⌋ · 2^(n−⌊n/2⌋), so that results down to the subnormals and up to overflow come out
// right; x is clamped to [−104, 88.8] first (beyond, eˣ rounds to 0 or ∞ in float32), which keeps
// NaN. The cpu twin is Math.exp (src/tensor/cpu/elementwise.ts).

import { f32, f32x4, f64, f64x2, i32, i32x4, i8x16, v128 } from './instructions.js';
import {
  type Code,
  type Expr,
  type Func,
  type Local,
  block,
  br,
  brIf,
  ex,
  forRange,
  loop,
  seq,
  set,
} from './writer.js';

/**
 * Vector constants kept in the memory (a small area below the heap, written once when the
 * backend starts): V8 builds a v128.const from immediates at every use, several instructions,
 * where a load from a constant address is one.
 */
export class ConstPool {
  private readonly values: number[] = [];
  private readonly index = new Map<string, number>();

  constructor(
    /** Byte address of the area. */
    readonly base: number,
    /** Its size in bytes. */
    readonly bytes: number,
  ) {}

  /** The f32x4 (a, b, c, d), loaded from the pool. */
  f32x4(a: number, b = a, c = a, d = a): Code {
    // keyed by bit pattern (distinguishes -0 and NaN payloads)
    const key = [...new Int32Array(Float32Array.from([a, b, c, d]).buffer)].join(',');
    let at = this.index.get(key);
    if (at === undefined) {
      at = this.base + 4 * this.values.length;
      if (at + 16 > this.base + this.bytes) throw new Error('wasm constant pool is full');
      for (const v of [a, b, c, d]) this.values.push(v);
      this.index.set(key, at);
    }
    return v128.load(at);
  }

  /** The i32x4 with v in every lane, loaded from the pool. */
  i32x4(v: number): Code {
    const f = new Float32Array(new Int32Array([v, v, v, v]).buffer);
    return this.f32x4(f[0], f[1], f[2], f[3]);
  }

  /** The pool's contents, to be written at `base`. */
  contents(): Float32Array {
    return Float32Array.from(this.values);
  }
}

/** How the module is built: relaxed SIMD's fused multiply-add or not, and its constant pool. */
export interface SimdConfig {
  relaxed: boolean;
  consts: ConstPool;
}

/** An f32x4 constant from the module's pool. */
export const k4 = (cfg: SimdConfig, a: number, b = a, c = a, d = a): Code =>
  cfg.consts.f32x4(a, b, c, d);

/** a·b + c per lane (fused with relaxed SIMD: one rounding instead of two). */
export function madd(cfg: SimdConfig, a: Expr, b: Expr, c: Expr): Code {
  return cfg.relaxed ? f32x4.relaxed_madd(a, b, c) : f32x4.add(f32x4.mul(a, b), c);
}

/** Evaluates Σ cₖ·xᵏ by Horner's rule (coefficients from the constant term up). */
export function horner(cfg: SimdConfig, x: Expr, coeffs: readonly number[]): Code {
  let acc: Code = k4(cfg, coeffs[coeffs.length - 1]);
  for (let k = coeffs.length - 2; k >= 0; k--) acc = madd(cfg, acc, x, k4(cfg, coeffs[k]));
  return acc;
}

const LOG2E = 1.4426950408889634;
const LN2_HI = 0.693359375;
const LN2_LO = -2.1219444e-4;
/** Cephes expf: eʳ ≈ 1 + r + r²·P(r). */
const EXP_P = [
  5.0000001201e-1, 1.6666665459e-1, 4.1665795894e-2, 8.3334519073e-3, 1.3981999507e-3,
  1.98756915e-4,
];

/** 2ᵏ per lane for integer lanes k in [−126, 127]: the exponent bits (k + 127) << 23. */
function pow2(cfg: SimdConfig, k: Expr): Code {
  return i32x4.shl(i32x4.add(k, cfg.consts.i32x4(127)), 23);
}

/** eˣ per lane of the f32x4 `x` (evaluated once). */
export function exp(f: Func, cfg: SimdConfig, x: Expr): Code {
  const [v, n, r, k, k1] = [
    f.local('v128'),
    f.local('v128'),
    f.local('v128'),
    f.local('v128'),
    f.local('v128'),
  ];
  return seq(
    // pmin/pmax keep a NaN in their first operand, at a fraction of the cost of IEEE min/max
    set(v, f32x4.pmax(f32x4.pmin(x, k4(cfg, 88.8)), k4(cfg, -104))),
    set(n, f32x4.nearest(f32x4.mul(v, k4(cfg, LOG2E)))),
    set(r, madd(cfg, n, k4(cfg, -LN2_HI), v)),
    set(r, madd(cfg, n, k4(cfg, -LN2_LO), r)),
    set(k, i32x4.trunc_sat_f32x4_s(n)),
    set(k1, i32x4.shr_s(k, 1)),
    // (1 + r + r²·P(r)) · 2^k1 · 2^(k − k1)
    f32x4.mul(
      f32x4.mul(
        f32x4.add(madd(cfg, f32x4.mul(r, r), horner(cfg, r, EXP_P), r), k4(cfg, 1)),
        pow2(cfg, k1),
      ),
      pow2(cfg, i32x4.sub(k, k1)),
    ),
  );
}

/** The high two lanes of an f32x4 moved to the low half (to widen them with promote_low). */
export const high = (v: Expr): Code =>
  i8x16.shuffle(v, v, [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]);

/**
 * The 4×4 transpose of four row vectors (locals): column i (lane i of every row) is handed to
 * use(i, column) — four shuffles into pairs, four into columns.
 */
export function transpose4(
  f: Func,
  rows: readonly Local[],
  use: (i: number, col: Code) => Code,
): Code {
  const [t0, t1, t2, t3] = f.locals('v128', 4);
  const lo = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];
  const hi = [8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31];
  const first = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
  const second = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
  const [r0, r1, r2, r3] = rows;
  return seq(
    set(t0, i8x16.shuffle(r0, r1, lo)), // r0[0] r1[0] r0[1] r1[1]
    set(t1, i8x16.shuffle(r2, r3, lo)), // r2[0] r3[0] r2[1] r3[1]
    set(t2, i8x16.shuffle(r0, r1, hi)),
    set(t3, i8x16.shuffle(r2, r3, hi)),
    use(0, i8x16.shuffle(t0, t1, first)),
    use(1, i8x16.shuffle(t0, t1, second)),
    use(2, i8x16.shuffle(t2, t3, first)),
    use(3, i8x16.shuffle(t2, t3, second)),
  );
}

/**
 * Σ_j term(j) over a row of n floats in float64, four lanes at a time (two f64x2 accumulators)
 * then the tail one by one; `term` gives the f32x4 of elements j..j+3 (default: the floats at
 * p) and `scalarTerm` element j. With `storeTo`, each term is also stored there (element j at
 * storeTo + 4j). Leaves the f64 sum on the stack.
 */
export function rowSum64(
  f: Func,
  p: Local,
  n: Local,
  term?: (j: Local) => Code,
  scalarTerm?: (j: Local) => Code,
  storeTo?: Local,
): Code {
  const [v, a0, a1] = f.locals('v128', 3);
  const j = f.local('i32');
  const s = f.local('f64');
  const e = f.local('f32');
  const at = (base: Local, k: Local) => i32.add(base, i32.shl(k, 2));
  return seq(
    set(a0, f64x2.splat(f64.const(0))),
    set(a1, a0),
    set(j, 0),
    block(
      loop(
        brIf(1, i32.gt_s(i32.add(j, 4), n)),
        set(v, term ? term(j) : v128.load(at(p, j))),
        storeTo ? v128.store(at(storeTo, j), v) : [],
        set(a0, f64x2.add(a0, f64x2.promote_low_f32x4(v))),
        set(a1, f64x2.add(a1, f64x2.promote_low_f32x4(high(v)))),
        set(j, i32.add(j, 4)),
        br(0),
      ),
    ),
    set(a0, f64x2.add(a0, a1)),
    set(s, f64.add(f64x2.extract_lane(a0, 0), f64x2.extract_lane(a0, 1))),
    forRange(
      j,
      j,
      n,
      1,
      set(e, scalarTerm ? scalarTerm(j) : f32.load(at(p, j))),
      storeTo ? f32.store(at(storeTo, j), e) : [],
      set(s, f64.add(s, f64.promote_f32(e))),
    ),
    ex(s),
  );
}
