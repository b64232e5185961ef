// Tensor: a shape, a dtype, storage on a backend, and the autograd fields (requiresGrad, grad,
// the node that created it). Tensors are always contiguous and row-major; `view` shares storage
// (reshape), every other op writes a new buffer.
//
// Execution model (docs/ARCHITECTURE.md): ops are synchronous and return immediately; reading
// values is asynchronous (`await t.data()`, `await t.item()`), because on WebGPU a kernel only
// enqueues work and readback is a Promise. The cpu backend can also read synchronously
// (`dataSync()`), which tests and CPU-only code use.
//
// Memory rule: storage is reference-counted across views. `dispose()` releases it at once;
// tensors created inside `tidy()` / `beginScope()` are disposed when the scope ends, unless
// returned or `keep()`-ed. Parameters and optimizer state live outside scopes.

import type { Backend, Storage } from './backend.js';
import { cpu } from './cpu/index.js';
import type { DType, TypedArray } from './dtype.js';
import { ShapeError, checkShape, fmtShape, sizeOf } from './shape.js';

/** The autograd record of how a tensor was computed (filled in by src/autograd). */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Gradients for each input given the output gradient g (null where none is needed). */
  backward(g: Tensor): (Tensor | null)[];
}

class DataRef {
  refs = 1;
  constructor(public storage: Storage) {}
}

let defaultBackend: Backend = cpu;

/** The backend used when none is given (cpu unless changed; see src/tensor/select.ts). */
export function getDefaultBackend(): Backend {
  return defaultBackend;
}

export function setDefaultBackend(backend: Backend): void {
  defaultBackend = backend;
}

let nextId = 1;

/** The id the next tensor will get: ids only grow, so `t.id >= mark` means "created since mark". */
export function nextTensorId(): number {
  return nextId;
}

export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly backend: Backend;
  private ref: DataRef | null;
  /** Whether gradients flow to this tensor. Set on leaves; propagated by ops. */
  requiresGrad = false;
  /** Accumulated gradient of a leaf after backward(). */
  grad: Tensor | null = null;
  /** The op that produced this tensor, when it is part of a graph. */
  node: GradNode | null = null;
  /** Optional name (parameters carry their state-dict key; used in messages). */
  name: string | undefined;
  /** Set by keep(): never disposed by a scope. */
  kept = false;

  constructor(storage: Storage, shape: readonly number[], backend: Backend, shareWith?: Tensor) {
    this.shape = Object.freeze([...shape]);
    this.dtype = storage.dtype;
    this.backend = backend;
    if (shareWith) {
      this.ref = shareWith.liveRef();
      this.ref.refs++;
    } else {
      this.ref = new DataRef(storage);
    }
    trackInScope(this);
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  get ndim(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.ref === null;
  }

  private liveRef(): DataRef {
    if (!this.ref) {
      throw new Error(
        `tensor ${fmtShape(this.shape)}${this.name ? ` (${this.name})` : ''} ` +
          `was disposed: it was created inside a scope ` +
          `that has ended, or dispose() was called (see the memory rule in docs/ARCHITECTURE.md)`,
      );
    }
    return this.ref;
  }

  /** The backend storage (throws if the tensor was disposed). */
  get storage(): Storage {
    return this.liveRef().storage;
  }

  /** A tensor of another shape sharing this one's storage (no copy, no autograd record). */
  view(shape: readonly number[]): Tensor {
    checkShape('view', shape);
    if (sizeOf(shape) !== this.size) {
      throw new ShapeError(
        `view: cannot view ${fmtShape(this.shape)} (${this.size} elements) as ${fmtShape(shape)}`,
      );
    }
    return new Tensor(this.storage, shape, this.backend, this);
  }

  /**
   * Replaces the contents with new storage of the same size and dtype (optimizer and EMA updates:
   * the Tensor object, its name and its place in the model stay). Views of the old storage keep it.
   */
  assign(storage: Storage): void {
    const ref = this.liveRef();
    if (storage.size !== this.size || storage.dtype !== this.dtype) {
      throw new Error(
        `assign: storage of ${storage.size} ${storage.dtype} elements cannot ` +
          `replace ${fmtShape(this.shape)} ${this.dtype}`,
      );
    }
    if (ref.refs === 1) {
      this.backend.release(ref.storage);
      ref.storage = storage;
    } else {
      ref.refs--;
      this.ref = new DataRef(storage);
    }
  }

  /** Releases the storage now (it returns to the backend's pool when no view uses it). */
  dispose(): void {
    const ref = this.ref;
    if (!ref) return;
    this.ref = null;
    // Drop the node (and what its backward closure holds), but leave a marker: with no node at
    // all, backward() would take this tensor for a leaf and silently stop the gradient here.
    if (this.node) this.node = disposedNode(this.node.op, this.shape);
    if (--ref.refs === 0) this.backend.release(ref.storage);
  }

  /** Marks the tensor as requiring gradients (a leaf you want .grad for). Returns this. */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /** A copy of the elements on the host. // sync point */
  async data(): Promise<TypedArray> {
    const d = await this.backend.read(this.storage);
    return d.slice(0, this.size);
  }

  /** Synchronous copy of the elements, on backends that can (cpu, gpu in webasm mode). */
  dataSync(): TypedArray {
    return this.backend.readSync(this.storage).slice(0, this.size); // sync point
  }

  /** The single value of a one-element tensor. // sync point */
  async item(): Promise<number> {
    if (this.size !== 1)
      throw new Error(
        `item: the tensor has shape ${fmtShape(this.shape)}, expected exactly one element`,
      );
    return (await this.backend.read(this.storage))[0];
  }

  itemSync(): number {
    if (this.size !== 1)
      throw new Error(
        `item: the tensor has shape ${fmtShape(this.shape)}, expected exactly one element`,
      );
    return this.backend.readSync(this.storage)[0]; // sync point
  }

  /** Nested arrays of numbers (a number for a scalar). // sync point */
  async toArray(): Promise<NestedArray> {
    return nest(await this.data(), this.shape);
  }

  toArraySync(): NestedArray {
    return nest(this.dataSync(), this.shape);
  }

  toString(): string {
    const flags: string[] = [this.dtype, this.backend.name];
    if (this.requiresGrad) flags.push('requiresGrad');
    if (this.node) flags.push(`grad_fn=${this.node.op}`);
    return `Tensor(${fmtShape(this.shape)}, ${flags.join(', ')})`;
  }
}

export type NestedArray = number | NestedArray[];

/** The node left on a disposed tensor that was computed by an op: backward through it fails. */
function disposedNode(op: string, shape: readonly number[]): GradNode {
  return {
    op,
    inputs: [],
    backward() {
      throw new Error(
        `backward: the output ${fmtShape(shape)} of ${op} on the way to the ` +
          `inputs was disposed (its scope ended, or dispose() ` +
          'was called) before backward() reached it; call backward() inside ' +
          'the scope that built the graph ' +
          '(see the memory rule in docs/ARCHITECTURE.md)',
      );
    },
  };
}

function nest(data: TypedArray, shape: readonly number[]): NestedArray {
  if (shape.length === 0) return data[0];
  const walk = (dim: number, offset: number, stride: number): NestedArray[] => {
    const n = shape[dim];
    const inner = stride / n;
    const out: NestedArray[] = [];
    for (let i = 0; i < n; i++) {
      out.push(
        dim === shape.length - 1 ? data[offset + i] : walk(dim + 1, offset + i * inner, inner),
      );
    }
    return out;
  };
  return walk(0, 0, data.length);
}

// ---------------------------------------------------------------------------------------------
// Scopes: the memory rule. Everything a training step creates is released when the step ends.

const scopes: Tensor[][] = [];

function trackInScope(t: Tensor): void {
  if (scopes.length > 0) scopes[scopes.length - 1].push(t);
}

/** Opens a scope: tensors created until the matching endScope are disposed by it. */
export function beginScope(): void {
  scopes.push([]);
}

/**
 * Closes the innermost scope, disposing every tensor created in it except `result` (any
 * tensors found in it: a tensor, or arrays and plain objects of them) and kept tensors.
 * Returned tensors that this scope created move to the enclosing scope.
 */
export function endScope(result?: unknown): void {
  const list = scopes.pop();
  if (!list) throw new Error('endScope: no scope is open');
  const survivors = new Set<Tensor>();
  collectTensors(result, survivors);
  const outer = scopes.length > 0 ? scopes[scopes.length - 1] : null;
  for (const t of list) {
    if (t.kept) continue;
    // only tensors this scope created move out: a returned tensor from further out (an input)
    // belongs to whichever scope created it, or to none
    if (survivors.has(t)) outer?.push(t);
    else t.dispose();
  }
}

/** Runs fn in a scope and returns its result; every other tensor it created is disposed. */
export function tidy<T>(fn: () => T): T {
  beginScope();
  let result: T | undefined;
  try {
    result = fn();
    if (result instanceof Promise) throw new Error('tidy: fn returned a Promise; use tidyAsync');
    return result;
  } finally {
    endScope(result);
  }
}

/** tidy for async functions (nothing else may create tensors while it runs). */
export async function tidyAsync<T>(fn: () => Promise<T>): Promise<T> {
  beginScope();
  let result: T | undefined;
  try {
    result = await fn();
    return result;
  } finally {
    endScope(result);
  }
}

/** Exempts a tensor from scope disposal (parameters, optimizer state, buffers). Returns it. */
export function keep<T extends Tensor>(t: T): T {
  t.kept = true;
  return t;
}

function collectTensors(x: unknown, into: Set<Tensor>): void {
  if (x instanceof Tensor) into.add(x);
  else if (Array.isArray(x)) for (const v of x) collectTensors(v, into);
  else if (x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
    for (const v of Object.values(x)) collectTensors(v, into);
  }
}
