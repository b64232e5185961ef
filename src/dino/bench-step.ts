// One full DINO training step on synthetic crops, timed: the yardstick configurations
// `tiny`, `small` and the README recipe, matching tools/torch_dino.py
// `bench` (random-normal crops, 3 input channels, no augmentation in the timed step). Used by
// `mini-dino bench step` and bench/step.ts. Reports median ms per step, images per second and
// where the time goes (teacher forward, student forward, loss, backward, update).

import { randn } from '../tensor/creation.js';
import type { Backend } from '../tensor/backend.js';
import { Generator } from '../tensor/random.js';
import { keep } from '../tensor/tensor.js';
import { buildDino } from './build.js';
import { defaultConfig, type DinoConfig } from './config.js';
import { hyperAt, type StepTimings, timePhases, trainStep } from './train-step.js';

export type BenchConfigName = 'tiny' | 'small' | 'recipe';
export const BENCH_CONFIGS: readonly BenchConfigName[] = ['tiny', 'small', 'recipe'];

/** The bench configurations, as torch_dino.py bench flags describe them (3 channels). */
export function benchConfig(name: BenchConfigName): { config: DinoConfig; inChans: number } {
  const c = defaultConfig();
  c.dropPathRate = 0; // the PyTorch yardstick has no drop path
  c.clipGrad = 0;
  if (name === 'tiny') {
    Object.assign(c, {
      globalCropSize: 28,
      patchSize: 4,
      embedDim: 64,
      depth: 4,
      numHeads: 4,
      headHiddenDim: 2048,
      headBottleneckDim: 256,
      outDim: 1024,
      batchSize: 32,
      localCropsNumber: 4,
      localCropSize: 12,
    });
    return { config: c, inChans: 3 };
  }
  if (name === 'small') {
    Object.assign(c, {
      globalCropSize: 32,
      patchSize: 4,
      embedDim: 192,
      depth: 6,
      numHeads: 3,
      headHiddenDim: 2048,
      headBottleneckDim: 256,
      outDim: 4096,
      batchSize: 64,
      localCropsNumber: 6,
      localCropSize: 16,
    });
    return { config: c, inChans: 3 };
  }
  return { config: defaultConfig(), inChans: 1 };
}

export interface StepBenchResult {
  config: BenchConfigName;
  backend: string;
  msPerStep: number;
  imgPerSec: number;
  steps: number;
  /** Median-step breakdown in ms. */
  phases: StepTimings;
}

export async function benchStep(
  name: BenchConfigName,
  backend: Backend,
  steps = 5,
  warmup = 2,
): Promise<StepBenchResult> {
  const { config, inChans } = benchConfig(name);
  const run = buildDino(config, { inChans, itersPerEpoch: steps + warmup }, { backend });
  const g = new Generator(1);
  const B = config.batchSize;
  const crops = [
    ...Array.from({ length: 2 }, () =>
      randn([B, inChans, config.globalCropSize, config.globalCropSize], { backend, generator: g }),
    ),
    ...Array.from({ length: config.localCropsNumber }, () =>
      randn([B, inChans, config.localCropSize, config.localCropSize], { backend, generator: g }),
    ),
  ].map((t) => keep(t));
  const times: number[] = [];
  const phases: StepTimings[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const timings: StepTimings = { teacher: 0, student: 0, loss: 0, backward: 0, update: 0 };
    const t0 = performance.now();
    await trainStep(run, crops, hyperAt(run, i, 0), 0, i, timePhases(timings));
    if (i >= warmup) {
      times.push(performance.now() - t0);
      phases.push(timings);
    }
  }
  for (const c of crops) c.dispose();
  const order = times.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0]);
  const [ms, mid] = order[Math.floor(order.length / 2)];
  return {
    config: name,
    backend: backend.name,
    msPerStep: ms,
    imgPerSec: (1000 * B) / ms,
    steps,
    phases: phases[mid],
  };
}
