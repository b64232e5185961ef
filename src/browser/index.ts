// mini-dino/browser: the package for browsers and Web Workers (bundlers pick it through the
// `browser` export condition of `mini-dino`, or import `mini-dino/browser`). The same engine as
// the Node entry (tensors, ops, autograd, nn, the DINO compute) and the same names, minus what
// needs a file system: checkpoints go to and from bytes (dino.checkpointBytes,
// dino.checkpointFromSafetensors, io.parseSafetensors), and the embedded Fashion-MNIST is fetched
// from a URL (data.fetchEmbeddedFashionMnist). Settings that are environment variables on Node
// (MINI_DINO_THREADS, ...) are given with setPlatform(browserPlatform({ ... })).
// Nothing here imports a Node built-in (test/browser/bundle.test.ts bundles it for the browser).

export * from '../tensor/index.js';
export * from '../autograd/index.js';
export * as nn from '../nn/index.js';
export * as dino from './dino.js';
export * as io from './io.js';
export * as data from './data.js';
export { browserPlatform } from '../platform/browser.js';
export { platform, setPlatform, type Platform } from '../platform/index.js';
