// Elementwise ops with NumPy broadcasting, forward and backward together.
// A number operand becomes a scalar kernel (affine, powScalar) instead of a broadcast tensor.
// Backward rules sum the gradient over broadcast dimensions (unbroadcast).

import { broadcastShapes, broadcastStrides, collapseDims, sameShape } from '../../tensor/shape.js';
import { full } from '../../tensor/creation.js';
import type { BinaryKernel } from '../../tensor/backend.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkCompatible, record, run } from '../function.js';
import { reshape } from './movement.js';
import { sum } from './reduce.js';

export type TensorOrNumber = Tensor | number;

/** Sums g over the dimensions that broadcasting stretched, giving a tensor of `shape`. */
export function unbroadcast(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++)
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  const s = axes.length > 0 ? sum(g, axes, true) : g;
  return reshape(s, shape);
}

function scalarLike(x: Tensor, v: number): Tensor {
  return full([], v, { dtype: x.dtype, backend: x.backend });
}

/** The broadcast kernel call shared by every binary op. */
function broadcastKernel(op: BinaryKernel, a: Tensor, b: Tensor): Tensor {
  checkCompatible(op, a, b);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const c = collapseDims(shape, [
    broadcastStrides(a.shape, shape),
    broadcastStrides(b.shape, shape),
  ]);
  return run(op, a, shape, (k) => k[op](a.storage, b.storage, c.shape, c.strides[0], c.strides[1]));
}

export function add(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  if (typeof b === 'number') return affineOp('add', a as Tensor, 1, b);
  if (typeof a === 'number') return affineOp('add', b, 1, a);
  const y = broadcastKernel('add', a, b);
  // d(a + b) = da + db
  return record('add', y, [a, b], (g) => [
    a.requiresGrad ? unbroadcast(g, a.shape) : null,
    b.requiresGrad ? unbroadcast(g, b.shape) : null,
  ]);
}

export function sub(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  if (typeof b === 'number') return affineOp('sub', a as Tensor, 1, -b);
  if (typeof a === 'number') return affineOp('sub', b, -1, a);
  const y = broadcastKernel('sub', a, b);
  // d(a − b) = da − db
  return record('sub', y, [a, b], (g) => [
    a.requiresGrad ? unbroadcast(g, a.shape) : null,
    b.requiresGrad ? unbroadcast(neg(g), b.shape) : null,
  ]);
}

export function mul(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  if (typeof b === 'number') return affineOp('mul', a as Tensor, b, 0);
  if (typeof a === 'number') return affineOp('mul', b, a, 0);
  const y = broadcastKernel('mul', a, b);
  // d(a·b) = b·da + a·db
  return record('mul', y, [a, b], (g) => [
    a.requiresGrad ? unbroadcast(mul(g, b), a.shape) : null,
    b.requiresGrad ? unbroadcast(mul(g, a), b.shape) : null,
  ]);
}

export function div(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  if (typeof b === 'number') return affineOp('div', a as Tensor, 1 / b, 0);
  if (typeof a === 'number') return mul(pow(b, -1), a);
  const y = broadcastKernel('div', a, b);
  // d(a/b) = da/b − (a/b²)·db = da/b − y·db/b
  return record('div', y, [a, b], (g) => [
    a.requiresGrad ? unbroadcast(div(g, b), a.shape) : null,
    b.requiresGrad ? unbroadcast(neg(div(mul(g, y), b)), b.shape) : null,
  ]);
}

/** x·scale + shift, the kernel behind every tensor–number op. */
function affineOp(op: string, x: Tensor, scale: number, shift: number): Tensor {
  const y = run(op, x, x.shape, (k) => k.affine(x.storage, scale, shift));
  // d(x·s + t) = s·dx
  return record(op, y, [x], (g) => [scale === 1 ? g : affineOp(op, g, scale, 0)]);
}

/** Elementwise maximum; at ties the gradient is split equally (as torch.maximum). */
export function maximum(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  return extremum('maximum', a, b);
}

/** Elementwise minimum; at ties the gradient is split equally (as torch.minimum). */
export function minimum(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  return extremum('minimum', a, b);
}

function extremum(op: 'maximum' | 'minimum', a: TensorOrNumber, b: TensorOrNumber): Tensor {
  if (typeof a === 'number' && typeof b === 'number')
    throw new Error(`${op}: at least one operand must be a tensor`);
  const ta = typeof a === 'number' ? scalarLike(b as Tensor, a) : a;
  const tb = typeof b === 'number' ? scalarLike(ta, b) : b;
  const y = broadcastKernel(op, ta, tb);
  // the winner gets g, a tie gives each g/2: wa = [a wins] + ½[a = b]
  return record(op, y, [ta, tb], (g) => {
    const eq = broadcastKernel('equal', ta, tb);
    const aWins =
      op === 'maximum' ? broadcastKernel('greater', ta, tb) : broadcastKernel('greater', tb, ta);
    const wa = add(aWins, mul(eq, 0.5));
    return [
      ta.requiresGrad ? unbroadcast(mul(g, wa), ta.shape) : null,
      tb.requiresGrad ? unbroadcast(mul(g, sub(1, wa)), tb.shape) : null,
    ];
  });
}

/** Clamps into [min, max] (either may be omitted); the gradient passes where x is inside. */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  if (min !== undefined && max !== undefined && min > max)
    throw new Error(`clamp: min ${min} is greater than max ${max}`);
  let y = x;
  if (min !== undefined) y = clampOne(y, min, 'min');
  if (max !== undefined) y = clampOne(y, max, 'max');
  return y;
}

function clampOne(x: Tensor, v: number, side: 'min' | 'max'): Tensor {
  const s = scalarLike(x, v);
  const y = broadcastKernel(side === 'min' ? 'maximum' : 'minimum', x, s);
  // torch.clamp: gradient where min ≤ x (resp. x ≤ max), the bound itself included
  return record(`clamp${side === 'min' ? 'Min' : 'Max'}`, y, [x], (g) => {
    const outside =
      side === 'min' ? broadcastKernel('greater', s, x) : broadcastKernel('greater', x, s);
    return [mul(g, sub(1, outside))];
  });
}

export function neg(x: Tensor): Tensor {
  const y = run('neg', x, x.shape, (k) => k.neg(x.storage));
  return record('neg', y, [x], (g) => [neg(g)]);
}

export function exp(x: Tensor): Tensor {
  const y = run('exp', x, x.shape, (k) => k.exp(x.storage));
  // d exp(x) = exp(x)·dx
  return record('exp', y, [x], (g) => [mul(g, y)]);
}

export function log(x: Tensor): Tensor {
  const y = run('log', x, x.shape, (k) => k.log(x.storage));
  // d log(x) = dx / x
  return record('log', y, [x], (g) => [div(g, x)]);
}

export function sqrt(x: Tensor): Tensor {
  const y = run('sqrt', x, x.shape, (k) => k.sqrt(x.storage));
  // d √x = dx / (2√x)
  return record('sqrt', y, [x], (g) => [div(g, mul(y, 2))]);
}

export function abs(x: Tensor): Tensor {
  const y = run('abs', x, x.shape, (k) => k.abs(x.storage));
  // d |x| = sign(x)·dx (0 at 0, as torch)
  return record('abs', y, [x], (g) => [mul(g, sign(x))]);
}

/** −1, 0 or 1 (no gradient: it is piecewise constant). */
export function sign(x: Tensor): Tensor {
  return run('sign', x, x.shape, (k) => k.sign(x.storage));
}

/** x^p for a scalar exponent p. */
export function pow(x: Tensor, p: number): Tensor {
  if (typeof p !== 'number' || !Number.isFinite(p))
    throw new Error(`pow: the exponent must be a finite number, got ${p}`);
  const y = run('pow', x, x.shape, (k) => k.powScalar(x.storage, p));
  // d xᵖ = p·xᵖ⁻¹·dx
  return record('pow', y, [x], (g) => [
    p === 2 ? mul(g, mul(x, 2)) : mul(g, mul(pow(x, p - 1), p)),
  ]);
}

/** The Gauss error function. */
export function erf(x: Tensor): Tensor {
  const y = run('erf', x, x.shape, (k) => k.erf(x.storage));
  // d erf(x) = (2/√π)·exp(−x²)·dx
  return record('erf', y, [x], (g) => [mul(g, mul(exp(neg(pow(x, 2))), 2 / Math.sqrt(Math.PI)))]);
}

/** Exact GELU, x·Φ(x) with the erf form (not the tanh approximation), as nn.GELU(). */
export function gelu(x: Tensor): Tensor {
  const y = run('gelu', x, x.shape, (k) => k.gelu(x.storage));
  // d GELU(x) = (Φ(x) + x·φ(x))·dx, one fused kernel
  return record('gelu', y, [x], (g) => [
    run('geluBackward', x, x.shape, (k) => k.geluBackward(x.storage, g.storage)),
  ]);
}

/** 1 where a > b, else 0 (broadcasting; no gradient). */
export function greater(a: Tensor, b: TensorOrNumber): Tensor {
  return broadcastKernel('greater', a, typeof b === 'number' ? scalarLike(a, b) : b);
}

/** 1 where a = b, else 0 (broadcasting; no gradient). */
export function equal(a: Tensor, b: TensorOrNumber): Tensor {
  return broadcastKernel('equal', a, typeof b === 'number' ? scalarLike(a, b) : b);
}
