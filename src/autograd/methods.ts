// Method syntax for the ops (x.matmul(w).add(b).gelu()), installed on Tensor.prototype when the
// autograd layer loads. The functions in ops/ are the implementation; each method forwards to
// one of them, so there is exactly one definition of every op.

import type { DType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { type BackwardOptions, backward } from './engine.js';
import { cast, detach } from './ops/cast.js';
import * as ew from './ops/elementwise.js';
import { linear, matmul } from './ops/matmul.js';
import * as mv from './ops/movement.js';
import * as nn from './ops/nn.js';
import * as rd from './ops/reduce.js';

type T = Tensor;
type TN = Tensor | number;

declare module '../tensor/tensor.js' {
  interface Tensor {
    add(b: TN): T;
    sub(b: TN): T;
    mul(b: TN): T;
    div(b: TN): T;
    neg(): T;
    exp(): T;
    log(): T;
    sqrt(): T;
    abs(): T;
    pow(p: number): T;
    maximum(b: TN): T;
    minimum(b: TN): T;
    clamp(min?: number, max?: number): T;
    gelu(): T;
    sum(axes?: number | readonly number[], keepdim?: boolean): T;
    mean(axes?: number | readonly number[], keepdim?: boolean): T;
    max(axes?: number | readonly number[], keepdim?: boolean): T;
    reshape(shape: readonly number[]): T;
    flatten(start?: number, end?: number): T;
    permute(dims: readonly number[]): T;
    transpose(a?: number, b?: number): T;
    slice(ranges: readonly mv.Range[]): T;
    select(axis: number, index: number): T;
    expand(shape: readonly number[]): T;
    squeeze(axis?: number): T;
    unsqueeze(axis: number): T;
    split(sizes: number | readonly number[], axis?: number): T[];
    chunk(chunks: number, axis?: number): T[];
    matmul(b: T): T;
    linear(weight: T, bias?: T | null): T;
    softmax(axis?: number): T;
    logSoftmax(axis?: number): T;
    cast(dtype: DType): T;
    detach(): T;
    backward(seed?: T, opts?: BackwardOptions): void;
  }
}

const methods: Partial<Record<keyof Tensor, (this: Tensor, ...args: never[]) => unknown>> = {
  add(b: TN) {
    return ew.add(this, b);
  },
  sub(b: TN) {
    return ew.sub(this, b);
  },
  mul(b: TN) {
    return ew.mul(this, b);
  },
  div(b: TN) {
    return ew.div(this, b);
  },
  neg() {
    return ew.neg(this);
  },
  exp() {
    return ew.exp(this);
  },
  log() {
    return ew.log(this);
  },
  sqrt() {
    return ew.sqrt(this);
  },
  abs() {
    return ew.abs(this);
  },
  pow(p: number) {
    return ew.pow(this, p);
  },
  maximum(b: TN) {
    return ew.maximum(this, b);
  },
  minimum(b: TN) {
    return ew.minimum(this, b);
  },
  clamp(min?: number, max?: number) {
    return ew.clamp(this, min, max);
  },
  gelu() {
    return ew.gelu(this);
  },
  sum(axes?: number | readonly number[], keepdim?: boolean) {
    return rd.sum(this, axes, keepdim);
  },
  mean(axes?: number | readonly number[], keepdim?: boolean) {
    return rd.mean(this, axes, keepdim);
  },
  max(axes?: number | readonly number[], keepdim?: boolean) {
    return rd.max(this, axes, keepdim);
  },
  reshape(shape: readonly number[]) {
    return mv.reshape(this, shape);
  },
  flatten(start?: number, end?: number) {
    return mv.flatten(this, start, end);
  },
  permute(dims: readonly number[]) {
    return mv.permute(this, dims);
  },
  transpose(a?: number, b?: number) {
    return mv.transpose(this, a, b);
  },
  slice(ranges: readonly mv.Range[]) {
    return mv.slice(this, ranges);
  },
  select(axis: number, index: number) {
    return mv.select(this, axis, index);
  },
  expand(shape: readonly number[]) {
    return mv.expand(this, shape);
  },
  squeeze(axis?: number) {
    return mv.squeeze(this, axis);
  },
  unsqueeze(axis: number) {
    return mv.unsqueeze(this, axis);
  },
  split(sizes: number | readonly number[], axis?: number) {
    return mv.split(this, sizes, axis);
  },
  chunk(chunks: number, axis?: number) {
    return mv.chunk(this, chunks, axis);
  },
  matmul(b: T) {
    return matmul(this, b);
  },
  linear(weight: T, bias?: T | null) {
    return linear(this, weight, bias);
  },
  softmax(axis?: number) {
    return nn.softmax(this, axis);
  },
  logSoftmax(axis?: number) {
    return nn.logSoftmax(this, axis);
  },
  cast(dtype: DType) {
    return cast(this, dtype);
  },
  detach() {
    return detach(this);
  },
  backward(seed?: T, opts?: BackwardOptions) {
    backward(this, seed, opts);
  },
};

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
