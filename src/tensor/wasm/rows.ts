// Loops shared by the wasm kernels that walk strided views (binary ops with broadcasting, the
// strided copies of movement.ts): the rows of a view of shape [d0, d1, d2, n], each operand
// read through its own byte strides, and a range of those rows, so that threads take contiguous
// row ranges. The odometer (i0, i1, i2) starts at row r0 by division, then steps like the
// cpu's (src/tensor/cpu/elementwise.ts binary, movement.ts copyStrided).

import { i32 } from './instructions.js';
import {
  type Code,
  type Expr,
  type Func,
  type Local,
  block,
  br,
  brIf,
  ifElse,
  loop,
  seq,
  set,
} from './writer.js';

/** An operand's byte strides over the three outer dimensions. */
export type OuterStrides = readonly [Local, Local, Local];

/**
 * Runs body(offsets) for rows r0 ≤ r < r1 of [d0, d1, d2, ·], where offsets[k] holds operand k's
 * byte offset for the row. r0 and r1 are i32 expressions; d1, d2 locals (≥ 1).
 */
export function forRows(
  f: Func,
  d1: Local,
  d2: Local,
  strides: readonly OuterStrides[],
  r0: Expr,
  r1: Expr,
  body: (offsets: readonly Local[]) => Code,
): Code {
  const [r, i1, i2, t] = f.locals('i32', 4);
  const offs = strides.map(() => f.local('i32'));
  const start = seq(
    set(r, r0),
    set(i2, i32.rem_u(r, d2)),
    set(t, i32.div_u(r, d2)),
    set(i1, i32.rem_u(t, d1)),
    set(t, i32.div_u(t, d1)),
    ...strides.map(([s0, s1, s2], k) =>
      set(offs[k], i32.add(i32.add(i32.mul(t, s0), i32.mul(i1, s1)), i32.mul(i2, s2))),
    ),
  );
  const step = (k: number, s: Local) => set(offs[k], i32.add(offs[k], s));
  const back = (k: number, d: Local, s: Local) => set(offs[k], i32.sub(offs[k], i32.mul(d, s)));
  return seq(
    start,
    block(
      loop(
        brIf(1, i32.ge_u(r, r1)),
        body(offs),
        set(r, i32.add(r, 1)),
        set(i2, i32.add(i2, 1)),
        ...strides.map(([, , s2], k) => step(k, s2)),
        ifElse(i32.eq(i2, d2), [
          set(i2, 0),
          ...strides.map(([, , s2], k) => back(k, d2, s2)),
          set(i1, i32.add(i1, 1)),
          ...strides.map(([, s1], k) => step(k, s1)),
          ifElse(i32.eq(i1, d1), [
            set(i1, 0),
            ...strides.map(([, s1], k) => back(k, d1, s1)),
            ...strides.map(([s0], k) => step(k, s0)),
          ]),
        ]),
        br(0),
      ),
    ),
  );
}

/**
 * for (j = 0; j + 4 ≤ n; j += 4) vec(j); for (; j < n; j++) scalar(j): a row of n elements,
 * four lanes at a time, then the tail one by one (j counts elements).
 */
export function vectorThenScalar(
  f: Func,
  n: Expr,
  vec: (j: Local) => Code,
  scalar: (j: Local) => Code,
): Code {
  const j = f.local('i32');
  return seq(
    set(j, 0),
    block(loop(brIf(1, i32.gt_s(i32.add(j, 4), n)), vec(j), set(j, i32.add(j, 4)), br(0))),
    block(loop(brIf(1, i32.ge_s(j, n)), scalar(j), set(j, i32.add(j, 1)), br(0))),
  );
}
