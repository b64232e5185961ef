// The tensor layer: shapes, dtypes, the seeded generator, storage and kernels per backend.

export type {
  AdamWParams,
  Backend,
  BackendName,
  BinaryKernel,
  KernelName,
  Kernels,
  Storage,
  UnaryKernel,
} from './backend.js';
export { cpu, CpuBackend, type CpuStorage } from './cpu/index.js';
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
} from './creation.js';
export { type DType, type TypedArray } from './dtype.js';
export { Generator, defaultGenerator, manualSeed } from './random.js';
export { ShapeError, broadcastShapes, fmtShape, sizeOf, stridesOf, type Shape } from './shape.js';
export {
  Tensor,
  beginScope,
  endScope,
  getDefaultBackend,
  keep,
  setDefaultBackend,
  tidy,
  tidyAsync,
  type GradNode,
  type NestedArray,
} from './tensor.js';
export { GpuBackend, type GpuMode, type GpuStorage, type RuntimeOptions } from './gpu/index.js';
export {
  GPU_MODES,
  createGpuBackend,
  gpuInfo,
  gpuModeFromEnv,
  probeWebGPU,
  type BackendInfo,
  type GpuBackendOptions,
} from './gpu/mode.js';
export { backendInfo, selectBackend, type BackendChoice } from './select.js';
