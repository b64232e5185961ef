// Element-wise closeness checks shared by the backend kernel suites (test/tensor/wasm and
// test/tensor/gpu): assertClose reports the worst element against its tolerance;
// TENSOR_TEST_REPORT=1 (or GPU_TEST_REPORT=1) prints the largest |diff| / tolerance per check at
// exit, to size tolerances.

/**
 * Asserts |got[i] − want[i]| ≤ tol(i) for every i (NaN only against NaN, equal infinities), and
 * reports the worst element with its tolerance otherwise.
 */
export function assertClose(
  label: string,
  got: Float32Array,
  want: Float32Array,
  tol: (i: number) => number,
): void {
  if (got.length !== want.length)
    throw new Error(`${label}: ${got.length} elements, expected ${want.length}`);
  let worst = -1;
  let worstRatio = 1;
  let seen = 0; // largest |diff| / tol seen (printed with TENSOR_TEST_REPORT=1)
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (Number.isNaN(w) || Number.isNaN(g)) {
      if (Number.isNaN(w) !== Number.isNaN(g))
        throw new Error(`${label}: element ${i} is ${g}, expected ${w}`);
      continue;
    }
    if (g === w) continue;
    const t = tol(i);
    const ratio = Math.abs(g - w) / t;
    if (ratio > seen || Number.isNaN(ratio)) seen = ratio;
    if (!(ratio <= worstRatio)) {
      worst = i;
      worstRatio = ratio;
    }
  }
  if (REPORT) report.set(label.split(' ')[0], Math.max(report.get(label.split(' ')[0]) ?? 0, seen));
  if (worst >= 0) {
    throw new Error(
      `${label}: element ${worst} is ${got[worst]}, expected ${want[worst]} ` +
        `(|diff| ${Math.abs(got[worst] - want[worst]).toExponential(3)} > ` +
        `tolerance ${tol(worst).toExponential(3)}, ${worstRatio.toFixed(1)}x)`,
    );
  }
}

const REPORT = !!(process.env.TENSOR_TEST_REPORT || process.env.GPU_TEST_REPORT);
const report = new Map<string, number>();
if (REPORT)
  process.on('exit', () =>
    console.log('largest |diff| / tolerance per check:', Object.fromEntries(report)),
  );

/** Exact equality, element by element. */
export const exact = () => 0;

export const prod = (xs: readonly number[]) => xs.reduce((p, d) => p * d, 1);
