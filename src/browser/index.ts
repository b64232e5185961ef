// mini-dino/browser: the package for browsers and Web Workers (bundlers pick it through the
// `browser` export condition of `mini-dino`, or import `mini-dino/browser`). The same engine as
// the Node entry, name for name (test/repo/public-api.test.ts checks it), and the same
// namespaces minus what needs a file system: checkpoints go to and from bytes
// (dino.checkpointBytes, dino.checkpointFromSafetensors, io.parseSafetensors), and the embedded
// Fashion-MNIST is fetched from a URL (data.fetchEmbeddedFashionMnist). Settings that are
// environment variables on Node (MINI_DINO_THREADS, ...) are given with
// setPlatform(browserPlatform({ ... })). Nothing here imports a Node built-in
// (test/browser/bundle.test.ts bundles it for the browser). Importing installs the Tensor
// methods (src/autograd/methods.ts), as the Node entry does.

import '../autograd/methods.js';
import * as data from './data.js';
import * as dino from './dino.js';
import * as io from './io.js';
import * as nn from '../nn/index.js';

export { data, dino, io, nn };

// the platform seam: where settings, cores and memory come from
export { browserPlatform } from '../platform/browser.js';
export { platform, setPlatform, type Platform } from '../platform/index.js';

// tensors
export { Tensor, type NestedArray } from '../tensor/tensor.js';
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
} from '../tensor/creation.js';
export type { DType, TypedArray } from '../tensor/dtype.js';
export { ShapeError, broadcastShapes, type Shape } from '../tensor/shape.js';
export { Generator, defaultGenerator, manualSeed } from '../tensor/random.js';

// memory: everything made inside a scope is released when it ends, except what it returns
export { beginScope, endScope, keep, tidy, tidyAsync } from '../tensor/tensor.js';

// backends and the kernel contract they implement
export type { Backend, BackendName, KernelName, Kernels, Storage } from '../tensor/backend.js';
export { getDefaultBackend, setDefaultBackend } from '../tensor/tensor.js';
export { cpu } from '../tensor/cpu/index.js';
export {
  GPU_MODES,
  createGpuBackend,
  type BackendInfo,
  type GpuBackendOptions,
} from '../tensor/gpu/mode.js';
export type { GpuMode } from '../tensor/gpu/index.js';
export { backendInfo, selectBackend, type BackendChoice } from '../tensor/select.js';

// autograd
export { backward, zeroGrad, type BackwardOptions } from '../autograd/engine.js';
export { isGradEnabled, noGrad, setGradEnabled } from '../autograd/grad-mode.js';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from '../autograd/gradcheck.js';

// the differentiable ops (each also a Tensor method where it takes one tensor first)
export { cast, clone, detach, toBackend } from '../autograd/ops/cast.js';
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
} from '../autograd/ops/elementwise.js';
export { max, mean, sum } from '../autograd/ops/reduce.js';
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
} from '../autograd/ops/movement.js';
export { linear, matmul } from '../autograd/ops/matmul.js';
export { attention, type AttentionOptions } from '../autograd/ops/attention.js';
export {
  dropPath,
  dropout,
  l2Normalize,
  layerNorm,
  logSoftmax,
  norm,
  softmax,
} from '../autograd/ops/nn.js';
