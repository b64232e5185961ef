// Shapes, strides and NumPy broadcasting, with the error messages every op uses.
//
// Shapes are validated once, at the op (style guide, principle 3); kernels assume valid input.
// Every message names the op, prints shapes in brackets and says which dimension is wrong:
//   matmul: inner dimensions differ: a is [2, 3] and b is [4, 5] (3 ≠ 4)
// Broadcasting follows NumPy: align trailing dimensions; a dimension of 1 stretches.

export type Shape = readonly number[];

/** Thrown for invalid shapes, axes and arguments; the message names the op. */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** `[2, 3]`: shapes are always printed with brackets. */
export function fmtShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Number of elements (1 for a scalar, shape []). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-order) strides. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks that every dimension is a non-negative integer. */
export function checkShape(op: string, shape: Shape): void {
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(
        `${op}: shape ${fmtShape(shape)} has an invalid dimension ${d} at ` +
          `axis ${i} (expected a non-negative integer)`,
      );
    }
  }
}

/** Resolves a possibly negative axis against a rank; throws a clear error when out of range. */
export function normAxis(op: string, axis: number, ndim: number): number {
  if (!Number.isInteger(axis)) throw new ShapeError(`${op}: axis ${axis} is not an integer`);
  if (axis < -ndim || axis >= ndim) {
    const range = ndim === 0 ? 'a scalar has no axes' : `expected ${-ndim}..${ndim - 1}`;
    throw new ShapeError(
      `${op}: axis ${axis} is out of range for a tensor of rank ${ndim} (${range})`,
    );
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Resolves a list of axes (or all axes when undefined), sorted and without duplicates. */
export function normAxes(
  op: string,
  axes: number | readonly number[] | undefined,
  ndim: number,
): number[] {
  if (axes === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = list.map((a) => normAxis(op, a, ndim));
  const sorted = [...out].sort((x, y) => x - y);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1])
      throw new ShapeError(`${op}: axis ${sorted[i]} is repeated in [${list.join(', ')}]`);
  }
  return sorted;
}

/** NumPy broadcasting of two shapes. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: shapes cannot be broadcast: a is ${fmtShape(a)} and b is ` +
          `${fmtShape(b)} (dim ${i - n}: ${da} ≠ ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides that read `shape` as if it were broadcast to `outShape`: 0 on stretched dimensions.
 * The result has outShape's rank.
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const strides = stridesOf(shape);
  const lead = outShape.length - shape.length;
  return outShape.map((d, i) => (i < lead || shape[i - lead] === 1 ? 0 : strides[i - lead]));
}

/**
 * Merges adjacent dimensions that are contiguous for every operand, so that kernels loop over as
 * few dimensions as possible: [B, N, D] + bias [D] becomes [B·N, D] with strides [0, 1].
 * Returns the merged shape and one stride list per operand (the output is row-major).
 */
export function collapseDims(
  shape: Shape,
  strideLists: number[][],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strideLists.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (d === 1) continue; // size-1 dims never affect addressing
    const k = outShape.length - 1;
    const mergeable = k >= 0 && strideLists.every((s, j) => outStrides[j][k] === s[i] * d);
    if (mergeable) {
      outShape[k] *= d;
      strideLists.forEach((s, j) => (outStrides[j][k] = s[i]));
    } else {
      outShape.push(d);
      strideLists.forEach((s, j) => outStrides[j].push(s[i]));
    }
  }
  return { shape: outShape, strides: outStrides };
}
