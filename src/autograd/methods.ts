// Method syntax for the ops (x.matmul(w).add(b).gelu()). The tensor layer cannot import the ops
// (they sit one layer above it), so the methods are added to Tensor.prototype here, when the
// autograd layer loads: this is the one prototype patch of the project and the one side effect of
// importing mini-dino. Everything comes from one table, METHODS: the TypeScript interface (merged
// into Tensor) is derived from it and the loop at the end installs it. Each method forwards to
// an op in ops/, so every op has exactly one definition.

import { Tensor } from '../tensor/tensor.js';
import { backward } from './engine.js';
import { cast, clone, copy_, detach } from './ops/cast.js';
import * as ew from './ops/elementwise.js';
import { linear, matmul } from './ops/matmul.js';
import * as mv from './ops/movement.js';
import * as nn from './ops/nn.js';
import * as rd from './ops/reduce.js';

/**
 * The one table: method name → the op it calls with the tensor as first argument. The Tensor
 * interface below is derived from it, and the loop at the end installs it, so a method is
 * added by adding one line here.
 */
const METHODS = {
  add: ew.add,
  sub: ew.sub,
  mul: ew.mul,
  div: ew.div,
  neg: ew.neg,
  exp: ew.exp,
  log: ew.log,
  sqrt: ew.sqrt,
  abs: ew.abs,
  pow: ew.pow,
  maximum: ew.maximum,
  minimum: ew.minimum,
  clamp: ew.clamp,
  gelu: ew.gelu,
  sum: rd.sum,
  mean: rd.mean,
  max: rd.max,
  reshape: mv.reshape,
  flatten: mv.flatten,
  permute: mv.permute,
  transpose: mv.transpose,
  slice: mv.slice,
  select: mv.select,
  expand: mv.expand,
  squeeze: mv.squeeze,
  unsqueeze: mv.unsqueeze,
  split: mv.split,
  chunk: mv.chunk,
  matmul,
  linear,
  softmax: nn.softmax,
  logSoftmax: nn.logSoftmax,
  cast,
  clone,
  copy_,
  detach,
  backward,
} as const;

/** An op `(x, ...args) => y` seen as the method `x.op(...args) => y`. */
type AsMethod<F> = F extends (x: Tensor, ...args: infer A) => infer Y ? (...args: A) => Y : never;

/** The Tensor methods, derived from METHODS. */
export type TensorMethods = { [K in keyof typeof METHODS]: AsMethod<(typeof METHODS)[K]> };

declare module '../tensor/tensor.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merged from the table
  interface Tensor extends TensorMethods {}
}

for (const [name, op] of Object.entries(METHODS)) {
  const fn = op as (x: Tensor, ...args: unknown[]) => unknown;
  const method = function (this: Tensor, ...args: unknown[]) {
    return fn(this, ...args);
  };
  Object.defineProperty(Tensor.prototype, name, {
    value: method,
    writable: true,
    configurable: true,
  });
}
