// CPU reference: the matrix product of the kernel contract (GemmOperand, GemmShape and
// GemmOutLayout in src/tensor/backend.ts), in plain loops. It is the ground truth that the wasm
// kernel (src/tensor/wasm/matmul.ts) and the gpu twin (src/tensor/gpu/matmul.ts, same function
// name, arguments and index math) are tested against.
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
// The sum runs over k in order in float64, is scaled, gets the bias and is rounded once when
// stored; for float64 this is exactly the textbook triple loop, which is what the PyTorch parity
// fixtures are checked with. The loops run i, k, j (a row of float64 sums, one per column j)
// rather than i, j, k: every sum still adds its terms in the order k = 0, 1, …, so the result is
// the same to the bit, but the inner loop walks a row of b instead of a column (several times
// faster on row-major operands, which keeps float32 tests that train on cpu quick).

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
  const sums = new Float64Array(N); // Σ_k a[i, k]·b[k, j] for the current row i
  for (let t0 = 0; t0 < batch[0]; t0++) {
    for (let t1 = 0; t1 < batch[1]; t1++) {
      const aMat = a.offset + t0 * a.batchStrides[0] + t1 * a.batchStrides[1];
      const bMat = b.offset + t0 * b.batchStrides[0] + t1 * b.batchStrides[1];
      const oMat = t0 * layout.batchStrides[0] + t1 * layout.batchStrides[1];
      for (let i = 0; i < M; i++) {
        sums.fill(0);
        for (let k = 0; k < K; k++) {
          const aik = a.data[aMat + i * a.rowStride + k * a.colStride];
          const bRow = bMat + k * b.rowStride;
          for (let j = 0; j < N; j++) sums[j] += aik * b.data[bRow + j * b.colStride];
        }
        const oRow = oMat + i * layout.rowStride;
        for (let j = 0; j < N; j++)
          out[oRow + j * layout.colStride] = bias ? alpha * sums[j] + bias[j] : alpha * sums[j];
      }
    }
  }
}
