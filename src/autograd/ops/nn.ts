// Fused neural-network ops with their own kernels and backward rules (softmax, logSoftmax,
// layerNorm; gelu is in elementwise.ts), the vector norm, L2 normalisation as torch's
// F.normalize, dropout and drop path (stochastic depth) with the seeded generator.

import { fmtShape, normAxis, ShapeError } from '../../tensor/shape.js';
import { tensor } from '../../tensor/creation.js';
import { type Generator, defaultGenerator } from '../../tensor/random.js';
import type { DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkCompatible, record, run, runMany } from '../function.js';
import { add, clamp, div, equal, greater, mul } from './elementwise.js';
import { transpose } from './movement.js';
import { sum } from './reduce.js';

/** Applies a last-axis kernel op along any axis (moving the axis last and back). */
function alongAxis(x: Tensor, axis: number, op: string, f: (x: Tensor) => Tensor): Tensor {
  const a = normAxis(op, axis, x.ndim);
  if (a === x.ndim - 1) return f(x);
  return transpose(f(transpose(x, a, -1)), a, -1);
}

/** softmax along `axis` (max-subtracted). */
export function softmax(x: Tensor, axis = -1): Tensor {
  if (x.ndim === 0) throw new ShapeError('softmax: x must have at least 1 dimension, got []');
  return alongAxis(x, axis, 'softmax', (x) => {
    const n = x.shape[x.ndim - 1];
    const rows = x.size / Math.max(n, 1);
    const y = run('softmax', x, x.shape, (k) => k.softmax(x.storage, rows, n));
    // dx = y ⊙ (g − Σ g ⊙ y)
    return record('softmax', y, [x], (g) => [
      run('softmaxBackward', g, x.shape, (k) => k.softmaxBackward(y.storage, g.storage, rows, n)),
    ]);
  });
}

/** log(softmax(x)) along `axis`, computed stably as x − max − log Σ exp(x − max). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  if (x.ndim === 0) throw new ShapeError('logSoftmax: x must have at least 1 dimension, got []');
  return alongAxis(x, axis, 'logSoftmax', (x) => {
    const n = x.shape[x.ndim - 1];
    const rows = x.size / Math.max(n, 1);
    const y = run('logSoftmax', x, x.shape, (k) => k.logSoftmax(x.storage, rows, n));
    // dx = g − softmax(x) · Σ g
    return record('logSoftmax', y, [x], (g) => [
      run('logSoftmaxBackward', g, x.shape, (k) =>
        k.logSoftmaxBackward(y.storage, g.storage, rows, n),
      ),
    ]);
  });
}

/** LayerNorm over the last axis with weight and bias of shape [D] (biased variance, eps inside √).
 * */
export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  checkCompatible('layerNorm', x, weight);
  checkCompatible('layerNorm', x, bias);
  const D = x.shape[x.ndim - 1];
  if (x.ndim === 0) throw new ShapeError('layerNorm: x must have at least 1 dimension, got []');
  if (weight.ndim !== 1 || weight.shape[0] !== D || bias.ndim !== 1 || bias.shape[0] !== D) {
    throw new ShapeError(
      `layerNorm: weight ${fmtShape(weight.shape)} and bias ${fmtShape(bias.shape)} ` +
        `must both be [${D}] for x ${fmtShape(x.shape)}`,
    );
  }
  const rows = x.shape.slice(0, -1).reduce((p, d) => p * d, 1); // not x.size / D: NaN when D = 0
  // mean and rstd are saved for backward, as tensors so that scopes release them with the rest
  const [y, meanT, rstdT] = runMany('layerNorm', x, [x.shape, [rows], [rows]], (k) => {
    const out = k.layerNorm(x.storage, weight.storage, bias.storage, rows, D, eps);
    return [out.y, out.mean, out.rstd];
  });
  return record('layerNorm', y, [x, weight, bias], (g) => {
    // dx = rstd·(ĝ − mean ĝ − x̂·mean(ĝ ⊙ x̂)) with ĝ = g ⊙ w;  dw = Σ g ⊙ x̂;  db = Σ g
    const dx = x.requiresGrad
      ? run('layerNormBackward', g, x.shape, (k) =>
          k.layerNormBackward(
            g.storage,
            x.storage,
            weight.storage,
            meanT.storage,
            rstdT.storage,
            rows,
            D,
          ),
        )
      : null;
    let dw: Tensor | null = null;
    let db: Tensor | null = null;
    if (weight.requiresGrad || bias.requiresGrad) {
      [dw, db] = runMany('layerNormParamGrads', g, [[D], [D]], (k) => {
        const p = k.layerNormParamGrads(
          g.storage,
          x.storage,
          meanT.storage,
          rstdT.storage,
          rows,
          D,
        );
        return [p.dweight, p.dbias];
      });
    }
    return [dx, weight.requiresGrad ? dw : null, bias.requiresGrad ? db : null];
  });
}

/**
 * Euclidean norm along `axis`. Its gradient x/‖x‖ is taken as 0 where ‖x‖ = 0 (as torch), so a
 * zero vector does not produce NaN.
 */
export function norm(x: Tensor, axis = -1, keepdim = false): Tensor {
  const a = normAxis('norm', axis, x.ndim);
  const sq = sum(mul(x, x), a, true);
  const nk = run('norm', x, sq.shape, (k) => k.sqrt(sq.storage));
  const y = keepdim ? nk : nk.view(x.shape.filter((_, i) => i !== a));
  // d‖x‖ = (x / ‖x‖)·g, 0 where ‖x‖ = 0
  return record('norm', y, [x], (g) => {
    const isZero = equal(nk, 0);
    const safe = add(nk, isZero); // 1 where the norm is 0, so the division is finite
    const scale = mul(div(g.view(nk.shape), safe), greater(nk, 0));
    return [mul(x, scale)];
  });
}

/** x / max(‖x‖, eps) along `axis` (torch.nn.functional.normalize, p = 2). */
export function l2Normalize(x: Tensor, axis = -1, eps = 1e-12): Tensor {
  return div(x, clamp(norm(x, axis, true), eps));
}

/** Inverted dropout: zeroes elements with probability p and scales the rest by 1/(1 − p). */
export function dropout(
  x: Tensor,
  p: number,
  opts: { training?: boolean; generator?: Generator } = {},
): Tensor {
  checkProbability('dropout', p);
  if (opts.training === false || p === 0) return x;
  if (p === 1) return mul(x, 0);
  const g = opts.generator ?? defaultGenerator;
  const mask = hostMask(x.dtype, x.size, p, g);
  return mul(x, tensor(mask, { shape: x.shape, backend: x.backend, dtype: x.dtype }));
}

/**
 * Drop path (stochastic depth, timm's DropPath): per sample (axis 0), the whole residual branch is
 * dropped with probability p and kept samples are scaled by 1/(1 − p). Identity in eval mode.
 */
export function dropPath(
  x: Tensor,
  p: number,
  opts: { training?: boolean; generator?: Generator } = {},
): Tensor {
  checkProbability('dropPath', p);
  if (opts.training === false || p === 0) return x;
  if (x.ndim === 0) throw new ShapeError('dropPath: x needs a batch axis, got []');
  const g = opts.generator ?? defaultGenerator;
  const B = x.shape[0];
  const mask = hostMask(x.dtype, B, p, g);
  const shape = [B, ...x.shape.slice(1).map(() => 1)];
  return mul(x, tensor(mask, { shape, backend: x.backend, dtype: x.dtype }));
}

function hostMask(dtype: DType, n: number, p: number, g: Generator): Float32Array | Float64Array {
  const keep = 1 - p;
  const mask = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) mask[i] = g.uniform() < keep ? 1 / keep : 0;
  return mask;
}

function checkProbability(op: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`${op}: probability must be in [0, 1], got ${p}`);
}
