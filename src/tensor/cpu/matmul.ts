// CPU reference: the matrix product of the kernel contract (GemmOperand, GemmShape and
// GemmOutLayout in src/tensor/backend.ts), in plain loops. It is the ground truth that the fast
// float32 path (gemm-simd.ts, threads.ts) and the gpu twin (src/tensor/gpu/matmul.ts, same
// function name, arguments and index math) are tested against.
//
//   out[t0, t1, i, j] = alpha · Σ_k a[t0, t1, i, k] · b[t0, t1, k, j]  (+ bias[j])
//
// for t0 < batch[0], t1 < batch[1], i < M, j < N, k < K, where an operand's element is
//   X[t0, t1, r, c] = X.data[X.offset + t0·X.batchStrides[0] + t1·X.batchStrides[1]
//                            + r·X.rowStride + c·X.colStride]
// and out[t0, t1, i, j] is stored at t0·L.batchStrides[0] + t1·L.batchStrides[1] + i·L.rowStride
// + j·L.colStride of the layout L. Strides make transposes (swap the row and column strides),
// broadcast batches (batch stride 0) and the heads of attention (two batch dimensions) free.
//
// The sum runs over k in order in a JavaScript number (float64), is scaled, gets the bias and is
// rounded once when stored; for float64 this is exactly the textbook triple loop, which is what
// the PyTorch parity fixtures are checked with.

import type { GemmOperand, GemmOutLayout, GemmShape } from '../backend.js';
import type { TypedArray } from '../dtype.js';

/** A GemmOperand over the elements of a cpu storage. */
export type ArrayOperand = Omit<GemmOperand<never>, 'data'> & { readonly data: TypedArray };

export function matmul(
  out: TypedArray,
  a: ArrayOperand,
  b: ArrayOperand,
  shape: GemmShape,
  bias: TypedArray | null,
  layout: GemmOutLayout,
): void {
  const { batch, M, K, N, alpha } = shape;
  for (let t0 = 0; t0 < batch[0]; t0++) {
    for (let t1 = 0; t1 < batch[1]; t1++) {
      const aMat = a.offset + t0 * a.batchStrides[0] + t1 * a.batchStrides[1];
      const bMat = b.offset + t0 * b.batchStrides[0] + t1 * b.batchStrides[1];
      const oMat = t0 * layout.batchStrides[0] + t1 * layout.batchStrides[1];
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) {
            s +=
              a.data[aMat + i * a.rowStride + k * a.colStride] *
              b.data[bMat + k * b.rowStride + j * b.colStride];
          }
          out[oMat + i * layout.rowStride + j * layout.colStride] = bias
            ? alpha * s + bias[j]
            : alpha * s;
        }
      }
    }
  }
}
