// Creating tensors: from nested arrays or typed arrays, constants, ranges, and random draws from
// the seeded generator (src/tensor/random.ts). Random values are always drawn on the host in
// float64 and converted, so a seed gives the same values on every backend and dtype.

import type { Backend } from './backend.js';
import { type DType, type TypedArray, allocArray, dtypeOf, isDType } from './dtype.js';
import { type Generator, defaultGenerator } from './random.js';
import { ShapeError, checkShape, fmtShape, sizeOf } from './shape.js';
import { Tensor, getDefaultBackend } from './tensor.js';

export interface TensorOptions {
  dtype?: DType;
  backend?: Backend;
  requiresGrad?: boolean;
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

type Nested = number | readonly Nested[];

function resolve(
  op: string,
  opts: TensorOptions | undefined,
  dataDtype?: DType,
): { dtype: DType; backend: Backend } {
  const dtype = opts?.dtype ?? dataDtype ?? 'float32';
  if (!isDType(dtype))
    throw new Error(`${op}: unknown dtype '${String(dtype)}' (expected 'float32' or 'float64')`);
  const backend = opts?.backend ?? getDefaultBackend();
  if (!backend.supportsDtype(dtype)) {
    throw new Error(
      `${op}: the ${backend.name} backend does not support ${dtype} (it ` +
        `is float32 only; use the cpu backend for float64)`,
    );
  }
  return { dtype, backend };
}

/** Builds a tensor from host data that the tensor may own (no copy). */
function make(
  op: string,
  data: TypedArray,
  shape: readonly number[],
  opts?: TensorOptions,
): Tensor {
  const { dtype, backend } = resolve(op, opts, dtypeOf(data));
  const host =
    dtypeOf(data) === dtype ? data : allocArray(dtype, data.length).map((_, i) => data[i]);
  const t = new Tensor(backend.upload(host, false), shape, backend);
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

/**
 * A tensor from a number, nested arrays, or a flat array / typed array with `shape`.
 * Typed arrays are copied (the tensor never aliases caller memory).
 */
export function tensor(
  data: Nested | TypedArray,
  opts?: TensorOptions & { shape?: readonly number[] },
): Tensor {
  if (ArrayBuffer.isView(data)) {
    const flat = data as TypedArray;
    const shape = opts?.shape ?? [flat.length];
    checkShape('tensor', shape);
    if (sizeOf(shape) !== flat.length) {
      throw new ShapeError(
        `tensor: data has ${flat.length} elements but shape ${fmtShape(shape)} ` +
          `needs ${sizeOf(shape)}`,
      );
    }
    const dtype = opts?.dtype ?? dtypeOf(flat);
    const copy = allocArray(dtype, flat.length);
    copy.set(flat);
    return make('tensor', copy, shape, { ...opts, dtype });
  }
  const shape = inferShape(data);
  const flat: number[] = [];
  flatten(data, 0, shape, flat);
  if (opts?.shape) {
    checkShape('tensor', opts.shape);
    if (sizeOf(opts.shape) !== flat.length) {
      throw new ShapeError(
        `tensor: data has ${flat.length} elements but shape ${fmtShape(opts.shape)} ` +
          `needs ${sizeOf(opts.shape)}`,
      );
    }
  }
  const dtype = opts?.dtype ?? 'float32';
  const arr = allocArray(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) arr[i] = flat[i];
  return make('tensor', arr, opts?.shape ?? shape, opts);
}

function inferShape(data: Nested): number[] {
  const shape: number[] = [];
  let x: Nested = data;
  while (Array.isArray(x)) {
    shape.push(x.length);
    if (x.length === 0) break;
    x = x[0];
  }
  return shape;
}

function flatten(x: Nested, depth: number, shape: number[], out: number[]): void {
  if (depth === shape.length) {
    if (typeof x !== 'number')
      throw new ShapeError(
        `tensor: expected a number at depth ${depth}, ` +
          `got ${Array.isArray(x) ? 'an array' : typeof x}`,
      );
    out.push(x);
    return;
  }
  if (!Array.isArray(x) || x.length !== shape[depth]) {
    const got = Array.isArray(x) ? `length ${x.length}` : typeof x;
    throw new ShapeError(
      `tensor: ragged nested array: expected length ${shape[depth]} at depth ${depth}, got ${got}`,
    );
  }
  for (const v of x as readonly Nested[]) flatten(v, depth + 1, shape, out);
}

export function full(shape: readonly number[], value: number, opts?: TensorOptions): Tensor {
  checkShape('full', shape);
  const { dtype, backend } = resolve('full', opts);
  const t = new Tensor(backend.full(dtype, sizeOf(shape), value), shape, backend);
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

export function zeros(shape: readonly number[], opts?: TensorOptions): Tensor {
  return full(shape, 0, opts);
}

export function ones(shape: readonly number[], opts?: TensorOptions): Tensor {
  return full(shape, 1, opts);
}

/** Like torch.zeros_like: same shape, dtype and backend. */
export function zerosLike(t: Tensor): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, backend: t.backend });
}

export function onesLike(t: Tensor): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, backend: t.backend });
}

/** start, start+step, … < stop (or 0..start−1 with one argument). */
export function arange(start: number, stop?: number, step = 1, opts?: TensorOptions): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0 || !Number.isFinite(step))
    throw new Error(`arange: step must be a finite non-zero number, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const { dtype } = resolve('arange', opts);
  const arr = allocArray(dtype, n);
  for (let i = 0; i < n; i++) arr[i] = start + i * step;
  return make('arange', arr, [n], opts);
}

function random(
  op: string,
  shape: readonly number[],
  opts: RandomOptions | undefined,
  draw: (g: Generator) => number,
): Tensor {
  checkShape(op, shape);
  const { dtype } = resolve(op, opts);
  const g = opts?.generator ?? defaultGenerator;
  const arr = allocArray(dtype, sizeOf(shape));
  for (let i = 0; i < arr.length; i++) arr[i] = draw(g);
  return make(op, arr, shape, opts);
}

/** Uniform on [0, 1). */
export function rand(shape: readonly number[], opts?: RandomOptions): Tensor {
  return random('rand', shape, opts, (g) => g.uniform());
}

/** Uniform on [low, high) (torch.nn.init.uniform_). */
export function uniform(
  shape: readonly number[],
  low: number,
  high: number,
  opts?: RandomOptions,
): Tensor {
  return random('uniform', shape, opts, (g) => g.uniformRange(low, high));
}

/** Standard normal. */
export function randn(shape: readonly number[], opts?: RandomOptions): Tensor {
  return random('randn', shape, opts, (g) => g.normal());
}

/** Normal(mean, std²) truncated to the absolute interval [a, b] (torch.nn.init.trunc_normal_). */
export function truncNormal(
  shape: readonly number[],
  init: { mean?: number; std?: number; a?: number; b?: number } = {},
  opts?: RandomOptions,
): Tensor {
  const { mean = 0, std = 1, a = -2, b = 2 } = init;
  return random('truncNormal', shape, opts, (g) => g.truncNormal(mean, std, a, b));
}
