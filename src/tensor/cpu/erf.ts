// The error function erf, accurate to ~1 ulp in float64, for the exact (erf) GELU.
//
// Piecewise Chebyshev approximation, the classic construction (W. J. Cody, Math. Comp. 23, 1969):
//   |x| ≤ 1       erf(x)  = x · P(x²)
//   1 < |x| ≤ 6   erfc(x) = exp(−x²) · Q(x), Q fitted on [1, 2], [2, 3.5], [3.5, 6]
//   |x| > 6       erf(x)  = sign(x)          (erfc(6) ≈ 2.2e-17 is below float64 resolution at 1)
// Coefficients come from tools/fit_erf.py (50-digit mpmath interpolation, rounded to float64).
// Measured against mpmath: erf64 max abs error 1.1e-16; erf32, the cheaper set used for float32
// outputs, 2.6e-10 (far below float32 rounding). The gpu twin (src/tensor/gpu/erf.ts) evaluates
// the float32 set with the same Clenshaw recurrence.

const ERF64_P = [
  0.9754769393826541, -0.14226120510371365, 0.010035582187599796, -0.0005768764699767485,
  2.741993125219606e-5, -1.1043175507344507e-6, 3.8488755420345036e-8, -1.1808582533875466e-9,
  3.2334215826050907e-11, -7.991015947004483e-13, 1.799072511348477e-14, -3.718635162421382e-16,
  7.101507363020076e-18,
];
const ERF64_Q1 = [
  0.331427281639452, -0.0850021377067432, 0.009951127341466115, -0.0010810888102208325,
  0.0001102324363119495, -1.0636830518218601e-5, 9.775012680479055e-7, -8.597922867888315e-8,
  7.2677084117248425e-9, -5.923543840592542e-10, 4.6683928572294154e-11, -3.5661277015677288e-12,
  2.645877951906767e-13, -1.9101658667347927e-14, 1.3439764866689656e-15, -9.22862586358592e-17,
  6.166538925305747e-18,
];
const ERF64_Q2 = [
  0.19943078169681192, -0.04938002535992735, 0.00584049638189269, -0.0006632226933017975,
  7.259178935511736e-5, -7.682952765978158e-6, 7.883915794570548e-7, -7.861599623239447e-8,
  7.632681897920269e-9, -7.227220937985042e-10, 6.683956650788736e-11, -6.0454671515461064e-12,
  5.353822287984558e-13, -4.6471602439693144e-14, 3.9573849800401975e-15, -3.3088553268711293e-16,
  2.7013904016838518e-17,
];
const ERF64_Q3 = [
  0.12011119518612726, -0.03077508367843977, 0.003865397162805732, -0.00047649553104630324,
  5.770371528146291e-5, -6.87063803752421e-6, 8.049536979209691e-7, -9.285957122953073e-8,
  1.055453759031051e-8, -1.1826607946099641e-9, 1.3071369079163705e-10, -1.4257239280506567e-11,
  1.5353276736773866e-12, -1.6330584393825587e-13, 1.7163606032551942e-14, -1.7831232660688e-15,
  1.8317638908441432e-16, -1.861113445829098e-17, 1.8529748692348036e-18,
];
const ERF32_P = [
  0.9754769393826541, -0.14226120510371365, 0.010035582187599796, -0.0005768764699767483,
  2.741993125218896e-5, -1.1043175503625872e-6, 3.848873742961992e-8, -1.1800591517928462e-9,
];
const ERF32_Q1 = [
  0.331427281639452, -0.0850021377067432, 0.00995112734146611, -0.0010810888102207401,
  0.00011023243631060552, -1.0636830499116942e-5, 9.775010034601105e-7, -8.597566255118159e-8,
  7.221024483152548e-9,
];
const ERF32_Q2 = [
  0.19943078169681192, -0.049380025359927346, 0.005840496381892663, -0.0006632226933014666,
  7.259178935115998e-5, -7.682952719506556e-6, 7.88391044074826e-7, -7.860995076524292e-8,
  7.56584233141238e-9,
];
const ERF32_Q3 = [
  0.12011119518612726, -0.03077508367843977, 0.00386539716280573, -0.00047649553104628465,
  5.7703715281279735e-5, -6.870638035741087e-6, 8.04953680757363e-7, -9.285940792368679e-8,
  1.0553002262636832e-8, -1.1684035553294576e-9,
];

/** Chebyshev series Σ c_k T_k(t) at t ∈ [−1, 1] (Clenshaw recurrence). */
function clenshaw(c: readonly number[], t: number): number {
  let b1 = 0;
  let b2 = 0;
  for (let k = c.length - 1; k >= 1; k--) {
    const b0 = 2 * t * b1 - b2 + c[k];
    b2 = b1;
    b1 = b0;
  }
  return t * b1 - b2 + c[0];
}

function erfWith(
  x: number,
  P: readonly number[],
  Q1: readonly number[],
  Q2: readonly number[],
  Q3: readonly number[],
): number {
  const ax = Math.abs(x);
  if (ax <= 1) return x * clenshaw(P, 2 * x * x - 1);
  if (ax > 6) return x > 0 ? 1 : -1;
  let q: number;
  if (ax <= 2) q = clenshaw(Q1, 2 * ax - 3);
  else if (ax <= 3.5) q = clenshaw(Q2, (2 * ax - 5.5) / 1.5);
  else q = clenshaw(Q3, (2 * ax - 9.5) / 2.5);
  const r = 1 - Math.exp(-x * x) * q;
  return x > 0 ? r : -r;
}

/** erf(x) to ~1 ulp in float64. */
export function erf64(x: number): number {
  return erfWith(x, ERF64_P, ERF64_Q1, ERF64_Q2, ERF64_Q3);
}

/** erf(x) to ~3e-10 absolute: for float32 outputs. */
export function erf32(x: number): number {
  return erfWith(x, ERF32_P, ERF32_Q1, ERF32_Q2, ERF32_Q3);
}

/** The float32 coefficient tables, shared with the gpu twin. */
export const ERF32_TABLES = { P: ERF32_P, Q1: ERF32_Q1, Q2: ERF32_Q2, Q3: ERF32_Q3 };
