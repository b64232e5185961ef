// mini-dino: DINO (Caron et al., 2021) on a from-scratch tensor and autodiff engine.
// The public entry: explicit named exports and no side effects on import beyond installing the
// Tensor method syntax. The engine (tensors, ops, autograd, gradcheck) is exported at the top
// level; the layers above are namespaces, also available as subpaths:
//   import { dino, nn } from 'mini-dino';     import { trainDino } from 'mini-dino/dino';

export * from './tensor/index.js';
export * from './autograd/index.js';
export * as nn from './nn/index.js';
export * as dino from './dino/index.js';
export * as io from './io/index.js';
export * as data from './data/index.js';
