// The `gpu` backend: every kernel of the contract (src/tensor/backend.ts) as gpu.js kernels, on
// WebGPU where an adapter answers and on gpu.js's WebAssembly backend (`webasm`) elsewhere.
// Twin of src/tensor/cpu/index.ts; each kernel file here twins the cpu file of the same name.
//
// float32 only. Storage, the kernel cache, the launch queue and release are in ./runtime.ts;
// choosing a mode is ./mode.ts (createGpuBackend). Memory: release() frees the buffer (webgpu:
// after the kernels already queued that read it); `liveBuffers` counts storages not yet released.

import type {
  AdamWParams,
  Backend,
  BinaryKernel,
  GemmOperand,
  GemmOutLayout,
  GemmShape,
  GradClip,
} from '../backend.js';
import type { DType, TypedArray } from '../dtype.js';
import { affine, binary, geluBackward, powScalar, unary } from './elementwise.js';
import { layerNorm, layerNormBackward, layerNormParamGrads } from './layernorm.js';
import { matmul } from './matmul.js';
import { concat, copyStrided, gather, pad, scatterAdd } from './movement.js';
import { adamw, ema } from './optim.js';
import { max, sum, sumSquares } from './reduce.js';
import {
  Runtime,
  type GpuMode,
  type GpuStorage,
  type KernelSpec,
  type RuntimeOptions,
} from './runtime.js';
import { logSoftmax, logSoftmaxBackward, softmax, softmaxBackward } from './softmax.js';

export type { GpuMode, GpuStorage, RuntimeOptions } from './runtime.js';

const FULL: KernelSpec = {
  name: 'full',
  fn: function (value: number) {
    return value;
  },
  args: { value: 'Float' },
};

function float32Only(op: string, dtype: DType): void {
  if (dtype !== 'float32') {
    throw new Error(
      `${op}: the gpu backend is float32 only, it cannot hold ${dtype} ` +
        `(use the cpu backend for float64)`,
    );
  }
}

export class GpuBackend implements Backend<GpuStorage> {
  readonly name = 'gpu' as const;
  readonly rt: Runtime;

  /**
   * `adapter`: the WebGPU adapter's name (webgpu mode), for describe() and gpuInfo();
   * `software`: it is a software renderer such as SwiftShader. Create backends with
   * createGpuBackend (./mode.ts), which loads gpu.js first.
   */
  constructor(
    readonly mode: GpuMode,
    readonly adapter: string | null = null,
    options: RuntimeOptions = {},
    readonly software = false,
  ) {
    this.rt = new Runtime(mode, options);
  }

  describe(): string {
    const adapter = this.adapter
      ? `, ${this.adapter}${this.software ? ', a software renderer' : ''}`
      : '';
    return `gpu (gpu.js 2.24.1, ${this.mode} mode${adapter})`;
  }

  supportsDtype(dtype: DType): boolean {
    return dtype === 'float32';
  }

  /** Storages created and not released yet. */
  get liveBuffers(): number {
    return this.rt.liveBuffers;
  }

  /** Waits until every kernel launched so far has run (webgpu: on the device). */
  sync(): Promise<void> {
    return this.rt.sync();
  }

  // ---- storage

  upload(data: TypedArray, copy: boolean): GpuStorage {
    if (!(data instanceof Float32Array)) float32Only('upload', 'float64');
    return this.rt.upload(copy ? (data as Float32Array).slice() : (data as Float32Array));
  }

  read(s: GpuStorage): Promise<TypedArray> {
    return this.rt.read(s); // sync point
  }

  readSync(s: GpuStorage): TypedArray {
    return this.rt.readSync(s); // sync point
  }

  release(s: GpuStorage): void {
    this.rt.release(s);
  }

  // ---- kernels

  full(dtype: DType, size: number, value: number): GpuStorage {
    float32Only('full', dtype);
    return this.rt.run(FULL, [size], [value]);
  }

  cast(x: GpuStorage, dtype: DType): GpuStorage {
    float32Only('cast', dtype);
    return powScalar(this.rt, x, 1); // a copy: the output is a new buffer, never x itself
  }

  neg(x: GpuStorage) {
    return unary(this.rt, 'neg', x);
  }
  exp(x: GpuStorage) {
    return unary(this.rt, 'exp', x);
  }
  log(x: GpuStorage) {
    return unary(this.rt, 'log', x);
  }
  sqrt(x: GpuStorage) {
    return unary(this.rt, 'sqrt', x);
  }
  abs(x: GpuStorage) {
    return unary(this.rt, 'abs', x);
  }
  sign(x: GpuStorage) {
    return unary(this.rt, 'sign', x);
  }
  gelu(x: GpuStorage) {
    return unary(this.rt, 'gelu', x);
  }
  erf(x: GpuStorage) {
    return unary(this.rt, 'erf', x);
  }

  affine(x: GpuStorage, scale: number, shift: number) {
    return affine(this.rt, x, scale, shift);
  }
  powScalar(x: GpuStorage, p: number) {
    return powScalar(this.rt, x, p);
  }
  geluBackward(x: GpuStorage, dy: GpuStorage) {
    return geluBackward(this.rt, x, dy);
  }

  add(a: GpuStorage, b: GpuStorage, shape: number[], as: number[], bs: number[]) {
    return this.binary('add', a, b, shape, as, bs);
  }
  sub(a: GpuStorage, b: GpuStorage, shape: number[], as: number[], bs: number[]) {
    return this.binary('sub', a, b, shape, as, bs);
  }
  mul(a: GpuStorage, b: GpuStorage, shape: number[], as: number[], bs: number[]) {
    return this.binary('mul', a, b, shape, as, bs);
  }
  div(a: GpuStorage, b: GpuStorage, shape: number[], as: number[], bs: number[]) {
    return this.binary('div', a, b, shape, as, bs);
  }
  maximum(a: GpuStorage, b: GpuStorage, shape: number[], as: number[], bs: number[]) {
    return this.binary('maximum', a, b, shape, as, bs);
  }
  minimum(a: GpuStorage, b: GpuStorage, shape: number[], as: number[], bs: number[]) {
    return this.binary('minimum', a, b, shape, as, bs);
  }
  greater(a: GpuStorage, b: GpuStorage, shape: number[], as: number[], bs: number[]) {
    return this.binary('greater', a, b, shape, as, bs);
  }
  equal(a: GpuStorage, b: GpuStorage, shape: number[], as: number[], bs: number[]) {
    return this.binary('equal', a, b, shape, as, bs);
  }

  private binary(
    op: BinaryKernel,
    a: GpuStorage,
    b: GpuStorage,
    shape: number[],
    as: number[],
    bs: number[],
  ) {
    return binary(this.rt, op, a, b, shape, as, bs);
  }

  sum(x: GpuStorage, outer: number, n: number, inner: number) {
    return sum(this.rt, x, outer, n, inner);
  }
  sumSquares(x: GpuStorage) {
    return sumSquares(this.rt, x);
  }
  max(x: GpuStorage, outer: number, n: number, inner: number) {
    return max(this.rt, x, outer, n, inner);
  }

  softmax(x: GpuStorage, rows: number, n: number) {
    return softmax(this.rt, x, rows, n);
  }
  logSoftmax(x: GpuStorage, rows: number, n: number) {
    return logSoftmax(this.rt, x, rows, n);
  }
  softmaxBackward(y: GpuStorage, dy: GpuStorage, rows: number, n: number) {
    return softmaxBackward(this.rt, y, dy, rows, n);
  }
  logSoftmaxBackward(y: GpuStorage, dy: GpuStorage, rows: number, n: number) {
    return logSoftmaxBackward(this.rt, y, dy, rows, n);
  }

  layerNorm(x: GpuStorage, w: GpuStorage, b: GpuStorage, rows: number, n: number, eps: number) {
    return layerNorm(this.rt, x, w, b, rows, n, eps);
  }
  layerNormBackward(
    dy: GpuStorage,
    x: GpuStorage,
    w: GpuStorage,
    mean: GpuStorage,
    rstd: GpuStorage,
    rows: number,
    n: number,
  ) {
    return layerNormBackward(this.rt, dy, x, w, mean, rstd, rows, n);
  }
  layerNormParamGrads(
    dy: GpuStorage,
    x: GpuStorage,
    mean: GpuStorage,
    rstd: GpuStorage,
    rows: number,
    n: number,
  ) {
    return layerNormParamGrads(this.rt, dy, x, mean, rstd, rows, n);
  }

  matmul(
    a: GemmOperand<GpuStorage>,
    b: GemmOperand<GpuStorage>,
    shape: GemmShape,
    bias: GpuStorage | null,
    layout?: GemmOutLayout,
  ) {
    return matmul(this.rt, a, b, shape, bias, layout);
  }

  copyStrided(x: GpuStorage, shape: number[], strides: number[], offset: number) {
    return copyStrided(this.rt, x, shape, strides, offset);
  }
  pad(x: GpuStorage, inShape: number[], outShape: number[], starts: number[]) {
    return pad(this.rt, x, inShape, outShape, starts);
  }
  concat(parts: GpuStorage[], outer: number, sizes: number[], inner: number) {
    return concat(this.rt, parts, outer, sizes, inner);
  }
  gather(x: GpuStorage, index: Int32Array, outer: number, n: number, inner: number) {
    return gather(this.rt, x, index, outer, n, inner);
  }
  scatterAdd(g: GpuStorage, index: Int32Array, outer: number, n: number, inner: number) {
    return scatterAdd(this.rt, g, index, outer, n, inner);
  }

  adamw(
    p: GpuStorage,
    grad: GpuStorage,
    m: GpuStorage,
    v: GpuStorage,
    hp: AdamWParams,
    clip: GradClip<GpuStorage> | null,
  ) {
    return adamw(this.rt, p, grad, m, v, hp, clip);
  }
  ema(t: GpuStorage, s: GpuStorage, momentum: number) {
    return ema(this.rt, t, s, momentum);
  }
}
