// Integer index helpers called inside gpu.js kernels, and the rule they exist for.
//
// gpu.js computes in float32 except where an expression is typed Integer: thread ids, arguments
// declared 'Integer', `for (let j = 0; j < n; j++)` counters, and the return values of helper
// functions declared to return 'Integer'. Everything else is f32 — a local such as
// `const i = this.thread.x` decays to f32 (gpu.js 2.24.1, both the webasm and WGSL translators),
// and
// `/`, `%` and Math.floor are always f32 — so an index built that way is wrong from 2^24 on (the
// "flat index >= 2^24" trap: webasm reads wrong values there). The rule every kernel here follows:
// index expressions use only Integer terms, never locals, and integer division goes through
// idiv/imod, which refine the f32 estimate with exact i32 corrections (WGSL division is only
// accurate to
// 2.5 ulp, so even floor(6 / 3) may come out 1); inside loops, indices go through at() (below).
// Tests: test/tensor/gpu/large.test.ts.

/** An f32 value (an index stored in a float array) as an Integer. */
export function ifloor(v: number): number {
  return Math.floor(v);
}

/** ⌊t / s⌋ estimated in f32: off by at most ~t·2⁻²² + 1. */
export function idivEst(t: number, s: number): number {
  return Math.floor(t / s);
}

/** One refinement: the remainder t − q·s is exact in i32 and small, so its f32 quotient is within
 * ±1. */
export function idivFix(t: number, s: number, q: number): number {
  return q + idivEst(t - q * s, s);
}

/** The last ±1 correction, in exact integer comparisons. */
export function idivEnd(t: number, s: number, q: number): number {
  if (t - q * s < 0) {
    return q - 1;
  }
  if (t - q * s >= s) {
    return q + 1;
  }
  return q;
}

/** ⌊t / s⌋ for 0 ≤ t < 2³¹, 0 < s, exact. */
export function idiv(t: number, s: number): number {
  return idivEnd(t, s, idivFix(t, s, idivEst(t, s)));
}

/** t mod s, exact. */
export function imod(t: number, s: number): number {
  return t - idiv(t, s) * s;
}

/**
 * base + k·stride for a loop counter k. gpu.js 2.24.1's webasm SIMD code carries loop counters
 * as f32, so `x[base + k]` inside a loop reads a neighbour from index 2^24 on (measured; test/
 * tensor/gpu/large.test.ts); a helper call runs per lane in exact i32, so loops index through it.
 */
export function at(base: number, k: number, stride: number): number {
  return base + k * stride;
}

/**
 * off + x·s0 + y·s1 + (z mod e2)·s2 + ⌊z / e2⌋·s3: an operand's offset at the output coordinates
 * (x, y, z mod e2, ⌊z / e2⌋) of a matmul thread (gpu/matmul.ts).
 */
export function base4(
  off: number,
  x: number,
  y: number,
  z: number,
  e2: number,
  s0: number,
  s1: number,
  s2: number,
  s3: number,
): number {
  return off + x * s0 + y * s1 + imod(z, e2) * s2 + idiv(z, e2) * s3;
}

/**
 * Σ c_d · s_d for the coordinates (c0, c1, c2, c3) of z in a row-major block [·, d1, d2, d3]:
 * the offset of the leading dimensions that rank-4…6 kernels fold into thread.z.
 */
export function lead4(
  z: number,
  d1: number,
  d2: number,
  d3: number,
  s0: number,
  s1: number,
  s2: number,
  s3: number,
): number {
  return lead3(idiv(z, d3), d1, d2, s0, s1, s2) + imod(z, d3) * s3;
}

export function lead3(
  z: number,
  d1: number,
  d2: number,
  s0: number,
  s1: number,
  s2: number,
): number {
  return lead2(idiv(z, d2), d1, s0, s1) + imod(z, d2) * s2;
}

export function lead2(z: number, d1: number, s0: number, s1: number): number {
  return idiv(z, d1) * s0 + imod(z, d1) * s1;
}

/** A helper function with its gpu.js signature. */
export interface HelperSpec {
  source: ((...args: number[]) => number) | string;
  settings: {
    argumentTypes: Record<string, 'Integer' | 'Number'>;
    returnType: 'Integer' | 'Number';
  };
}

const ints = (...names: string[]) => Object.fromEntries(names.map((n) => [n, 'Integer' as const]));

/** The index helpers with their Integer signatures (pass them all: gpu.js emits only what is
 * called). */
export const INDEX_HELPERS: readonly HelperSpec[] = [
  { source: ifloor, settings: { argumentTypes: { v: 'Number' }, returnType: 'Integer' } },
  { source: idivEst, settings: { argumentTypes: ints('t', 's'), returnType: 'Integer' } },
  { source: idivFix, settings: { argumentTypes: ints('t', 's', 'q'), returnType: 'Integer' } },
  { source: idivEnd, settings: { argumentTypes: ints('t', 's', 'q'), returnType: 'Integer' } },
  { source: idiv, settings: { argumentTypes: ints('t', 's'), returnType: 'Integer' } },
  { source: imod, settings: { argumentTypes: ints('t', 's'), returnType: 'Integer' } },
  { source: at, settings: { argumentTypes: ints('base', 'k', 'stride'), returnType: 'Integer' } },
  {
    source: base4,
    settings: {
      argumentTypes: ints('off', 'x', 'y', 'z', 'e2', 's0', 's1', 's2', 's3'),
      returnType: 'Integer',
    },
  },
  {
    source: lead2,
    settings: { argumentTypes: ints('z', 'd1', 's0', 's1'), returnType: 'Integer' },
  },
  {
    source: lead3,
    settings: { argumentTypes: ints('z', 'd1', 'd2', 's0', 's1', 's2'), returnType: 'Integer' },
  },
  {
    source: lead4,
    settings: {
      argumentTypes: ints('z', 'd1', 'd2', 'd3', 's0', 's1', 's2', 's3'),
      returnType: 'Integer',
    },
  },
];
