// mini-dino: DINO (Caron et al., 2021) on a from-scratch tensor and autodiff engine.
// The public entry. The top level is the engine: tensors and their creation, memory scopes,
// backends, the differentiable ops, backward() and gradcheck. The layers above are namespaces,
// also importable as subpaths (mini-dino/nn, mini-dino/dino, mini-dino/io, mini-dino/data):
//   import { tensor, dino } from 'mini-dino';     import { trainDino } from 'mini-dino/dino';
// Every name is listed here; test/repo/public-api.test.ts pins the list, so growth is a decision.
//
// Importing has one side effect: the method syntax (x.matmul(w).gelu()) is installed on
// Tensor.prototype by src/autograd/methods.ts. Nothing else runs: no backend starts, no setting
// is read, until first use.

import './autograd/methods.js';
import * as data from './data/index.js';
import * as dino from './dino/index.js';
import * as io from './io/index.js';
import * as nn from './nn/index.js';

export { data, dino, io, nn };

// tensors
export { Tensor, type NestedArray } from './tensor/tensor.js';
export {
  arange,
  full,
  ones,
  onesLike,
  rand,
  randn,
  tensor,
  truncNormal,
  uniform,
  zeros,
  zerosLike,
  type RandomOptions,
  type TensorOptions,
} from './tensor/creation.js';
export type { DType, TypedArray } from './tensor/dtype.js';
export { ShapeError, broadcastShapes, type Shape } from './tensor/shape.js';
export { Generator, defaultGenerator, manualSeed } from './tensor/random.js';

// memory: everything made inside a scope is released when it ends, except what it returns
export { beginScope, endScope, keep, tidy, tidyAsync } from './tensor/tensor.js';

// backends and the kernel contract they implement
export type { Backend, BackendName, KernelName, Kernels, Storage } from './tensor/backend.js';
export { getDefaultBackend, setDefaultBackend } from './tensor/tensor.js';
export { cpu } from './tensor/cpu/index.js';
export {
  GPU_MODES,
  createGpuBackend,
  type BackendInfo,
  type GpuBackendOptions,
} from './tensor/gpu/mode.js';
export type { GpuMode } from './tensor/gpu/index.js';
export { backendInfo, selectBackend, type BackendChoice } from './tensor/select.js';

// autograd
export { backward, zeroGrad, type BackwardOptions } from './autograd/engine.js';
export { isGradEnabled, noGrad, setGradEnabled } from './autograd/grad-mode.js';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './autograd/gradcheck.js';

// the differentiable ops (each also a Tensor method where it takes one tensor first)
export { cast, clone, detach, toBackend } from './autograd/ops/cast.js';
export {
  abs,
  add,
  clamp,
  div,
  equal,
  erf,
  exp,
  gelu,
  greater,
  log,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  sign,
  sqrt,
  sub,
  type TensorOrNumber,
} from './autograd/ops/elementwise.js';
export { max, mean, sum } from './autograd/ops/reduce.js';
export {
  chunk,
  concat,
  expand,
  flatten,
  indexSelect,
  permute,
  reshape,
  select,
  slice,
  split,
  squeeze,
  transpose,
  unsqueeze,
  type Range,
} from './autograd/ops/movement.js';
export { linear, matmul } from './autograd/ops/matmul.js';
export { attention, type AttentionOptions } from './autograd/ops/attention.js';
export {
  dropPath,
  dropout,
  l2Normalize,
  layerNorm,
  logSoftmax,
  norm,
  softmax,
} from './autograd/ops/nn.js';
