// Changing dtype or backend, copying (clone, copy_), and detaching from the graph.

import type { Backend } from '../../tensor/backend.js';
import type { DType } from '../../tensor/dtype.js';
import { ShapeError, fmtShape, sameShape, stridesOf } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { record, run } from '../function.js';

/** Converts to another dtype (float64 exists on the cpu backend only). */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  if (!x.backend.supportsDtype(dtype)) {
    throw new Error(
      `cast: the ${x.backend.name} backend does not support ${dtype} (it ` +
        `is float32 only; use the cpu backend for float64)`,
    );
  }
  const y = run('cast', x, x.shape, (k) => k.cast(x.storage, dtype));
  return record('cast', y, [x], (g) => [cast(g, x.dtype)]);
}

/**
 * Copies to another backend. Reads synchronously, so the source must be readable synchronously
 * (cpu, or gpu in webasm mode); for WebGPU data use `await x.data()` and create a new tensor.
 */
export function toBackend(x: Tensor, backend: Backend): Tensor {
  if (x.backend === backend) return x;
  if (!backend.supportsDtype(x.dtype)) {
    throw new Error(
      `toBackend: the ${backend.name} backend does not support ${x.dtype} ` +
        `(it is float32 only; cast first)`,
    );
  }
  const host = x.backend.readSync(x.storage); // sync point
  const y = new Tensor(backend.upload(host.slice(0, x.size), false), x.shape, backend);
  return record('toBackend', y, [x], (g) => [toBackend(g, x.backend)]);
}

/** The same values, cut from the graph (shares storage, never requires grad). */
export function detach(x: Tensor): Tensor {
  return x.view(x.shape);
}

/** A copy with its own storage (torch.clone); the gradient passes through unchanged. */
export function clone(x: Tensor): Tensor {
  const shape = [...x.shape];
  const y = run('clone', x, shape, (k) => k.copyStrided(x.storage, shape, stridesOf(shape), 0));
  return record('clone', y, [x], (g) => [g]);
}

/**
 * Replaces `target`'s values with `value`'s, in place (torch.Tensor.copy_), outside autograd:
 * for parameters, buffers and the DINO center. `value` may have another dtype or backend
 * (then it is read on the host: a sync point). The old storage of `target` is released.
 */
export function copy_(target: Tensor, value: Tensor): Tensor {
  if (!sameShape(target.shape, value.shape)) {
    throw new ShapeError(
      `copy_: shapes differ: target is ${fmtShape(target.shape)} and value is ` +
        `${fmtShape(value.shape)}`,
    );
  }
  if (value.backend === target.backend && value.dtype === target.dtype) {
    const shape = [...value.shape];
    target.assign(target.backend.copyStrided(value.storage, shape, stridesOf(shape), 0));
    return target;
  }
  const host = value.backend.readSync(value.storage); // sync point
  const data =
    target.dtype === 'float64'
      ? Float64Array.from(host.subarray(0, value.size))
      : Float32Array.from(host.subarray(0, value.size));
  target.assign(target.backend.upload(data, true));
  return target;
}
