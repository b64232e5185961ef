// The WebAssembly instructions the wasm backend's kernels use, as functions of their operands
// (see writer.ts): scalar i32/f32/f64 arithmetic and memory access, and the 128-bit SIMD set
// (f32x4, f64x2, i32x4, bitwise v128), plus `f32x4.relaxed_madd` from the relaxed-SIMD proposal.
// Opcodes: WebAssembly Core Specification 2.0, §5.4 (instructions; SIMD behind the 0xFD prefix).
// Memory operands take an address expression and a constant byte offset.

import { type Code, type Expr, ex, uleb } from './writer.js';

const op =
  (...opcode: number[]) =>
  (...args: Expr[]): Code => [args.map(ex), opcode];
const un = (...opcode: number[]) => op(...opcode) as (a: Expr) => Code;
const bin = (...opcode: number[]) => op(...opcode) as (a: Expr, b: Expr) => Code;
const memarg = (align: number, offset: number) => [...uleb(align), ...uleb(offset)];
const load =
  (align: number, ...opcode: number[]) =>
  (addr: Expr, offset = 0): Code => [ex(addr), opcode, memarg(align, offset)];
const store =
  (align: number, ...opcode: number[]) =>
  (addr: Expr, value: Expr, offset = 0): Code => [
    ex(addr),
    ex(value),
    opcode,
    memarg(align, offset),
  ];
const S = (code: number) => [0xfd, ...uleb(code)];
const simdUn = (code: number) => un(...S(code));
const simdBin = (code: number) => bin(...S(code));

function f32Bytes(v: number): number[] {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return [...b];
}
function f64Bytes(v: number): number[] {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  return [...b];
}

export const i32 = {
  const: (v: number): Code => ex(v | 0),
  add: bin(0x6a),
  sub: bin(0x6b),
  mul: bin(0x6c),
  div_s: bin(0x6d),
  div_u: bin(0x6e),
  rem_s: bin(0x6f),
  rem_u: bin(0x70),
  and: bin(0x71),
  or: bin(0x72),
  xor: bin(0x73),
  shl: bin(0x74),
  shr_s: bin(0x75),
  shr_u: bin(0x76),
  eqz: un(0x45),
  eq: bin(0x46),
  ne: bin(0x47),
  lt_s: bin(0x48),
  lt_u: bin(0x49),
  gt_s: bin(0x4a),
  gt_u: bin(0x4b),
  le_s: bin(0x4c),
  le_u: bin(0x4d),
  ge_s: bin(0x4e),
  ge_u: bin(0x4f),
  /** Signed minimum (no such instruction: a select). */
  min_s: (a: Expr, b: Expr): Code => select(a, b, i32.lt_s(a, b)),
  load: load(2, 0x28),
  store: store(2, 0x36),
  trunc_f64_s: un(0xaa),
  reinterpret_f32: un(0xbc),
};

export const f32 = {
  const: (v: number): Code => [0x43, f32Bytes(v)],
  add: bin(0x92),
  sub: bin(0x93),
  mul: bin(0x94),
  div: bin(0x95),
  min: bin(0x96),
  max: bin(0x97),
  abs: un(0x8b),
  neg: un(0x8c),
  sqrt: un(0x91),
  eq: bin(0x5b),
  ne: bin(0x5c),
  lt: bin(0x5d),
  gt: bin(0x5e),
  le: bin(0x5f),
  ge: bin(0x60),
  load: load(2, 0x2a),
  store: store(2, 0x38),
  convert_i32_s: un(0xb2),
  demote_f64: un(0xb6),
  reinterpret_i32: un(0xbe),
};

export const f64 = {
  const: (v: number): Code => [0x44, f64Bytes(v)],
  add: bin(0xa0),
  sub: bin(0xa1),
  mul: bin(0xa2),
  div: bin(0xa3),
  sqrt: un(0x9f),
  gt: bin(0x64),
  load: load(3, 0x2b),
  store: store(3, 0x39),
  convert_i32_s: un(0xb7),
  promote_f32: un(0xbb),
};

/** select(a, b, cond): a when cond ≠ 0, else b. */
export const select = (a: Expr, b: Expr, cond: Expr): Code => op(0x1b)(a, b, cond);

export const memory = {
  /** memory.fill(dest, byte, length) (bulk memory). */
  fill: (dest: Expr, byte: Expr, len: Expr): Code => op(0xfc, 11, 0)(dest, byte, len),
  /** memory.copy(dest, src, length); overlapping ranges are allowed. */
  copy: (dest: Expr, src: Expr, len: Expr): Code => op(0xfc, 10, 0, 0)(dest, src, len),
};

export const v128 = {
  load: load(4, ...S(0x00)),
  store: store(4, ...S(0x0b)),
  /** Loads one f32 (4 bytes) into every lane. */
  load32_splat: load(2, ...S(0x09)),
  /** Loads 8 bytes into the low half, zeros the high half. */
  load64_zero: load(3, ...S(0x5d)),
  /** Stores the low 8 bytes (lane 0 of the i64x2 view). */
  store64_lane0: (addr: Expr, value: Expr, offset = 0): Code => [
    ex(addr),
    ex(value),
    S(0x5b),
    memarg(3, offset),
    0,
  ],
  const: (bytes: readonly number[]): Code => [S(0x0c), bytes],
  not: simdUn(0x4d),
  and: simdBin(0x4e),
  andnot: simdBin(0x4f),
  or: simdBin(0x50),
  xor: simdBin(0x51),
  /** Bits of a where mask is 1, of b where it is 0. */
  bitselect: (a: Expr, b: Expr, mask: Expr): Code => op(...S(0x52))(a, b, mask),
  any_true: simdUn(0x53),
};

export const i8x16 = {
  /** Lanes 0–15 from a, 16–31 from b. */
  shuffle: (a: Expr, b: Expr, lanes: readonly number[]): Code => [ex(a), ex(b), S(0x0d), lanes],
  /** Byte i of the result is a[idx[i]] (0 when idx[i] > 15). */
  swizzle: simdBin(0x0e),
  /** swizzle for indices below 16 (relaxed SIMD: one pshufb on x86). */
  relaxed_swizzle: simdBin(0x100),
};

export const i32x4 = {
  splat: simdUn(0x11),
  extract_lane: (v: Expr, lane: number): Code => [ex(v), S(0x1b), lane],
  eq: simdBin(0x37),
  gt_s: simdBin(0x3b),
  shl: simdBin(0xab),
  shr_s: simdBin(0xac),
  add: simdBin(0xae),
  sub: simdBin(0xb1),
  mul: simdBin(0xb5),
  min_s: simdBin(0xb6),
  max_s: simdBin(0xb8),
  trunc_sat_f32x4_s: simdUn(0xf8),
};

export const f32x4 = {
  splat: simdUn(0x13),
  const: (a: number, b = a, c = a, d = a): Code =>
    v128.const([...f32Bytes(a), ...f32Bytes(b), ...f32Bytes(c), ...f32Bytes(d)]),
  extract_lane: (v: Expr, lane: number): Code => [ex(v), S(0x1f), lane],
  replace_lane: (v: Expr, lane: number, x: Expr): Code => [ex(v), ex(x), S(0x20), lane],
  eq: simdBin(0x41),
  ne: simdBin(0x42),
  lt: simdBin(0x43),
  gt: simdBin(0x44),
  le: simdBin(0x45),
  ge: simdBin(0x46),
  floor: simdUn(0x68),
  nearest: simdUn(0x6a),
  abs: simdUn(0xe0),
  neg: simdUn(0xe1),
  sqrt: simdUn(0xe3),
  add: simdBin(0xe4),
  sub: simdBin(0xe5),
  mul: simdBin(0xe6),
  div: simdBin(0xe7),
  /** IEEE minimum/maximum: NaN if either lane is NaN (several instructions on x86). */
  min: simdBin(0xe8),
  max: simdBin(0xe9),
  /** Pseudo-minimum b < a ? b : a and pseudo-maximum a < b ? b : a (one instruction on x86). */
  pmin: simdBin(0xea),
  pmax: simdBin(0xeb),
  convert_i32x4_s: simdUn(0xfa),
  /** Two f64 lanes rounded to f32 in lanes 0–1; lanes 2–3 zero. */
  demote_f64x2_zero: simdUn(0x5e),
  /** a·b + c, fused or not as the hardware prefers (relaxed SIMD). */
  relaxed_madd: (a: Expr, b: Expr, c: Expr): Code => op(...S(0x105))(a, b, c),
};

export const f64x2 = {
  splat: simdUn(0x14),
  extract_lane: (v: Expr, lane: number): Code => [ex(v), S(0x21), lane],
  add: simdBin(0xf0),
  sub: simdBin(0xf1),
  mul: simdBin(0xf2),
  div: simdBin(0xf3),
  sqrt: simdUn(0xef),
  /** Lanes 0–1 of an f32x4, widened. */
  promote_low_f32x4: simdUn(0x5f),
};
