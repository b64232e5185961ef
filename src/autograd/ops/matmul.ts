// Matrix products: the `gemm` helper that every product goes through, `matmul` with NumPy batch
// broadcasting, and `linear` (x·Wᵀ + b, the nn.Linear layout with W stored [out, in], bias fused
// into the product). Operands are read in place through strides (the kernel contract's
// GemmOperand), so a transposed operand, a broadcast batch or one head of a qkv projection is
// never copied. The gradient of a product, written once and used by both ops:
//   Y = A·B:  dA = dY·Bᵀ,  dB = Aᵀ·dY   (summed over the batch entries an operand was broadcast to)
// The fused multi-head attention, also built on gemm, is in attention.ts.

import type { GemmOutLayout } from '../../tensor/backend.js';
import { broadcastShapes, fmtShape, ShapeError, sameShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkCompatible, record, run } from '../function.js';
import { unbroadcast } from './elementwise.js';
import { expand, reshape, squeeze, unsqueeze } from './movement.js';

const prod = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/**
 * A tensor's elements read as a [batch0, batch1] grid of rows × cols matrices: element
 * (t0, t1, i, j) is at offset + t0·batchStrides[0] + t1·batchStrides[1] + i·rowStride +
 * j·colStride of the tensor's storage. A batch dimension of 1 has stride 0 and broadcasts.
 */
export interface Matrices {
  tensor: Tensor;
  batch: readonly [number, number];
  rows: number;
  cols: number;
  offset: number;
  batchStrides: readonly [number, number];
  rowStride: number;
  colStride: number;
}

/**
 * A contiguous tensor [..., rows, cols] as matrices: [rows, cols] is one matrix, [n, rows, cols]
 * a batch of n, and [..., m, n, rows, cols] a grid [prod(...)·m, n]. With `shape` (of the same
 * size), the tensor is read as if it had that shape: no view is made.
 */
export function matrices(t: Tensor, shape: readonly number[] = t.shape): Matrices {
  if (shape.length < 2)
    throw new ShapeError(`gemm: an operand needs 2 dimensions, got ${fmtShape(shape)}`);
  const [rows, cols] = shape.slice(-2);
  const lead = shape.slice(0, -2);
  const b1 = lead.length > 0 ? lead[lead.length - 1] : 1;
  const b0 = prod(lead.slice(0, -1));
  return {
    tensor: t,
    batch: [b0, b1],
    rows,
    cols,
    offset: 0,
    batchStrides: [b0 === 1 ? 0 : b1 * rows * cols, b1 === 1 ? 0 : rows * cols],
    rowStride: cols,
    colStride: 1,
  };
}

/** The transposed matrices: rows and columns swap, and so do their strides (nothing is copied). */
export function transposed(m: Matrices): Matrices {
  return { ...m, rows: m.cols, cols: m.rows, rowStride: m.colStride, colStride: m.rowStride };
}

export interface GemmOptions {
  /** Use aᵀ (bᵀ) instead of a (b). */
  transA?: boolean;
  transB?: boolean;
  /** Scales the product (attention's d^-0.5); default 1. */
  alpha?: number;
  /** Added to every output row, after the scale (length N). */
  bias?: Tensor | null;
  /** Where the output goes (default: contiguous [batch0, batch1, M, N]); see GemmOutLayout. */
  layout?: GemmOutLayout;
  /** The output tensor's shape (default: [M, N] for one matrix, else [batch1, M, N] or
   * [batch0, batch1, M, N]). Its size must be the layout's. */
  shape?: readonly number[];
  /** The op named in MINI_DINO_DEBUG logs (default 'matmul'). */
  op?: string;
}

/**
 * Y = alpha · op(a) · op(b) (+ bias) with one kernel call, where op transposes when asked.
 * Tensors are read as matrices() (contiguous [..., rows, cols]); Matrices read anything in place.
 * Batch dimensions must agree or be 1 (broadcast). Not differentiable by itself: the ops record
 * their own rules, which call gemm again.
 */
export function gemm(a: Tensor | Matrices, b: Tensor | Matrices, opts: GemmOptions = {}): Tensor {
  let A = 'tensor' in a ? a : matrices(a);
  let B = 'tensor' in b ? b : matrices(b);
  if (opts.transA) A = transposed(A);
  if (opts.transB) B = transposed(B);
  const op = opts.op ?? 'matmul';
  checkCompatible(op, A.tensor, B.tensor);
  if (A.cols !== B.rows)
    throw new ShapeError(`${op}: inner dimensions differ (${A.cols} ≠ ${B.rows})`);
  const batch = [0, 1].map((d) => {
    const [x, y] = [A.batch[d], B.batch[d]];
    if (x !== y && x !== 1 && y !== 1)
      throw new ShapeError(`${op}: batch dimensions differ (${x} ≠ ${y})`);
    return x === 1 ? y : x;
  }) as [number, number];
  const [M, K, N] = [A.rows, A.cols, B.cols];
  const lead = batch[0] !== 1 ? batch : batch[1] !== 1 ? [batch[1]] : [];
  const shape = opts.shape ?? [...lead, M, N];
  const bias = opts.bias ?? null;
  if (bias) checkCompatible(op, A.tensor, bias);
  return run(op, A.tensor, shape, (k) =>
    k.matmul(
      operand(A),
      operand(B),
      { batch, M, K, N, alpha: opts.alpha ?? 1 },
      bias ? bias.storage : null,
      opts.layout,
    ),
  );
}

function operand(m: Matrices) {
  const { offset, batchStrides, rowStride, colStride } = m;
  return { data: m.tensor.storage, offset, batchStrides, rowStride, colStride };
}

/**
 * a [..., M, K] · b [..., K, N] → [..., M, N]; batch dimensions broadcast. A 1-D operand is a
 * row (a) or column (b) vector, and its axis is removed from the result, as in NumPy.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkCompatible('matmul', a, b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(
      `matmul: both operands need at least 1 dimension: a is ${fmtShape(a.shape)} ` +
        `and b is ${fmtShape(b.shape)}`,
    );
  }
  // checked on the shapes as given, before 1-D operands are promoted, so the message shows them
  const K = a.shape[a.ndim - 1];
  const K2 = b.shape[b.ndim === 1 ? 0 : b.ndim - 2];
  if (K !== K2) {
    throw new ShapeError(
      `matmul: inner dimensions differ: a is ${fmtShape(a.shape)} and b ` +
        `is ${fmtShape(b.shape)} (${K} ≠ ${K2})`,
    );
  }
  if (a.ndim === 1 && b.ndim === 1) return reshape(matmul(unsqueeze(a, 0), unsqueeze(b, 1)), []);
  if (a.ndim === 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.ndim === 1) return squeeze(matmul(a, unsqueeze(b, 1)), -1);
  const M = a.shape[a.ndim - 2];
  const N = b.shape[b.ndim - 1];
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  if (batchB.length === 0 || (prod(batchB) === 1 && batchB.length <= batchA.length)) {
    // b is one matrix: a's batch folds into its rows, one product [R, K]·[K, N]
    const lead = batchB.length > batchA.length ? batchB : batchA;
    const R = prod(a.shape.slice(0, -1)); // not a.size / K, which is NaN when K = 0
    return product(a, b, matrices(a, [R, K]), matrices(b, [K, N]), [...lead, M, N], true);
  }
  for (let i = 1; i <= Math.min(batchA.length, batchB.length); i++) {
    const da = batchA[batchA.length - i];
    const db = batchB[batchB.length - i];
    if (da !== db && da !== 1 && db !== 1) {
      // named by the full shapes and the axis counted from their end, not the batch prefixes
      throw new ShapeError(
        `matmul: batch dimensions cannot be broadcast: a is ${fmtShape(a.shape)} ` +
          `and b is ${fmtShape(b.shape)} (dim ${-i - 2}: ${da} ≠ ${db})`,
      );
    }
  }
  const batch = broadcastShapes('matmul', batchA, batchB);
  const T = prod(batch);
  // an operand is read in place when it has the whole batch or one matrix for all of it; any other
  // broadcast is materialised
  const full = (x: Tensor, xBatch: number[], R: number, C: number) =>
    prod(xBatch) === 1
      ? matrices(x, [1, R, C])
      : matrices(sameShape(xBatch, batch) ? x : expand(x, [...batch, R, C]), [T, R, C]);
  const [A, B] = [full(a, batchA, M, K), full(b, batchB, K, N)];
  return product(a, b, A, B, [...batch, M, N], false);
}

/**
 * Y = A·B, where A [T | 1, M, K] and B [T | 1, K, N] read a and b (`folded`: A [R, K] holds all
 * of a's rows and B is b's one matrix), and Y has `shape`. dA = dY·Bᵀ and dB = Aᵀ·dY come out
 * per batch entry and are summed over the entries a or b was broadcast to.
 */
function product(
  a: Tensor,
  b: Tensor,
  A: Matrices,
  B: Matrices,
  shape: number[],
  folded: boolean,
): Tensor {
  const y = gemm(A, B, { shape });
  return record('matmul', y, [a, b], (g) => {
    const T = Math.max(A.batch[1], B.batch[1]);
    const G = matrices(g, [T, A.rows, B.cols]);
    const lead = shape.slice(0, -2);
    const [M, K, N] = [A.rows, A.cols, B.cols];
    // dA = dY·Bᵀ,  dB = Aᵀ·dY
    const dA = a.requiresGrad
      ? gemm(G, B, { transB: true, shape: folded ? a.shape : [...lead, M, K] })
      : null;
    const dB = b.requiresGrad
      ? gemm(A, G, { transA: true, shape: folded ? b.shape : [...lead, K, N] })
      : null;
    return [dA && unbroadcast(dA, a.shape), dB && unbroadcast(dB, b.shape)];
  });
}

/**
 * y = x·Wᵀ + b with x [..., in], W [out, in], b [out] (torch.nn.functional.linear), in one
 * kernel call: the transposed weight is read in place and the bias added as each row is written.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkCompatible('linear', x, weight);
  if (weight.ndim !== 2)
    throw new ShapeError(`linear: weight must be [out, in], got ${fmtShape(weight.shape)}`);
  const [O, I] = weight.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== I) {
    throw new ShapeError(
      `linear: x is ${fmtShape(x.shape)} but the weight is ${fmtShape(weight.shape)} ` +
        `(expects last dimension ${I})`,
    );
  }
  if (bias) {
    checkCompatible('linear', x, bias);
    if (bias.ndim !== 1 || bias.shape[0] !== O) {
      throw new ShapeError(
        `linear: bias is ${fmtShape(bias.shape)} but the weight is ${fmtShape(weight.shape)} ` +
          `(expects [${O}])`,
      );
    }
  }
  const R = prod(x.shape.slice(0, -1)); // not x.size / I, which is NaN when I = 0
  const X = matrices(x, [R, I]);
  const y = gemm(X, weight, {
    transB: true,
    bias,
    shape: [...x.shape.slice(0, -1), O],
    op: 'linear',
  });
  // dx = dY·W: [R, O]·[O, I];  dW = dYᵀ·x: [O, R]·[R, I];  db = Σ_rows dY
  return record('linear', y, bias ? [x, weight, bias] : [x, weight], (g) => {
    const G = matrices(g, [R, O]);
    return [
      x.requiresGrad ? gemm(G, weight, { shape: x.shape }) : null,
      weight.requiresGrad ? gemm(G, X, { transA: true }) : null,
      bias?.requiresGrad ? run('sum', g, [O], (k) => k.sum(g.storage, 1, R, O)) : null,
    ];
  });
}
