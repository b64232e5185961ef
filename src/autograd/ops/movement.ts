// Ops that move elements: reshape (a view), permute/transpose, slice/select, concat/split/chunk,
// expand (NumPy's broadcast_to), indexSelect, squeeze/unsqueeze. Every copying op is one kernel:
// permute, slice and expand are copyStrided with the strides of the view.

import {
  broadcastStrides,
  collapseDims,
  fmtShape,
  normAxis,
  ShapeError,
  sameShape,
  sizeOf,
  stridesOf,
  checkShape,
} from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkCompatible, record, run } from '../function.js';
import { unbroadcast } from './elementwise.js';

/** Same elements, new shape (one dimension may be −1). Shares storage: no copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape('reshape', x, shape);
  if (sameShape(target, x.shape)) return x;
  const y = x.view(target);
  return record('reshape', y, [x], (g) => [reshape(g, x.shape)]);
}

function inferShape(op: string, x: Tensor, shape: readonly number[]): number[] {
  const free = shape.filter((d) => d === -1).length;
  if (free > 1) throw new ShapeError(`${op}: only one dimension can be -1, got ${fmtShape(shape)}`);
  checkShape(
    op,
    shape.map((d) => (d === -1 ? 1 : d)),
  );
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : x.size / known) : d));
  if (sizeOf(out) !== x.size || !out.every(Number.isInteger)) {
    throw new ShapeError(
      `${op}: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)}`,
    );
  }
  return out;
}

/** Collapses axes [start..end] into one. */
export function flatten(x: Tensor, start = 0, end = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normAxis('flatten', start, x.ndim);
  const e = normAxis('flatten', end, x.ndim);
  if (s > e)
    throw new ShapeError(
      `flatten: start axis ${start} comes after end axis ${end} for ${fmtShape(x.shape)}`,
    );
  const merged = x.shape.slice(s, e + 1).reduce((p, d) => p * d, 1);
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

/** Inserts a size-1 axis at `axis` (−1 appends). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const r = x.ndim + 1; // the rank after insertion, against which the axis is resolved
  if (!Number.isInteger(axis) || axis < -r || axis >= r) {
    throw new ShapeError(
      `unsqueeze: axis ${axis} is out of range for inserting into ${fmtShape(x.shape)} ` +
        `(expected ${-r}..${r - 1})`,
    );
  }
  const a = normAxis('unsqueeze', axis, r);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/** Removes size-1 axes (all of them, or the one given). */
export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined)
    return reshape(
      x,
      x.shape.filter((d) => d !== 1),
    );
  const a = normAxis('squeeze', axis, x.ndim);
  if (x.shape[a] !== 1)
    throw new ShapeError(
      `squeeze: axis ${axis} of ${fmtShape(x.shape)} has size ${x.shape[a]}, not 1`,
    );
  return reshape(x, [...x.shape.slice(0, a), ...x.shape.slice(a + 1)]);
}

/** Reorders axes: output axis i is input axis dims[i]. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new ShapeError(
      `permute: expected ${x.ndim} axes for ${fmtShape(x.shape)}, got [${dims.join(', ')}]`,
    );
  }
  const p = dims.map((d) => normAxis('permute', d, x.ndim));
  if (new Set(p).size !== p.length)
    throw new ShapeError(`permute: [${dims.join(', ')}] repeats an axis`);
  if (p.every((d, i) => d === i)) return x;
  const inStrides = stridesOf(x.shape);
  const shape = p.map((d) => x.shape[d]);
  const c = collapseDims(shape, [p.map((d) => inStrides[d])]);
  const y = run('permute', x, shape, (k) => k.copyStrided(x.storage, c.shape, c.strides[0], 0));
  const inverse = new Array<number>(p.length);
  p.forEach((d, i) => (inverse[d] = i));
  return record('permute', y, [x], (g) => [permute(g, inverse)]);
}

/** Swaps two axes. */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  const i = normAxis('transpose', a, x.ndim);
  const j = normAxis('transpose', b, x.ndim);
  const dims = x.shape.map((_, k) => k);
  dims[i] = j;
  dims[j] = i;
  return permute(x, dims);
}

export type Range = readonly [number, number?] | null | undefined;

/**
 * A contiguous sub-block: ranges[d] = [start, end) along axis d (negative values count from the
 * end; end omitted = to the end; null or missing = the whole axis).
 */
export function slice(x: Tensor, ranges: readonly Range[]): Tensor {
  if (ranges.length > x.ndim) {
    throw new ShapeError(
      `slice: ${ranges.length} ranges given for a tensor of rank ${x.ndim} (${fmtShape(x.shape)})`,
    );
  }
  const starts: number[] = [];
  const shape: number[] = [];
  x.shape.forEach((dim, d) => {
    const r = ranges[d];
    let s = r ? r[0] : 0;
    let e = r && r[1] !== undefined ? r[1] : dim;
    if (!Number.isInteger(s) || !Number.isInteger(e))
      throw new ShapeError(`slice: range [${s}, ${e}] on axis ${d} is not integer`);
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    if (s < 0 || e > dim || s > e) {
      throw new ShapeError(
        `slice: range [${r?.[0]}, ${r?.[1] ?? dim}] is out of bounds for ` +
          `axis ${d} of size ${dim} in ${fmtShape(x.shape)}`,
      );
    }
    starts.push(s);
    shape.push(e - s);
  });
  if (sameShape(shape, x.shape)) return x;
  const strides = stridesOf(x.shape);
  const offset = starts.reduce((p, s, d) => p + s * strides[d], 0);
  const c = collapseDims(shape, [strides]);
  const y = run('slice', x, shape, (k) => k.copyStrided(x.storage, c.shape, c.strides[0], offset));
  // the gradient goes back into zeros at the same place
  return record('slice', y, [x], (g) => [
    run('pad', g, x.shape, (k) => k.pad(g.storage, shape, [...x.shape], starts)),
  ]);
}

/** The sub-tensor at `index` along `axis`, with that axis removed (x[:, 0] is select(x, 1, 0)). */
export function select(x: Tensor, axis: number, index: number): Tensor {
  const a = normAxis('select', axis, x.ndim);
  const dim = x.shape[a];
  const i = index < 0 ? index + dim : index;
  if (!Number.isInteger(i) || i < 0 || i >= dim) {
    throw new ShapeError(
      `select: index ${index} is out of range for axis ${axis} of size ` +
        `${dim} in ${fmtShape(x.shape)}`,
    );
  }
  const ranges: Range[] = x.shape.map(() => null);
  ranges[a] = [i, i + 1];
  return squeeze(slice(x, ranges), a);
}

/** Joins tensors along an existing axis; all other dimensions must agree. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('concat: needs at least one tensor');
  const first = tensors[0];
  const a = normAxis('concat', axis, first.ndim);
  tensors.forEach((t, i) => {
    checkCompatible('concat', first, t);
    const ok = t.ndim === first.ndim && t.shape.every((d, k) => k === a || d === first.shape[k]);
    if (!ok) {
      throw new ShapeError(
        `concat: tensor ${i} has shape ${fmtShape(t.shape)} but tensor 0 ` +
          `is ${fmtShape(first.shape)} (only axis ${axis} may differ)`,
      );
    }
  });
  if (tensors.length === 1) return first;
  const sizes = tensors.map((t) => t.shape[a]);
  const outer = first.shape.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = first.shape.slice(a + 1).reduce((p, d) => p * d, 1);
  const shape = [...first.shape];
  shape[a] = sizes.reduce((p, d) => p + d, 0);
  const y = run('concat', first, shape, (k) =>
    k.concat(
      tensors.map((t) => t.storage),
      outer,
      sizes,
      inner,
    ),
  );
  // each input gets its slice of g
  return record('concat', y, [...tensors], (g) => {
    let start = 0;
    return tensors.map((t, i) => {
      const ranges: Range[] = g.shape.map(() => null);
      ranges[a] = [start, start + sizes[i]];
      start += sizes[i];
      return t.requiresGrad ? slice(g, ranges) : null;
    });
  });
}

/** Splits along `axis` into pieces of the given sizes (or equal pieces of `size`, the last
 * smaller). */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  const a = normAxis('split', axis, x.ndim);
  const dim = x.shape[a];
  let list: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0)
      throw new ShapeError(`split: size must be a positive integer, got ${sizes}`);
    list = [];
    for (let s = 0; s < dim; s += sizes) list.push(Math.min(sizes, dim - s));
  } else {
    list = [...sizes];
    const total = list.reduce((p, d) => p + d, 0);
    if (total !== dim || list.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new ShapeError(
        `split: sizes [${list.join(', ')}] do not add up to ${dim}, the size ` +
          `of axis ${axis} of ${fmtShape(x.shape)}`,
      );
    }
  }
  let start = 0;
  return list.map((n) => {
    const ranges: Range[] = x.shape.map(() => null);
    ranges[a] = [start, start + n];
    start += n;
    return slice(x, ranges);
  });
}

/** `chunks` pieces along `axis` (torch.chunk: size ⌈dim / chunks⌉, the last may be smaller). */
export function chunk(x: Tensor, chunks: number, axis = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0)
    throw new ShapeError(`chunk: chunks must be a positive integer, got ${chunks}`);
  const a = normAxis('chunk', axis, x.ndim);
  return split(x, Math.max(1, Math.ceil(x.shape[a] / chunks)), a);
}

/** Broadcasts to `shape` (NumPy rules), copying; the gradient sums back. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  checkShape('expand', shape);
  // one-directional: each dimension of x must equal the target's or be 1
  const lead = shape.length - x.ndim;
  const bad = lead < 0 ? -1 : x.shape.findIndex((d, i) => d !== 1 && d !== shape[i + lead]);
  if (lead < 0 || bad >= 0) {
    const why =
      lead < 0
        ? `${x.ndim} dimensions, the target only ${shape.length}`
        : `dim ${bad - x.ndim}: ${x.shape[bad]} ≠ ${shape[bad + lead]}`;
    throw new ShapeError(
      `expand: ${fmtShape(x.shape)} cannot be broadcast to ${fmtShape(shape)} (${why})`,
    );
  }
  if (sameShape(x.shape, shape)) return x;
  const c = collapseDims(shape, [broadcastStrides(x.shape, shape)]);
  const y = run('expand', x, shape, (k) => k.copyStrided(x.storage, c.shape, c.strides[0], 0));
  return record('expand', y, [x], (g) => [unbroadcast(g, x.shape)]);
}

/** Picks entries along `axis` by index (torch.index_select); gradients add up for repeats. */
export function indexSelect(
  x: Tensor,
  axis: number,
  index: readonly number[] | Int32Array,
): Tensor {
  const a = normAxis('indexSelect', axis, x.ndim);
  const n = x.shape[a];
  const idx = Int32Array.from(index, (i, j) => {
    const v = i < 0 ? i + n : i;
    if (!Number.isInteger(i) || v < 0 || v >= n) {
      throw new ShapeError(
        `indexSelect: index ${i} at position ${j} is out of range for axis ` +
          `${axis} of size ${n} in ${fmtShape(x.shape)}`,
      );
    }
    return v;
  });
  const outer = x.shape.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = x.shape.slice(a + 1).reduce((p, d) => p * d, 1);
  const shape = [...x.shape];
  shape[a] = idx.length;
  const y = run('indexSelect', x, shape, (k) => k.gather(x.storage, idx, outer, n, inner));
  // the adjoint of a gather is a scatter-add
  return record('indexSelect', y, [x], (g) => [
    run('scatterAdd', g, x.shape, (k) => k.scatterAdd(g.storage, idx, outer, n, inner)),
  ]);
}
