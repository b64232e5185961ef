// Matrix products: matmul with NumPy batch broadcasting, and linear (x·Wᵀ + b, the nn.Linear
// layout with W stored [out, in]). Backward rules read transposed operands in place through the
// kernel's trans flags, so no transpose is ever copied:
//   Y = A·B:  dA = dY·Bᵀ,  dB = Aᵀ·dY   (summed over broadcast batch dimensions)

import { broadcastShapes, fmtShape, ShapeError, sameShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkCompatible, record, run } from '../function.js';
import { add, unbroadcast } from './elementwise.js';
import { expand, reshape, squeeze, unsqueeze } from './movement.js';

const prod = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

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
    // b is one matrix: fold a's batch into its rows, one product [R, K]·[K, N]
    return matmulFolded(a, reshape(b, [K, N]), b.shape);
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
  const B = prod(batch);
  // a batch broadcast other than "same" or "one matrix for all" is materialised
  const aFull = sameShape(batchA, batch) ? a : prod(batchA) === 1 ? a : expand(a, [...batch, M, K]);
  const bFull = sameShape(batchB, batch) ? b : prod(batchB) === 1 ? b : expand(b, [...batch, K, N]);
  const aStride = prod(aFull.shape.slice(0, -2)) === 1 ? 0 : M * K;
  const bStride = prod(bFull.shape.slice(0, -2)) === 1 ? 0 : K * N;
  const shape = [...batch, M, N];
  const y = run('matmul', a, shape, (k) =>
    k.matmul(aFull.storage, bFull.storage, B, M, K, N, aStride, bStride, false, false),
  );
  return record('matmul', y, [a, b], (g) => {
    // dA = dY·Bᵀ, dB = Aᵀ·dY per batch, then summed over a's / b's broadcast dimensions
    const dA = a.requiresGrad
      ? unbroadcast(
          run('matmul', g, [...batch, M, K], (k) =>
            k.matmul(g.storage, bFull.storage, B, M, N, K, M * N, bStride, false, true),
          ),
          a.shape,
        )
      : null;
    const dB = b.requiresGrad
      ? unbroadcast(
          run('matmul', g, [...batch, K, N], (k) =>
            k.matmul(aFull.storage, g.storage, B, K, M, N, aStride, M * N, true, false),
          ),
          b.shape,
        )
      : null;
    return [dA, dB];
  });
}

/** a [..., M, K] · b2 [K, N] with a's batch folded into rows. */
function matmulFolded(a: Tensor, b2: Tensor, bShape: readonly number[]): Tensor {
  const K = a.shape[a.ndim - 1];
  const N = b2.shape[1];
  const R = prod(a.shape.slice(0, -1)); // not a.size / K, which is NaN when K = 0
  const lead = bShape.length > 2 ? bShape.slice(0, -2) : [];
  const batch = a.shape.slice(0, -2);
  const shape = [...(lead.length > batch.length ? lead : batch), a.shape[a.ndim - 2], N];
  const y = run('matmul', a, shape, (k) =>
    k.matmul(a.storage, b2.storage, 1, R, K, N, 0, 0, false, false),
  );
  return record('matmul', y, [a, b2], (g) => [
    // dA = dY·Bᵀ: [R, N]·[N, K];  dB = Aᵀ·dY: [K, R]·[R, N]
    a.requiresGrad
      ? run('matmul', g, a.shape, (k) =>
          k.matmul(g.storage, b2.storage, 1, R, N, K, 0, 0, false, true),
        )
      : null,
    b2.requiresGrad
      ? run('matmul', g, [K, N], (k) =>
          k.matmul(a.storage, g.storage, 1, K, R, N, 0, 0, true, false),
        )
      : null,
  ]);
}

/**
 * y = x·Wᵀ + b with x [..., in], W [out, in], b [out] (torch.nn.functional.linear).
 * The transposed weight is read in place.
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
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== O)) {
    throw new ShapeError(
      `linear: bias is ${fmtShape(bias.shape)} but the weight is ${fmtShape(weight.shape)} ` +
        `(expects [${O}])`,
    );
  }
  const R = prod(x.shape.slice(0, -1)); // not x.size / I, which is NaN when I = 0
  const shape = [...x.shape.slice(0, -1), O];
  const xw = run('linear', x, shape, (k) =>
    k.matmul(x.storage, weight.storage, 1, R, I, O, 0, 0, false, true),
  );
  // dx = dY·W: [R, O]·[O, I];  dW = dYᵀ·x: [O, R]·[R, I]
  const y = record('linear', xw, [x, weight], (g) => [
    x.requiresGrad
      ? run('matmul', g, x.shape, (k) =>
          k.matmul(g.storage, weight.storage, 1, R, O, I, 0, 0, false, false),
        )
      : null,
    weight.requiresGrad
      ? run('matmul', g, [O, I], (k) =>
          k.matmul(g.storage, x.storage, 1, O, R, I, 0, 0, true, false),
        )
      : null,
  ]);
  return bias ? add(y, bias) : y;
}
