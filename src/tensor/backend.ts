// The kernel contract: what every backend must implement.
//
// A backend owns storage (where a tensor's elements live: a typed array on `cpu`, a gpu.js
// buffer or texture on `gpu`) and implements every kernel below. Kernel names form a union type
// (`KernelName`) and a backend is typed as `Backend<S>`, so a backend that misses a kernel does
// not compile. Kernels take storage plus explicit sizes and strides, already validated and
// simplified by the op that calls them (src/autograd/ops): they never check shapes themselves.
// Every kernel allocates and returns its output; inputs are never modified.
//
// The cpu kernels (src/tensor/cpu/) are the readable reference; the gpu kernels
// (src/tensor/gpu/) are their twins: same file names, function names and index math.

import type { DType, TypedArray } from './dtype.js';

/** Where a tensor's elements live. Backends extend this with their own handle. */
export interface Storage {
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
}

/** Hyper-parameters of one AdamW update (torch.optim.AdamW semantics). */
export interface AdamWParams {
  lr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** The parameter's own step count, starting at 1 for its first update. */
  step: number;
}

/**
 * One operand of a matrix product, read in place through strides, so that transposes, the
 * heads of a qkv projection and broadcast batches need no copy. Element (t0, t1, i, j) is at
 *   offset + t0·batchStrides[0] + t1·batchStrides[1] + i·rowStride + j·colStride.
 * A batch stride of 0 uses one matrix for every batch entry; a transposed operand swaps the row
 * and column strides.
 */
export interface GemmOperand<S extends Storage> {
  data: S;
  offset: number;
  batchStrides: readonly [number, number];
  rowStride: number;
  colStride: number;
}

/**
 * out[t0, t1] = alpha · a[t0, t1] · b[t0, t1] (+ bias on every row), t0 < batch[0], t1 < batch[1];
 * a[t0, t1] is M×K and b[t0, t1] is K×N.
 */
export interface GemmShape {
  batch: readonly [number, number];
  M: number;
  K: number;
  N: number;
  /** Scale of the product (attention's d^-0.5); 1 for a plain product. */
  alpha: number;
}

/**
 * Where out[t0, t1, i, j] goes: by default a new contiguous [batch0·batch1, M, N] buffer.
 * With a layout, the kernel allocates `size` elements and writes element (t0, t1, i, j) at
 * t0·batchStrides[0] + t1·batchStrides[1] + i·rowStride + j·colStride; the caller guarantees
 * that these positions cover the buffer exactly once (e.g. attention's [B, h, N, d] product
 * written straight into [B, N, h·d]).
 */
export interface GemmOutLayout {
  size: number;
  batchStrides: readonly [number, number];
  rowStride: number;
  colStride: number;
}

/** The default output layout of a product: contiguous [batch0·batch1, M, N]. */
export function contiguousLayout(shape: GemmShape): GemmOutLayout {
  const { batch, M, N } = shape;
  return {
    size: batch[0] * batch[1] * M * N,
    batchStrides: [batch[1] * M * N, M * N],
    rowStride: N,
    colStride: 1,
  };
}

/** Unary elementwise kernels without parameters. */
export type UnaryKernel = 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'sign' | 'gelu' | 'erf';
/** Binary elementwise kernels with broadcasting. `greater` and `equal` return 1 or 0. */
export type BinaryKernel =
  'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum' | 'greater' | 'equal';

export interface Kernels<S extends Storage> {
  /** A new buffer of `size` elements, all equal to `value`. */
  full(dtype: DType, size: number, value: number): S;
  /** Converts to another dtype (cpu only for float64). */
  cast(x: S, dtype: DType): S;

  // Elementwise, one output element per input element.
  neg(x: S): S;
  exp(x: S): S;
  log(x: S): S;
  sqrt(x: S): S;
  abs(x: S): S;
  /** −1, 0 or 1. */
  sign(x: S): S;
  /** Exact GELU: x·Φ(x) = ½x(1 + erf(x/√2)). */
  gelu(x: S): S;
  erf(x: S): S;
  /** x·scale + shift. */
  affine(x: S, scale: number, shift: number): S;
  /** x^p for a scalar exponent. */
  powScalar(x: S, p: number): S;
  /** dy · GELU′(x), GELU′(x) = Φ(x) + x·φ(x). */
  geluBackward(x: S, dy: S): S;

  /**
   * Binary elementwise with broadcasting. `shape` is the output shape (row-major) and
   * `aStrides`/`bStrides` read each input as if broadcast to it (stride 0 on stretched dims).
   */
  add(a: S, b: S, shape: number[], aStrides: number[], bStrides: number[]): S;
  sub(a: S, b: S, shape: number[], aStrides: number[], bStrides: number[]): S;
  mul(a: S, b: S, shape: number[], aStrides: number[], bStrides: number[]): S;
  div(a: S, b: S, shape: number[], aStrides: number[], bStrides: number[]): S;
  maximum(a: S, b: S, shape: number[], aStrides: number[], bStrides: number[]): S;
  minimum(a: S, b: S, shape: number[], aStrides: number[], bStrides: number[]): S;
  greater(a: S, b: S, shape: number[], aStrides: number[], bStrides: number[]): S;
  equal(a: S, b: S, shape: number[], aStrides: number[], bStrides: number[]): S;

  /** x viewed as [outer, n, inner], reduced over n: output [outer, inner]. */
  sum(x: S, outer: number, n: number, inner: number): S;
  max(x: S, outer: number, n: number, inner: number): S;

  /** Row-wise over the last axis of x viewed as [rows, n]. Max-subtracted. */
  softmax(x: S, rows: number, n: number): S;
  logSoftmax(x: S, rows: number, n: number): S;
  /** dx = y ⊙ (dy − Σ dy ⊙ y) with y = softmax(x). */
  softmaxBackward(y: S, dy: S, rows: number, n: number): S;
  /** dx = dy − exp(y) · Σ dy with y = logSoftmax(x). */
  logSoftmaxBackward(y: S, dy: S, rows: number, n: number): S;

  /** LayerNorm over the last axis of x viewed as [rows, n], biased variance; also returns the
   * per-row mean and 1/√(var + eps) that the backward needs. */
  layerNorm(
    x: S,
    weight: S,
    bias: S,
    rows: number,
    n: number,
    eps: number,
  ): { y: S; mean: S; rstd: S };
  /** dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)) with ĝ = dy ⊙ weight, x̂ = (x − mean)·rstd. */
  layerNormBackward(dy: S, x: S, weight: S, mean: S, rstd: S, rows: number, n: number): S;
  /** dweight = Σ_rows dy ⊙ x̂, dbias = Σ_rows dy. */
  layerNormParamGrads(
    dy: S,
    x: S,
    mean: S,
    rstd: S,
    rows: number,
    n: number,
  ): { dweight: S; dbias: S };

  /**
   * The matrix product out[t0, t1] = alpha · a[t0, t1] · b[t0, t1] (+ bias on every row), for
   * t0 < batch[0], t1 < batch[1], with operands read in place through strides (GemmOperand) and
   * the output written in `out`'s layout (default: contiguous [batch0·batch1, M, N]).
   * `bias` (length N, or null) is added to every output row after the scale: the fused `linear`.
   * K = 0 gives alpha·0 (+ bias); M, N or a batch size of 0 give an empty output.
   */
  matmul(
    a: GemmOperand<S>,
    b: GemmOperand<S>,
    shape: GemmShape,
    bias: S | null,
    out?: GemmOutLayout,
  ): S;

  /** Gathers a strided view into a new row-major buffer of `shape`:
   * out[i₀..iₖ] = x[offset + Σ i_d · strides_d]. Permute, slice, expand are this kernel. */
  copyStrided(x: S, shape: number[], strides: number[], offset: number): S;
  /** Embeds x (row-major, `inShape`) in zeros of `outShape` starting at `starts` (slice backward).
   * */
  pad(x: S, inShape: number[], outShape: number[], starts: number[]): S;
  /** Concatenates parts viewed as [outer, sizes[i], inner] along the middle axis. */
  concat(parts: S[], outer: number, sizes: number[], inner: number): S;
  /** out[o, j, i] = x[o, index[j], i] with x viewed as [outer, n, inner]. */
  gather(x: S, index: Int32Array, outer: number, n: number, inner: number): S;
  /** The adjoint of gather: out[o, index[j], i] += g[o, j, i], out viewed as [outer, n, inner]. */
  scatterAdd(g: S, index: Int32Array, outer: number, n: number, inner: number): S;

  /** One AdamW update (decoupled weight decay first, as PyTorch). Returns new p, m, v. */
  adamw(p: S, grad: S, m: S, v: S, hp: AdamWParams): { p: S; m: S; v: S };
  /** Teacher EMA: t·momentum + s·(1 − momentum). */
  ema(t: S, s: S, momentum: number): S;
}

export type KernelName = keyof Kernels<Storage>;

export type BackendName = 'cpu' | 'gpu' | 'wasm';

/** A backend: storage management plus every kernel of the contract. */
export interface Backend<S extends Storage = Storage> extends Kernels<S> {
  readonly name: BackendName;
  /** Human-readable description: mode and adapter where it applies. */
  describe(): string;
  supportsDtype(dtype: DType): boolean;
  /** Wraps or copies host data into storage. With `copy: false` the backend may keep `data`. */
  upload(data: TypedArray, copy: boolean): S;
  /** Reads the elements back to the host (a sync point on asynchronous backends). */
  read(s: S): Promise<TypedArray>;
  /** Synchronous read, where the backend can do it (throws on asynchronous backends). */
  readSync(s: S): TypedArray;
  /** Releases storage that no tensor uses any more (pooled or freed). */
  release(s: S): void;
}
