// The error function inside gpu.js kernels: the float32 set of src/tensor/cpu/erf.ts (its twin),
// evaluated with the same piecewise construction and the same Clenshaw recurrence.
//
// gpu.js kernels cannot index a constant table from a helper function, so each Chebyshev series
// becomes a helper whose source is generated here from ERF32_TABLES: the recurrence
// b₀ = 2t·b₁ − b₂ + c_k written out once per coefficient, k from high to low, exactly as
// clenshaw() in the cpu file loops. Arithmetic is float32 (the cpu twin evaluates the same
// coefficients in float64), so results differ by a few float32 ulp; see test/tensor/gpu.
// Reference: W. J. Cody, Math. Comp. 23 (1969); tools/fit_erf.py for the coefficients.

import { ERF32_TABLES } from '../cpu/erf.js';
import type { HelperSpec } from './helpers.js';

/** A float literal gpu.js reads as float (never as an integer literal). */
function lit(c: number): string {
  const s = String(c);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** `function name(t) { ... }`: Σ c_k T_k(t) by the Clenshaw recurrence, unrolled. */
export function clenshawSource(name: string, c: readonly number[]): string {
  const lines = [`function ${name}(t) {`, '  let b0 = 0.0;', '  let b1 = 0.0;', '  let b2 = 0.0;'];
  for (let k = c.length - 1; k >= 1; k--) {
    lines.push(`  b0 = 2.0 * t * b1 - b2 + ${lit(c[k])};`, '  b2 = b1;', '  b1 = b0;');
  }
  lines.push(`  return t * b1 - b2 + ${lit(c[0])};`, '}');
  return lines.join('\n');
}

/** erf(x) from the four series (|x| ≤ 1: x·P(2x²−1); up to 6: 1 − e^(−x²)·Q(t); beyond: ±1). */
const ERF32_SOURCE = `function erf32(x) {
  const ax = Math.abs(x);
  if (ax <= 1.0) {
    return x * erfP(2.0 * x * x - 1.0);
  }
  if (ax > 6.0) {
    return Math.sign(x);
  }
  let q = 0.0;
  if (ax <= 2.0) {
    q = erfQ1(2.0 * ax - 3.0);
  } else if (ax <= 3.5) {
    q = erfQ2((2.0 * ax - 5.5) / 1.5);
  } else {
    q = erfQ3((2.0 * ax - 9.5) / 2.5);
  }
  return Math.sign(x) * (1.0 - Math.exp(-x * x) * q);
}`;

const num = { argumentTypes: { t: 'Number' as const }, returnType: 'Number' as const };

/** The helpers a kernel that calls erf32(x) needs. */
export const ERF_HELPERS: readonly HelperSpec[] = [
  { source: clenshawSource('erfP', ERF32_TABLES.P), settings: num },
  { source: clenshawSource('erfQ1', ERF32_TABLES.Q1), settings: num },
  { source: clenshawSource('erfQ2', ERF32_TABLES.Q2), settings: num },
  { source: clenshawSource('erfQ3', ERF32_TABLES.Q3), settings: num },
  { source: ERF32_SOURCE, settings: { argumentTypes: { x: 'Number' }, returnType: 'Number' } },
];
