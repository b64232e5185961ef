// Reductions over one or more axes, with keepdim: sum, mean, max.
// Adjacent reduced axes are merged, and each run of them is one kernel call over x viewed as
// [outer, n, inner]; runs are reduced from the last to the first so earlier axes keep their
// sizes. Backward rules broadcast the gradient back over the reduced axes.

import { normAxes, ShapeError, fmtShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { record, run } from '../function.js';
import { div, equal, mul } from './elementwise.js';
import { expand, reshape } from './movement.js';

type Axes = number | readonly number[];

/** Shape with the reduced axes set to 1. */
function keptShape(shape: readonly number[], axes: number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function reduceKernel(op: 'sum' | 'max', x: Tensor, axes: number[]): Tensor {
  let cur = x;
  let shape = [...x.shape];
  // runs of consecutive axes, last run first
  const runs: [number, number][] = [];
  for (const a of axes) {
    const last = runs[runs.length - 1];
    if (last && last[1] === a - 1) last[1] = a;
    else runs.push([a, a]);
  }
  for (const [s, e] of runs.reverse()) {
    const outer = shape.slice(0, s).reduce((p, d) => p * d, 1);
    const n = shape.slice(s, e + 1).reduce((p, d) => p * d, 1);
    const inner = shape.slice(e + 1).reduce((p, d) => p * d, 1);
    shape = [...shape.slice(0, s), ...new Array<number>(e - s + 1).fill(1), ...shape.slice(e + 1)];
    const src = cur;
    cur = run(op, x, shape, (k) => k[op](src.storage, outer, n, inner));
  }
  return cur;
}

/** Sum over `axes` (all axes when omitted). */
export function sum(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  const ax = normAxes('sum', axes, x.ndim);
  const kept = keptShape(x.shape, ax);
  const outShape = keepdim ? kept : x.shape.filter((_, i) => !ax.includes(i));
  const y = reshapeNoGrad(reduceKernel('sum', x, ax), outShape);
  // d Σx = broadcast(g)
  return record('sum', y, [x], (g) => [expand(reshape(g, kept), x.shape)]);
}

/** Mean over `axes` (all axes when omitted). */
export function mean(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  const ax = normAxes('mean', axes, x.ndim);
  const n = ax.reduce((p, a) => p * x.shape[a], 1);
  if (n === 0)
    throw new ShapeError(`mean: cannot average over an empty axis of ${fmtShape(x.shape)}`);
  return mul(sum(x, ax, keepdim), 1 / n);
}

/** Maximum over `axes`; the gradient is shared equally among tied maxima (as torch.amax). */
export function max(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  const ax = normAxes('max', axes, x.ndim);
  for (const a of ax) {
    if (x.shape[a] === 0)
      throw new ShapeError(`max: cannot reduce over axis ${a} of size 0 in ${fmtShape(x.shape)}`);
  }
  const kept = keptShape(x.shape, ax);
  const yk = reduceKernel('max', x, ax);
  const outShape = keepdim ? kept : x.shape.filter((_, i) => !ax.includes(i));
  const y = reshapeNoGrad(yk, outShape);
  // dx = g · [x = max] / #ties
  return record('max', y, [x], (g) => {
    const mask = equal(x, yk);
    const count = reduceKernel('sum', mask, ax);
    return [mul(mask, div(reshape(g, kept), count))];
  });
}

function reshapeNoGrad(x: Tensor, shape: readonly number[]): Tensor {
  return x.view(shape);
}
