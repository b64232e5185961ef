// wasm kernels: elementwise (unary, with a scalar parameter, and binary with broadcasting).
// Twin of src/tensor/cpu/elementwise.ts: same kernels, same formulas, in float32 four lanes at a
// time. Contiguous kernels run whole vectors over [start, end), into the buffers' padding
// (heap.ts); binary kernels walk rows (rows.ts) with a vector loop when both operands are
// contiguous or one is a per-row scalar, and a scalar tail whose operations are the same IEEE
// float32 operations as the lanes'. log and general powers call the host's Math.log/Math.pow per
// element, in float64 like the cpu (they are rare in a training step).
//   GELU(x) = x·½·(1 + erf(x/√2))     GELU′(x) = Φ(x) + x·φ(x),  φ(x) = e^(−x²/2)/√(2π)

import type { BinaryKernel, UnaryKernel } from '../backend.js';
import { erf } from './erf.js';
import { CHEAP_PER_THREAD, COSTLY_PER_THREAD } from './threads.js';
import { f32, f32x4, f64, i32, select, v128 } from './instructions.js';
import { forRows, type OuterStrides, vectorThenScalar } from './rows.js';
import type { Runtime, WasmStorage } from './runtime.js';
import { exp, k4, madd, type SimdConfig } from './simd.js';
import {
  type Code,
  type Func,
  type Local,
  type ModuleWriter,
  type ValType,
  call,
  forRange,
  ifElse,
  seq,
  set,
} from './writer.js';

/** Host functions the module imports (function indices). */
export interface HostMath {
  log: number;
  pow: number;
}

const INV_SQRT_2PI = 0.3989422804014327;

/**
 * name(out, x₁ … x_k, ...params, start, end): out[i] = body(x₁[i], …) for i in [start, end),
 * four lanes at a time (the last vector runs into the buffers' padding).
 */
export function emitMap(
  m: ModuleWriter,
  name: string,
  inputs: number,
  params: readonly ValType[],
  body: (f: Func, xs: readonly Local[], params: readonly Local[]) => Code,
): void {
  const f = m.func(name, ['i32', ...Array<ValType>(inputs).fill('i32'), ...params, 'i32', 'i32']);
  const [out, ...rest] = f.params;
  const ins = rest.slice(0, inputs);
  const ps = rest.slice(inputs, inputs + params.length);
  const [start, end] = rest.slice(inputs + params.length);
  const [i, off] = f.locals('i32', 2);
  const xs = ins.map(() => f.local('v128'));
  f.emit(
    forRange(
      i,
      start,
      end,
      4,
      set(off, i32.shl(i, 2)),
      ...ins.map((p, k) => set(xs[k], v128.load(i32.add(p, off)))),
      v128.store(i32.add(out, off), body(f, xs, ps)),
    ),
  );
}

/** name(out, x, ...params, start, end) element by element in float64: out[i] = body(x[i]). */
function emitScalarMap(
  m: ModuleWriter,
  name: string,
  params: readonly ValType[],
  body: (x: Code, params: readonly Local[]) => Code,
): void {
  const f = m.func(name, ['i32', 'i32', ...params, 'i32', 'i32']);
  const [out, x, ...rest] = f.params;
  const ps = rest.slice(0, params.length);
  const [start, end] = rest.slice(params.length);
  const [i, off] = f.locals('i32', 2);
  f.emit(
    forRange(
      i,
      start,
      end,
      1,
      set(off, i32.shl(i, 2)),
      f32.store(
        i32.add(out, off),
        f32.demote_f64(body(f64.promote_f32(f32.load(i32.add(x, off))), ps)),
      ),
    ),
  );
}

const gelu = (f: Func, cfg: SimdConfig, x: Local): Code =>
  f32x4.mul(
    f32x4.mul(x, k4(cfg, 0.5)),
    f32x4.add(k4(cfg, 1), erf(f, cfg, f32x4.mul(x, k4(cfg, Math.SQRT1_2)))),
  );

const UNARY: Record<Exclude<UnaryKernel, 'log'>, (f: Func, cfg: SimdConfig, x: Local) => Code> = {
  neg: (_f, _c, x) => f32x4.neg(x),
  exp: (f, cfg, x) => exp(f, cfg, x),
  sqrt: (_f, _c, x) => f32x4.sqrt(x),
  abs: (_f, _c, x) => f32x4.abs(x),
  sign: (_f, _c, x) =>
    v128.or(
      v128.and(f32x4.gt(x, f32x4.const(0)), f32x4.const(1)),
      v128.and(f32x4.lt(x, f32x4.const(0)), f32x4.const(-1)),
    ),
  erf: (f, cfg, x) => erf(f, cfg, x),
  gelu,
};

/** A binary kernel as lane operations and the same operations on one float32. */
interface BinaryOp {
  vec(a: Local, b: Local): Code;
  scalar(a: Local, b: Local): Code;
}

const BINARY: Record<BinaryKernel, BinaryOp> = {
  add: { vec: f32x4.add, scalar: f32.add },
  sub: { vec: f32x4.sub, scalar: f32.sub },
  mul: { vec: f32x4.mul, scalar: f32.mul },
  div: { vec: f32x4.div, scalar: f32.div },
  // a when a ≥ b or a is NaN, else b (the cpu's rule, which propagates NaN from either side)
  maximum: {
    vec: (a, b) => v128.bitselect(a, b, v128.or(f32x4.ge(a, b), f32x4.ne(a, a))),
    scalar: (a, b) => select(a, b, i32.or(f32.ge(a, b), f32.ne(a, a))),
  },
  minimum: {
    vec: (a, b) => v128.bitselect(a, b, v128.or(f32x4.le(a, b), f32x4.ne(a, a))),
    scalar: (a, b) => select(a, b, i32.or(f32.le(a, b), f32.ne(a, a))),
  },
  greater: {
    vec: (a, b) => v128.and(f32x4.gt(a, b), f32x4.const(1)),
    scalar: (a, b) => select(f32.const(1), f32.const(0), f32.gt(a, b)),
  },
  equal: {
    vec: (a, b) => v128.and(f32x4.eq(a, b), f32x4.const(1)),
    scalar: (a, b) => select(f32.const(1), f32.const(0), f32.eq(a, b)),
  },
};

/**
 * binary_<op>(out, a, b, d1, d2, n, so0, so1, so2, sa0..sa3, sb0..sb3, r0, r1): rows [r0, r1)
 * of out [d0, d1, d2, n] = op(a, b), each operand read through byte strides (0 on broadcast
 * dims; out's innermost stride is 4).
 */
function emitBinary(m: ModuleWriter, name: BinaryKernel): void {
  const f = m.func(`binary_${name}`, Array<ValType>(19).fill('i32'));
  const [out, a, b, d1, d2, n, so0, so1, so2, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3, r0, r1] =
    f.params;
  const { vec, scalar } = BINARY[name];
  const [va, vb] = f.locals('v128', 2);
  const [sa, sb] = f.locals('f32', 2);
  const [po, pa, pb] = f.locals('i32', 3);
  const at = (p: Local, j: Local, stride: Code | number = 4) => i32.add(p, i32.mul(j, stride));
  const vecLoop = (aSplat: boolean, bSplat: boolean) =>
    seq(
      aSplat ? set(va, v128.load32_splat(pa)) : [],
      bSplat ? set(vb, v128.load32_splat(pb)) : [],
      set(sa, f32.load(pa)),
      set(sb, f32.load(pb)),
      vectorThenScalar(
        f,
        n,
        (j) =>
          seq(
            aSplat ? [] : set(va, v128.load(at(pa, j))),
            bSplat ? [] : set(vb, v128.load(at(pb, j))),
            v128.store(at(po, j), vec(va, vb)),
          ),
        (j) =>
          seq(
            aSplat ? [] : set(sa, f32.load(at(pa, j))),
            bSplat ? [] : set(sb, f32.load(at(pb, j))),
            f32.store(at(po, j), scalar(sa, sb)),
          ),
      ),
    );
  const j = f.local('i32');
  const strided = forRange(
    j,
    0,
    n,
    1,
    set(sa, f32.load(i32.add(pa, i32.mul(j, sa3)))),
    set(sb, f32.load(i32.add(pb, i32.mul(j, sb3)))),
    f32.store(at(po, j), scalar(sa, sb)),
  );
  const strides: OuterStrides[] = [
    [so0, so1, so2],
    [sa0, sa1, sa2],
    [sb0, sb1, sb2],
  ];
  f.emit(
    forRows(f, d1, d2, strides, r0, r1, ([oo, oa, ob]) =>
      seq(
        set(po, i32.add(out, oo)),
        set(pa, i32.add(a, oa)),
        set(pb, i32.add(b, ob)),
        ifElse(
          i32.and(i32.eq(sa3, 4), i32.eq(sb3, 4)),
          [vecLoop(false, false)],
          [
            ifElse(
              i32.and(i32.eq(sa3, 4), i32.eqz(sb3)),
              [vecLoop(false, true)],
              [ifElse(i32.and(i32.eqz(sa3), i32.eq(sb3, 4)), [vecLoop(true, false)], [strided])],
            ),
          ],
        ),
      ),
    ),
  );
}

export function emitElementwise(m: ModuleWriter, cfg: SimdConfig, host: HostMath): void {
  for (const [op, body] of Object.entries(UNARY))
    emitMap(m, `unary_${op}`, 1, [], (f, [x]) => body(f, cfg, x));
  emitScalarMap(m, 'unary_log', [], (x) => call(host.log, x));
  emitMap(m, 'affine', 1, ['f32', 'f32'], (_f, [x], [scale, shift]) =>
    madd(cfg, x, f32x4.splat(scale), f32x4.splat(shift)),
  );
  emitMap(m, 'pow_square', 1, [], (_f, [x]) => f32x4.mul(x, x));
  emitMap(m, 'pow_reciprocal', 1, [], (_f, [x]) => f32x4.div(f32x4.const(1), x));
  emitScalarMap(m, 'pow_general', ['f64'], (x, [p]) => call(host.pow, x, p));
  // dy · (Φ(x) + x·φ(x)): Φ(x) = ½(1 + erf(x/√2)), φ(x) = e^(−x²/2)/√(2π), where erf already
  // computed e^(−(x/√2)²)
  emitMap(m, 'gelu_backward', 2, [], (f, [x, dy]) => {
    const e = f.local('v128');
    const erfz = f.local('v128');
    return seq(
      set(erfz, erf(f, cfg, f32x4.mul(x, k4(cfg, Math.SQRT1_2)), e)),
      f32x4.mul(
        dy,
        madd(
          cfg,
          x,
          f32x4.mul(e, k4(cfg, INV_SQRT_2PI)),
          f32x4.mul(k4(cfg, 0.5), f32x4.add(k4(cfg, 1), erfz)),
        ),
      ),
    );
  });
  for (const op of Object.keys(BINARY) as BinaryKernel[]) emitBinary(m, op);
}

// ---- calls

export function unary(rt: Runtime, op: UnaryKernel, x: WasmStorage): WasmStorage {
  const out = rt.alloc(x.size);
  const cheap = op === 'neg' || op === 'abs' || op === 'sign' || op === 'sqrt';
  rt.run(`unary_${op}`, [out.ptr, x.ptr], x.size, cheap ? CHEAP_PER_THREAD : COSTLY_PER_THREAD, 16);
  return out;
}

export function affine(rt: Runtime, x: WasmStorage, scale: number, shift: number): WasmStorage {
  const out = rt.alloc(x.size);
  rt.run('affine', [out.ptr, x.ptr, scale, shift], x.size, CHEAP_PER_THREAD, 16);
  return out;
}

/** x^p: x·x, x, 1/x and √x for p = 2, 1, −1, ½ (exact, as the cpu), Math.pow otherwise. */
export function powScalar(rt: Runtime, x: WasmStorage, p: number): WasmStorage {
  const out = rt.alloc(x.size);
  const args = [out.ptr, x.ptr];
  if (p === 2) rt.run('pow_square', args, x.size, CHEAP_PER_THREAD, 16);
  else if (p === 1) rt.run('copy', args, x.size, CHEAP_PER_THREAD, 16);
  else if (p === -1) rt.run('pow_reciprocal', args, x.size, CHEAP_PER_THREAD, 16);
  else if (p === 0.5) rt.run('unary_sqrt', args, x.size, CHEAP_PER_THREAD, 16);
  else rt.run('pow_general', [...args, p], x.size, COSTLY_PER_THREAD, 16);
  return out;
}

export function geluBackward(rt: Runtime, x: WasmStorage, dy: WasmStorage): WasmStorage {
  const out = rt.alloc(x.size);
  rt.run('gelu_backward', [out.ptr, x.ptr, dy.ptr], x.size, COSTLY_PER_THREAD, 16);
  return out;
}

/**
 * Binary op with broadcasting (shape and element strides collapsed by the op). Rank ≤ 1 runs as
 * rows of 16 elements (the last one into the padding); higher ranks as rows of the innermost
 * dimension, leading dimensions beyond four looped here.
 */
export function binary(
  rt: Runtime,
  op: BinaryKernel,
  a: WasmStorage,
  b: WasmStorage,
  shape: readonly number[],
  aStrides: readonly number[],
  bStrides: readonly number[],
): WasmStorage {
  const size = shape.reduce((p, d) => p * d, 1);
  const out = rt.alloc(size);
  if (size === 0) return out;
  const name = `binary_${op}`;
  const r = shape.length;
  const sa = aStrides[r - 1] ?? 0;
  const sb = bStrides[r - 1] ?? 0;
  if (r <= 1 && (sa === 0 || sa === 1) && (sb === 0 || sb === 1)) {
    const rows = Math.ceil(size / 16);
    const args = [out.ptr, a.ptr, b.ptr, 1, rows, 16, 0, 0, 64, 0, 0, 64 * sa, 4 * sa];
    rt.run(name, [...args, 0, 0, 64 * sb, 4 * sb], rows, CHEAP_PER_THREAD / 16);
    return out;
  }
  // pad to rank ≥ 4; the leading r − 3 dimensions beyond the last three are looped here
  const pad = Math.max(0, 4 - r);
  const dims = [...Array<number>(pad).fill(1), ...shape];
  const as = [...Array<number>(pad).fill(0), ...aStrides].map((s) => 4 * s);
  const bs = [...Array<number>(pad).fill(0), ...bStrides].map((s) => 4 * s);
  const R = dims.length;
  const [d1, d2, n] = dims.slice(R - 3);
  const lead = dims.slice(0, R - 3);
  const os = [d1 * d2 * n, d2 * n, n].map((s) => 4 * s);
  const rows = lead[lead.length - 1] * d1 * d2;
  const outer = lead.slice(0, -1);
  const count = outer.reduce((p, d) => p * d, 1);
  const per = Math.max(1, Math.ceil(CHEAP_PER_THREAD / n));
  for (let t = 0; t < count; t++) {
    let oa = 0;
    let ob = 0;
    for (let d = outer.length - 1, rest = t; d >= 0; d--) {
      const i = rest % outer[d];
      rest = Math.floor(rest / outer[d]);
      oa += i * as[d];
      ob += i * bs[d];
    }
    const [la, lb] = [as[R - 4], bs[R - 4]];
    rt.run(
      name,
      [out.ptr + 4 * t * rows * n, a.ptr + oa, b.ptr + ob, d1, d2, n, ...os].concat([
        la,
        as[R - 3],
        as[R - 2],
        as[R - 1],
        lb,
        bs[R - 3],
        bs[R - 2],
        bs[R - 1],
      ]),
      rows,
      per,
    );
  }
  return out;
}
