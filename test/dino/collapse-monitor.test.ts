// The stall detector (src/dino/collapse-monitor.ts): its verdict on hand-made epoch averages,
// then on real training runs through the trainer with the two ablations of the collapse study
// forced (official main_dino.py DINOLoss without centering or without sharpening; paper §5.3,
// Fig. 7): the warning must reach the console (onInfo) and log.jsonl, and the full method must
// not raise it. The runs use the synthetic shapes and the small model of test/dino/collapse.test.ts
// (16 px images, K = 64) for 6 epochs of 8 steps.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PackedImageDataset } from '../../src/data/image-dataset.js';
import {
  checkCollapse,
  COLLAPSE_THRESHOLDS,
  type EpochMonitors,
} from '../../src/dino/collapse-monitor.js';
import { defaultConfig, type DinoConfig } from '../../src/dino/config.js';
import type { EpochRecord } from '../../src/dino/epoch.js';
import { trainDino } from '../../src/dino/trainer.js';
import { selectBackend } from '../../src/tensor/select.js';
import { SIZE, syntheticShapes } from './synthetic-shapes.js';

// the training runs below on the fast CPU backend, as the other behaviour-training tests
await selectBackend('wasm');

const K = 64;
const LN_K = Math.log(K);
const rec = (h: number, kl: number, epoch = 2): EpochMonitors => ({
  epoch,
  train_teacher_entropy: h,
  train_kl: kl,
});

test('near ln K is a uniform stall; the message names the epoch (1-based) and the causes', () => {
  const w = checkCollapse(rec(0.95 * LN_K, 0.2), K);
  assert.ok(w);
  assert.is(w.kind, 'uniform');
  assert.is(w.epoch, 2);
  assert.ok(Math.abs(w.entropyFraction - 0.95) < 1e-12);
  assert.match(w.message, /^warning: epoch 3: teacher entropy h\(P_t\) = 3\.951 nats, 95% of ln K/);
  assert.match(w.message, /--teacher-temp/);
  assert.match(w.message, /--momentum-teacher/);
});

test('near 0 with the student matching the teacher is a one-dimension collapse', () => {
  const w = checkCollapse(rec(0.01, 0.003), K);
  assert.ok(w);
  assert.is(w.kind, 'one-dimension');
  assert.match(w.message, /--center-momentum/);
});

test('a sharp teacher the student has not caught up with is not a stall (a run’s first steps)', () => {
  // the full method starts this way: center 0, τ_t 0.02 → h(P_t) ≈ 0.16 with KL ≈ 1
  assert.is(checkCollapse(rec(0.16, 1.0), K), null);
});

test('in between, at the thresholds, and without a number: no warning', () => {
  const { uniform, oneDimension } = COLLAPSE_THRESHOLDS;
  assert.is(checkCollapse(rec(0.6 * LN_K, 0.4), K), null);
  assert.is(checkCollapse(rec(uniform * LN_K * (1 - 1e-9), 0.01), K), null);
  assert.ok(checkCollapse(rec(uniform * LN_K, 0.01), K));
  assert.is(checkCollapse(rec(oneDimension * LN_K * (1 + 1e-9), 0), K), null);
  assert.ok(checkCollapse(rec(oneDimension * LN_K, 0), K));
  assert.is(checkCollapse(rec(NaN, 0.1), K), null);
  assert.is(checkCollapse(rec(0, 0), 1), null, 'K = 1 has no entropy to judge');
});

// ---- forced collapses through the trainer

const images = syntheticShapes(256, 1);
const pixels = new Uint8Array(images.length * SIZE * SIZE);
images.forEach((img, i) => pixels.set(img.data, i * SIZE * SIZE));
const dataset = new PackedImageDataset('synthetic shapes', pixels, SIZE, SIZE, 1);

const BASE: Partial<DinoConfig> = {
  arch: 'custom',
  patchSize: 4,
  embedDim: 32,
  depth: 2,
  numHeads: 2,
  mlpRatio: 2,
  outDim: K,
  headHiddenDim: 64,
  headBottleneckDim: 32,
  teacherTemp: 0.02,
  warmupTeacherTemp: 0.02,
  batchSize: 32,
  epochs: 6,
  lr: 0.005,
  minLr: 1e-4,
  warmupEpochs: 1,
  momentumTeacher: 0.99,
  globalCropSize: 12,
  globalCropsScale: [0.6, 1],
  localCropSize: 8,
  localCropsNumber: 2,
  localCropsScale: [0.3, 0.6],
  colorJitterProb: 0,
  blurProb: [0, 0, 0],
  solarizationProb: 0,
  knnEvery: 0,
  seed: 0,
};

async function train(over: Partial<DinoConfig>) {
  const dir = mkdtempSync(join(tmpdir(), 'stall-'));
  const infos: string[] = [];
  try {
    const r = await trainDino({
      config: { ...defaultConfig(), ...BASE, ...over },
      data: { train: dataset },
      outDir: dir,
      onInfo: (m) => infos.push(m),
    });
    const logged = readFileSync(join(dir, 'log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as EpochRecord);
    return { history: r.history, logged, infos };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const show = (h: EpochRecord[]) =>
  h.map((r) => `${(r.train_teacher_entropy / LN_K).toFixed(2)}${r.stall ? '*' : ''}`).join(' ');

test('no centering (center momentum 1): one-dimension stall on the console and in the log', async () => {
  const { history, logged, infos } = await train({ centerMomentum: 1 });
  console.log(`  no centering, h/ln K per epoch (* = warned): ${show(history)}`);
  const last = logged[logged.length - 1];
  assert.is(last.stall, 'one-dimension');
  assert.match(last.stall_message!, /one output dimension dominates/);
  assert.ok(logged.every((r) => r.stall !== 'uniform'));
  assert.ok(infos.some((m) => m.startsWith(`warning: epoch ${history.length}:`)));
});

test('no sharpening (τ_t = τ_s = 0.1): uniform stall on the console and in the log', async () => {
  const { history, logged, infos } = await train({ teacherTemp: 0.1, warmupTeacherTemp: 0.1 });
  console.log(`  no sharpening, h/ln K per epoch (* = warned): ${show(history)}`);
  const last = logged[logged.length - 1];
  assert.is(last.stall, 'uniform');
  assert.match(last.stall_message!, /teacher is near uniform/);
  assert.ok(logged.every((r) => r.stall !== 'one-dimension'));
  assert.ok(infos.some((m) => m.includes('training has stalled')));
});

test('centering + sharpening: no warning in any epoch', async () => {
  const { history, infos } = await train({});
  console.log(`  full method, h/ln K per epoch: ${show(history)}`);
  assert.ok(history.every((r) => r.stall === undefined && r.stall_message === undefined));
  assert.not.ok(infos.some((m) => m.includes('stalled')));
});

test.run();
