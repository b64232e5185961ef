// `mini-dino eval-knn`, `linear` and `attention` on checkpoints made here: a tiny mini-dino
// training checkpoint (1 channel, 28 px) and a randomly initialised 3-channel ViT-S/16 at 224 px
// saved with the official backbone-only key names (cls_token, blocks.0.attn.qkv.weight, ...), as
// an official DINO .pth converted to safetensors has them. Data: a 400 + 200 image idx folder.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { buildDino } from '../../src/dino/build.js';
import { saveCheckpoint } from '../../src/dino/checkpoint-file.js';
import { defaultConfig, type DinoConfig } from '../../src/dino/config.js';
import { safetensorsFromTensors } from '../../src/io/convert.js';
import { serializeSafetensors } from '../../src/io/safetensors.js';
import { vit_small } from '../../src/nn/vit.js';
import { cpu } from '../../src/tensor/cpu/index.js';
import { expectExit, lastJson, makeTinyIdx, removeDir, runCli, tempDir } from './helpers.js';

const root = tempDir('eval');
const data = makeTinyIdx(join(root, 'data'), 400, 200);
const ckpt = join(root, 'checkpoint.safetensors');
const vits16 = join(root, 'dino_deitsmall16_random.safetensors');
const ckptNorm = join(root, 'checkpoint-normalised.safetensors');
/** Untrained (teacher = the student's initialisation) from a run with seed 7. */
const ckptSeed7 = join(root, 'checkpoint-seed7.safetensors');

/** A PNG of w×h with a bright square on a gradient; colour type 0 (grey) or 2 (RGB). */
function writePng(path: string, w: number, h: number, colorType: 0 | 2): void {
  const png = new PNG({ width: w, height: h, colorType, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = x > w / 3 && x < (2 * w) / 3 && y > h / 4 && y < (3 * h) / 4;
      const i = 3 * (y * w + x);
      png.data[i] = inside ? 240 : (255 * x) / w;
      png.data[i + 1] = inside ? 200 : (255 * y) / h;
      png.data[i + 2] = inside ? 40 : 90;
    }
  }
  writeFileSync(path, PNG.sync.write(png, { colorType, inputColorType: 2, inputHasAlpha: false }));
}

function pngSize(path: string): [number, number] {
  const p = PNG.sync.read(readFileSync(path));
  return [p.width, p.height];
}

test.before(async () => {
  const config: DinoConfig = {
    ...defaultConfig(),
    embedDim: 32,
    depth: 2,
    numHeads: 2,
    outDim: 128,
    headHiddenDim: 64,
    headBottleneckDim: 32,
  };
  const run = buildDino(config, { inChans: 1, itersPerEpoch: 1 }, { backend: cpu });
  await saveCheckpoint(ckpt, run, { epoch: 1, iteration: 1, inChans: 1, rng: {}, partial: null });
  const normalization = { mean: [0.9], std: [0.05] }; // not the data's 0.286 / 0.353
  await saveCheckpoint(ckptNorm, run, {
    epoch: 1,
    iteration: 1,
    inChans: 1,
    rng: {},
    normalization,
  });
  const run7 = buildDino(
    { ...config, seed: 7 },
    { inChans: 1, itersPerEpoch: 1 },
    { backend: cpu },
  );
  await saveCheckpoint(ckptSeed7, run7, { epoch: 0, iteration: 0, inChans: 1, rng: {} });
  // The official backbone-only names, bare (no teacher./module./backbone. prefix).
  const vit = vit_small({ imgSize: 224, patchSize: 16, inChans: 3 }, { backend: cpu });
  const tensors = new Map(vit.namedParameters());
  assert.ok(
    tensors.has('cls_token') &&
      tensors.has('blocks.0.attn.qkv.weight') &&
      tensors.has('blocks.11.mlp.fc2.bias') &&
      tensors.has('norm.weight'),
  );
  writeFileSync(vits16, serializeSafetensors(safetensorsFromTensors(tensors)));
});

test('eval-knn --k 10,20 --json: top-1 per k as fractions', async () => {
  const r = await runCli([
    'eval-knn',
    '--checkpoint',
    ckpt,
    '--data',
    data,
    '--k',
    '10,20',
    '--backend',
    'wasm',
    '--json',
  ]);
  expectExit(r, 0, 'eval-knn');
  assert.is(r.stdout.trim().split('\n').length, 1, 'only the JSON object on stdout');
  const j = lastJson(r);
  const top1 = j.top1 as Record<string, number>;
  assert.equal(Object.keys(top1), ['10', '20']);
  for (const v of Object.values(top1)) assert.ok(v >= 0 && v <= 1, `top1 ${v}`);
  assert.ok(top1['10'] > 0.1, 'better than chance on 10 classes');
  assert.is(j.baselines, undefined);
  assert.match(r.stderr, /features: 400 train \+ 200 test images at 28px/);
});

test('eval-knn --baselines adds raw pixels and a random-init ViT', async () => {
  const r = await runCli([
    'eval-knn',
    '--checkpoint',
    ckpt,
    '--data',
    data,
    '--k',
    '10,20',
    '--baselines',
    '--backend',
    'wasm',
    '--json',
  ]);
  expectExit(r, 0, 'eval-knn --baselines');
  const j = lastJson(r);
  const b = j.baselines as Record<string, Record<string, number>>;
  assert.equal(Object.keys(b).sort(), ['randomInit', 'rawPixels']);
  for (const t of Object.values(b)) {
    assert.equal(Object.keys(t), ['10', '20']);
    for (const v of Object.values(t)) assert.ok(v >= 0 && v <= 1);
  }
  assert.ok(b.rawPixels['10'] > 0.5, `raw pixels k-NN on Fashion-MNIST: ${b.rawPixels['10']}`);
  assert.match(r.stderr, /normalisation from .* \(the checkpoint does not say\): mean 0\.28/);
});

test("eval-knn normalises with the training run's statistics from the checkpoint", async () => {
  const args = ['eval-knn', '--checkpoint', ckptNorm, '--data', data, '--k', '10'];
  const r = await runCli([...args, '--backend', 'wasm', '--json']);
  expectExit(r, 0, 'eval-knn');
  assert.match(r.stderr, /normalisation of the training run: mean 0\.9, std 0\.05\n/);
  assert.not.match(r.stderr, /normalisation from/);
});

test('linear --epochs 2 --json: top-1', async () => {
  const r = await runCli([
    'linear',
    '--checkpoint',
    ckpt,
    '--data',
    data,
    '--epochs',
    '2',
    '--backend',
    'wasm',
    '--json',
  ]);
  expectExit(r, 0, 'linear');
  const j = lastJson(r);
  assert.ok(typeof j.top1 === 'number' && j.top1 >= 0 && j.top1 <= 1, `top1 ${j.top1}`);
  assert.ok(typeof j.top5 === 'number' && j.top5 >= (j.top1 as number));
  assert.is(j.nLastBlocks, 2);
  assert.match(r.stderr, /2 epochs, lr 0\.2\b/, 'the probe default lr (LINEAR_PROBE_DEFAULTS)');
});

test("the random-init baselines start from the training run's seed (the student's init)", async () => {
  // The checkpoint is untrained, so its teacher is exactly the random init of seed 7: the
  // baseline must score the same as the checkpoint itself, for k-NN and for the linear probe.
  const knn = await runCli([
    'eval-knn',
    '--checkpoint',
    ckptSeed7,
    '--data',
    data,
    '--k',
    '10,20',
    '--baselines',
    '--backend',
    'wasm',
    '--json',
  ]);
  expectExit(knn, 0, 'eval-knn --baselines');
  assert.match(knn.stderr, /random-init ViT \(seed 7\): /);
  const j = lastJson(knn);
  assert.equal((j.baselines as Record<string, unknown>).randomInit, j.top1);
  const lin = await runCli([
    'linear',
    '--checkpoint',
    ckptSeed7,
    '--data',
    data,
    '--epochs',
    '3',
    '--baselines',
    '--backend',
    'wasm',
    '--json',
  ]);
  expectExit(lin, 0, 'linear --baselines');
  assert.match(lin.stderr, /random-init ViT \(seed 7\): linear top-1 /);
  const l = lastJson(lin);
  const b = l.baselines as Record<string, { top1: number; top5: number }>;
  assert.equal(Object.keys(b).sort(), ['randomInit', 'rawPixels']);
  assert.equal(b.randomInit, { top1: l.top1, top5: l.top5 });
  assert.ok(b.rawPixels.top1 > 0.5, `linear on raw pixels of Fashion-MNIST: ${b.rawPixels.top1}`);
  assert.ok(b.rawPixels.top5 >= b.rawPixels.top1);
});

/** Runs `attention --json` and checks heads, grid, the PNG files (square, at least minSide px). */
async function checkAttention(
  checkpoint: string,
  img: string,
  out: string,
  numHeads: number,
  grid: number[],
  minSide: number,
): Promise<void> {
  const r = await runCli([
    'attention',
    '--checkpoint',
    checkpoint,
    '--image',
    img,
    '--out',
    out,
    '--backend',
    'wasm',
    '--json',
  ]);
  expectExit(r, 0, `attention ${checkpoint}`);
  const j = lastJson(r);
  assert.is(j.numHeads, numHeads);
  assert.equal(j.grid, grid);
  const names = readdirSync(out).sort();
  assert.equal(
    names,
    [
      ...Array.from({ length: numHeads }, (_, i) => `attn-head${i}.png`),
      'attn-mask.png',
      'attn-mean.png',
      'image.png',
    ].sort(),
  );
  assert.equal((j.files as string[]).map((f) => f.split(/[\\/]/).pop()).sort(), names);
  for (const n of names) {
    const [w, h] = pngSize(join(out, n));
    assert.ok(w === h && w >= minSide, `${n}: ${w}×${h}`);
  }
}

test(
  'attention on a mini-dino checkpoint and a grey PNG: per-head, mean ' + 'and mask PNGs',
  async () => {
    const img = join(root, 'grey.png');
    writePng(img, 40, 30, 0);
    await checkAttention(ckpt, img, join(root, 'attn-1ch'), 2, [4, 4], 28);
  },
);

test(
  'attention on a 3-channel ViT-S/16 at 224 px with official key names ' + '(converted weights)',
  async () => {
    const img = join(root, 'rgb.png');
    writePng(img, 96, 64, 2);
    await checkAttention(vits16, img, join(root, 'attn-vits16'), 6, [14, 14], 224);
  },
);

test.after(() => removeDir(root));

test.run();
