// The collapse study of the paper (§5.3, Fig. 7) on a tiny synthetic dataset:
// DINO avoids collapse only with both centering and sharpening. With the full method the teacher
// entropy h(P_t) stays in between 0 and ln K and KL(P_t‖P_s) stays clearly above 0; without
// centering (the center held at 0: center momentum 1, zero init) one dimension dominates and
// h(P_t) → 0; without sharpening (τ_t = τ_s = 0.1) the output becomes uniform and h(P_t) → ln K;
// in both failure modes KL → 0 (the student matches a constant teacher).
//
// Setup: 256 grey 16×16 images of random blobs, squares and rings; DataAugmentationDINO with 2
// global crops of 12 px (scale 0.6–1) and 2 local crops of 8 px (scale 0.3–0.6), flips, no colour
// jitter, blur or solarization; a ViT with patch 4 (3×3 and 2×2 grids), D 32, depth 2, 2 heads;
// head 64/32 → K = 64; τ_s 0.1, τ_t 0.02; batch 32; 30 epochs of 8 steps (240 steps); lr 0.005
// (peak 0.005·32/256) with 1 warm-up epoch, teacher momentum 0.99; everything seeded, float32 on
// the wasm backend (training behaviour, not kernel numerics: the cpu reference would take
// minutes per regime; wasm results do not depend on the thread count).
//
// Tuning notes (the setup was tuned, not the meaning of the assertions). With stronger
// augmentations (colour jitter, blur and solarization at the official probabilities, scales
// 0.4–1 / 0.1–0.4) the full method ended near the uniform end on this tiny dataset (h = 0.64–0.80
// ·ln K for seeds 0 and 2, 0.95–0.996·ln K for seed 1, with τ_t 0.01–0.02; the small-data
// failure of official issue #246): invariance to such augmentations of 16 px shapes is too hard
// for a 2-block ViT, its features become nearly constant and centering then makes the teacher
// uniform. Milder augmentations and a sharper teacher (the author's advice in official issue
// #43: a lower teacher temperature, 0.02) fixed it: the full method then settled at
// h(P_t) = 0.48–0.57·ln K with KL ≈ 0.4 for seeds 0–4 (and stayed in between, 0.32–0.36·ln K,
// after 400 steps). With τ_t 0.04 it settled at 0.83–0.91·ln K: in between, but too near the
// uniform end for a clear margin. The two ablations change exactly one thing each and collapse
// within ~40 steps.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataAugmentationDINO, OFFICIAL_AUGMENT } from '../../src/dino/augment/index.js';
import { buildDino } from '../../src/dino/build.js';
import { defaultConfig, type DinoConfig } from '../../src/dino/config.js';
import { hyperAt, trainStep, type StepMetrics } from '../../src/dino/train-step.js';
import { Generator } from '../../src/tensor/random.js';
import { selectBackend } from '../../src/tensor/select.js';
import { syntheticShapes } from './synthetic-shapes.js';

await selectBackend('wasm');

const K = 64;
const LN_K = Math.log(K);

const IMAGES = syntheticShapes(256, 1);

const BASE: Partial<DinoConfig> = {
  arch: 'custom',
  patchSize: 4,
  embedDim: 32,
  depth: 2,
  numHeads: 2,
  mlpRatio: 2,
  dropPathRate: 0,
  outDim: K,
  headHiddenDim: 64,
  headBottleneckDim: 32,
  headLayers: 3,
  normLastLayer: true,
  studentTemp: 0.1,
  teacherTemp: 0.02,
  warmupTeacherTemp: 0.02,
  warmupTeacherTempEpochs: 0,
  centerMomentum: 0.9,
  batchSize: 32,
  epochs: 30,
  lr: 0.005,
  minLr: 1e-4,
  warmupEpochs: 1,
  weightDecay: 0.04,
  weightDecayEnd: 0.4,
  clipGrad: 3,
  freezeLastLayer: 0,
  momentumTeacher: 0.99,
  globalCropSize: 12,
  localCropSize: 8,
  localCropsNumber: 2,
  seed: 0,
};

interface Summary {
  entropy: number;
  kl: number;
  trace: string;
}

/** Trains one regime for the whole schedule; the mean h(P_t) and KL of the last 20 steps. */
async function runRegime(over: Partial<DinoConfig>): Promise<Summary> {
  const config: DinoConfig = { ...defaultConfig(), ...BASE, ...over };
  const itersPerEpoch = Math.floor(IMAGES.length / config.batchSize);
  const run = buildDino(config, { inChans: 1, itersPerEpoch });
  const aug = new DataAugmentationDINO(
    {
      ...OFFICIAL_AUGMENT,
      globalCropSize: 12,
      localCropSize: 8,
      localCropsNumber: 2,
      globalCropsScale: [0.6, 1],
      localCropsScale: [0.3, 0.6],
      colorJitterProb: 0,
      blurProbGlobal1: 0,
      blurProbGlobal2: 0,
      blurProbLocal: 0,
      solarizeProb: 0,
      saturation: 0,
      hue: 0,
      mean: [0.2],
      std: [0.3],
    },
    1,
  );
  const gen = new Generator(2);
  const history: StepMetrics[] = [];
  for (let epoch = 0, it = 0; epoch < config.epochs; epoch++) {
    const order = gen.permutation(IMAGES.length);
    for (let i = 0; i < itersPerEpoch; i++, it++) {
      const batch = Array.from(
        { length: config.batchSize },
        (_, b) => IMAGES[order[i * config.batchSize + b]],
      );
      const crops = aug.applyTensors(batch, gen);
      history.push(await trainStep(run, crops, hyperAt(run, it, epoch), epoch, it));
      for (const c of crops) c.dispose();
    }
  }
  const last = history.slice(-20);
  const mean = (f: (m: StepMetrics) => number) => last.reduce((s, m) => s + f(m), 0) / last.length;
  const trace = history
    .filter((_, i) => i % 40 === 0 || i === history.length - 1)
    .map((m) => m.teacherEntropy.toFixed(2))
    .join(' → ');
  return { entropy: mean((m) => m.teacherEntropy), kl: mean((m) => m.kl), trace };
}

const report = (name: string, s: Summary) =>
  console.log(
    `  ${name}: h(P_t) ${s.entropy.toFixed(3)} (${(s.entropy / LN_K).toFixed(3)}·ln ` +
      `K), KL ${s.kl.toFixed(3)}; h every 40 steps: ${s.trace}`,
  );

const results: Record<string, Summary> = {};

test(
  'centering + sharpening: the teacher entropy stays in between (0.25–0.85 ' +
    'ln K) and KL stays > 0.2',
  async () => {
    const s = (results.both = await runRegime({}));
    report('centering + sharpening', s);
    assert.ok(
      s.entropy > 0.25 * LN_K && s.entropy < 0.85 * LN_K,
      `h(P_t) = ${s.entropy}, ln K = ${LN_K}`,
    );
    assert.ok(s.kl > 0.2, `KL = ${s.kl}`);
  },
);

test(
  'no centering (center held at 0): the teacher entropy falls toward ' +
    '0 (< 0.05 ln K) and KL → 0',
  async () => {
    const s = (results.noCentering = await runRegime({ centerMomentum: 1 }));
    report('sharpening only', s);
    assert.ok(s.entropy < 0.05 * LN_K, `h(P_t) = ${s.entropy}`);
    assert.ok(s.kl < 0.05, `KL = ${s.kl}`);
  },
);

test(
  'no sharpening (τ_t = τ_s = 0.1): the teacher entropy rises toward ' +
    'ln K (> 0.95 ln K) and KL → 0',
  async () => {
    const s = (results.noSharpening = await runRegime({
      teacherTemp: 0.1,
      warmupTeacherTemp: 0.1,
    }));
    report('centering only', s);
    assert.ok(s.entropy > 0.95 * LN_K, `h(P_t) = ${s.entropy}, ln K = ${LN_K}`);
    assert.ok(s.kl < 0.05, `KL = ${s.kl}`);
    // the full method is separated from both failure modes by a wide margin
    assert.ok(results.both.entropy - results.noCentering.entropy > 0.2 * LN_K);
    assert.ok(results.noSharpening.entropy - results.both.entropy > 0.1 * LN_K);
  },
);

test.run();
