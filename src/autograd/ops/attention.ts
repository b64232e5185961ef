// Multi-head scaled dot-product attention from a qkv projection, as one op: the middle of the
// official vision_transformer.py `Attention.forward` (between its qkv and proj Linear layers;
// "Attention Is All You Need", Vaswani et al. 2017, section 3.2). With qkv [B, N, 3D] viewed as
// [B, N, 3, h, d] and permuted to [3, B, h, N, d], q, k, v [B, h, N, d] and scale = d^-0.5:
//   S = scale · q·kᵀ        [B, h, N, N]
//   P = softmax(S)          over the last axis (the attention probabilities)
//   O = P·v                 [B, h, N, d], returned as [B, N, D] (heads concatenated, before proj)
// q, k and v are read in place inside qkv as strided operands with two batch dimensions (B and h),
// and O is written straight into [B, N, D] through an output layout: no permute, transpose or
// select copies. Shapes: B batch, N tokens, D = h·d embed dim, h heads, d head dim.

import type { GemmOutLayout } from '../../tensor/backend.js';
import { fmtShape, ShapeError } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { record, run } from '../function.js';
import { isGradEnabled } from '../grad-mode.js';
import { gemm, type Matrices, matrices, transposed } from './matmul.js';

export interface AttentionOptions {
  /** Scale of the logits (the official qk_scale); default d^-0.5. */
  scale?: number;
  /** Also return P [B, h, N, N] (for attention maps; no gradient flows through it). */
  returnAttention?: boolean;
}

/**
 * Attention of `numHeads` heads over qkv [B, N, 3D]: returns y [B, N, D] and, when asked, the
 * probabilities attn [B, h, N, N] (else null). P is kept only as long as the backward needs it.
 */
export function attention(
  qkv: Tensor,
  numHeads: number,
  opts: AttentionOptions = {},
): { y: Tensor; attn: Tensor | null } {
  const h = numHeads;
  if (!Number.isInteger(h) || h < 1)
    throw new RangeError(`attention: numHeads must be a positive integer, got ${h}`);
  if (qkv.ndim !== 3 || qkv.shape[2] % (3 * h) !== 0) {
    throw new ShapeError(
      `attention: qkv must be [B, N, 3·D] with D divisible by ${h} heads, ` +
        `got ${fmtShape(qkv.shape)}`,
    );
  }
  const [B, N, D3] = qkv.shape;
  const D = D3 / 3;
  const d = D / h;
  const scale = opts.scale ?? d ** -0.5;
  // the h heads of a [B, N, C] tensor whose rows hold them side by side from column `offset`:
  // head (b, head), row n, column e at b·N·C + n·C + offset + head·d + e (q, k, v: offset 0, D
  // and 2D of qkv [B, N, 3, h, d]; dO: 0 of [B, N, D])
  const heads = (t: Tensor, offset: number): Matrices => ({
    tensor: t,
    batch: [B, h],
    rows: N,
    cols: d,
    offset,
    batchStrides: [N * t.shape[2], d],
    rowStride: t.shape[2],
    colStride: 1,
  });
  const [q, k, v] = [heads(qkv, 0), heads(qkv, D), heads(qkv, 2 * D)];
  // [B, h, N, d] results written as [B, N, h·d]
  const asTokens: GemmOutLayout = {
    size: B * N * D,
    batchStrides: [N * D, d],
    rowStride: D,
    colStride: 1,
  };
  const S = gemm(q, k, { transB: true, alpha: scale, shape: [B, h, N, N], op: 'attention' });
  const P = run('attention', S, S.shape, (kn) => kn.softmax(S.storage, B * h * N, N));
  S.dispose();
  const out = gemm(P, v, { layout: asTokens, shape: [B, N, D], op: 'attention' });

  const needsBackward = isGradEnabled() && qkv.requiresGrad;
  if (!needsBackward) {
    if (!opts.returnAttention) P.dispose();
    return { y: out, attn: opts.returnAttention ? P : null };
  }
  // dO [B, N, D] read as [B, h, N, d], like the output was written:
  //   dV = Pᵀ·dO,  dP = dO·Vᵀ,  dS = P ⊙ (dP − rowsum(dP ⊙ P)),  dQ = scale·dS·K,
  //   dK = scale·dSᵀ·Q
  // each written as [B, N, D]; one concat lays them side by side as dqkv [B, N, 3D] (the kernel
  // contract gives every product a buffer of its own)
  const y = record('attention', out, [qkv], (g) => {
    const dO = heads(g, 0);
    const tokens = { layout: asTokens, shape: [B, N, D] };
    const dV = gemm(transposed(matrices(P)), dO, tokens);
    const dP = gemm(dO, v, { transB: true, shape: [B, h, N, N] });
    const dS = run('softmaxBackward', dP, dP.shape, (kn) =>
      kn.softmaxBackward(P.storage, dP.storage, B * h * N, N),
    );
    dP.dispose();
    const dQ = gemm(dS, k, { alpha: scale, ...tokens });
    const dK = gemm(dS, q, { transA: true, alpha: scale, ...tokens });
    dS.dispose();
    const dqkv = run('concat', g, qkv.shape, (kn) =>
      kn.concat([dQ.storage, dK.storage, dV.storage], B * N, [D, D, D], 1),
    );
    for (const t of [dQ, dK, dV]) t.dispose();
    return [dqkv];
  });
  // a view, so that disposing the returned maps cannot free what the backward reads
  return { y, attn: opts.returnAttention ? P.view(P.shape) : null };
}
