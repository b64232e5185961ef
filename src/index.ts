// mini-dino: DINO (Caron et al., 2021) on a from-scratch tensor and autodiff engine.
// The public entry: explicit named exports, no side effects on import (beyond installing the
// Tensor method syntax). Subpath exports: mini-dino/nn, mini-dino/dino.

export * from './tensor/index.js';
export * from './autograd/index.js';
