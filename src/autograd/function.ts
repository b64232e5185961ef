// The primitive contract. An op validates its inputs, runs one kernel (or a few) through
// `run`, and calls `record` with its backward rule, right under the forward:
//
//   const y = run('exp', x, x.shape, (k) => k.exp(x.storage));
//   return record('exp', y, [x], (g) => [mul(g, y)]);        // d exp(x) = exp(x) dx
//
// record() attaches a node only when grad mode is on and some input requires grad, so a noGrad
// forward builds no graph at all. The engine (engine.ts) checks after every backward rule that
// each gradient has its input's shape. MINI_DINO_DEBUG=1 logs every kernel with its op,
// shapes, backend and time.

import type { Backend, Storage } from '../tensor/backend.js';
import { ShapeError, fmtShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { envFlag, platform } from '../platform/index.js';
import { isGradEnabled } from './grad-mode.js';

/** MINI_DINO_DEBUG, read on the first kernel call (importing reads no environment). */
let debug: boolean | undefined;

/** Runs a kernel on `like`'s backend and wraps its output in a tensor of `shape`. */
export function run(
  op: string,
  like: Tensor,
  shape: readonly number[],
  kernel: (k: Backend) => Storage,
): Tensor {
  return runMany(op, like, [shape], (k) => [kernel(k)])[0];
}

/**
 * run() for a kernel with several outputs (layerNorm: y, mean, rstd), one tensor per shape, in
 * order; timed as one kernel call.
 */
export function runMany(
  op: string,
  like: Tensor,
  shapes: readonly (readonly number[])[],
  kernel: (k: Backend) => readonly Storage[],
): Tensor[] {
  debug ??= envFlag('MINI_DINO_DEBUG');
  const t0 = debug ? performance.now() : 0;
  const outs = kernel(like.backend).map((s, i) => new Tensor(s, shapes[i], like.backend));
  if (debug) {
    const ms = (performance.now() - t0).toFixed(3);
    const to = shapes.map(fmtShape).join(', ');
    platform().warn(`${op} ${like.backend.name} ${like.dtype} -> ${to} ${ms} ms`);
  }
  return outs;
}

/** Attaches the backward rule to `out` when gradients are needed. Returns out. */
export function record(
  op: string,
  out: Tensor,
  inputs: Tensor[],
  backward: (g: Tensor) => (Tensor | null)[],
): Tensor {
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { op, inputs, backward };
  }
  return out;
}

/** Checks that tensors share a backend and dtype. */
export function checkCompatible(op: string, a: Tensor, b: Tensor): void {
  if (a.backend !== b.backend) {
    throw new Error(
      `${op}: tensors are on different backends (${a.backend.name} and ` +
        `${b.backend.name}); move one with toBackend()`,
    );
  }
  if (a.dtype !== b.dtype) {
    throw new ShapeError(
      `${op}: dtypes differ: a is ${a.dtype} and b is ${b.dtype}; convert one with cast()`,
    );
  }
}
