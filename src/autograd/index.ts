// The autograd layer: differentiable ops, backward(), noGrad, gradcheck. Importing it installs
// the method syntax on Tensor (methods.ts).

import './methods.js';

export { backward, zeroGrad, type BackwardOptions } from './engine.js';
export { noGrad, isGradEnabled, setGradEnabled } from './grad-mode.js';
export {
  gradcheck,
  type GradcheckOptions,
  type GradcheckResult,
  type GradcheckWorst,
} from './gradcheck.js';
export { cast, clone, copy_, detach, toBackend } from './ops/cast.js';
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
  unbroadcast,
  type TensorOrNumber,
} from './ops/elementwise.js';
export { attention, type AttentionOptions } from './ops/attention.js';
export { linear, matmul } from './ops/matmul.js';
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
} from './ops/movement.js';
export { dropPath, dropout, l2Normalize, layerNorm, logSoftmax, norm, softmax } from './ops/nn.js';
export { max, mean, sum } from './ops/reduce.js';
