// Shared by the DINO model and teacher tests: a tiny float64 DINO (1 channel, 8 px global and
// 4 px local crops, dim 8, depth 2), seeded random tensors and crops, and state-dict snapshots.
import { buildDino } from '../../src/dino/build.js';
import { defaultConfig, type DinoConfig } from '../../src/dino/config.js';
import { tensor } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';

export const TINY: Partial<DinoConfig> = {
  arch: 'custom',
  patchSize: 4,
  embedDim: 8,
  depth: 2,
  numHeads: 2,
  mlpRatio: 2,
  outDim: 10,
  headHiddenDim: 12,
  headBottleneckDim: 6,
  globalCropSize: 8,
  localCropSize: 4,
  localCropsNumber: 2,
  batchSize: 3,
  dropPathRate: 0,
  epochs: 2,
  freezeLastLayer: 0,
};

export const tinyDino = (over: Partial<DinoConfig> = {}) =>
  buildDino(
    { ...defaultConfig(), ...TINY, ...over },
    { inChans: 1, itersPerEpoch: 4 },
    { dtype: 'float64' },
  );

export function rand(shape: number[], seed: number, scale = 1): Tensor {
  const g = new Generator(seed);
  return tensor(
    Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => g.normal() * scale),
    { shape, dtype: 'float64' },
  );
}

/** Two global crops (8 px) and two local crops (4 px) of B images. */
export const crops = (B: number, seed: number) => [
  rand([B, 1, 8, 8], seed),
  rand([B, 1, 8, 8], seed + 1),
  rand([B, 1, 4, 4], seed + 2),
  rand([B, 1, 4, 4], seed + 3),
];

export const snapshot = (m: { stateDict(): Map<string, Tensor> }) =>
  new Map([...m.stateDict()].map(([k, t]) => [k, [...t.dataSync()]]));
