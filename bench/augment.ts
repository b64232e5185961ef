// Benchmark of DINO's multi-crop augmentation on the CPU (it runs for every training batch and
// must never be the bottleneck): one batch of 64 embedded Fashion-MNIST images through this
// project's recipe (2 x 28 px + 4 x 14 px crops), the official 3-channel configuration
// (2 x 224 + 8 x 96) on 4 RGB images of 256 x 320, and the eval transform.
// Official counterpart: main_dino.py DataAugmentationDINO in torch DataLoader workers.
// Usage: npm run bench:augment [-- --time MS]   (tinybench; prints ms per batch)

import { Bench } from 'tinybench';
import { loadEmbeddedFashionMnist } from '../src/data/embedded.js';
import type { Image } from '../src/data/image.js';
import {
  DataAugmentationDINO,
  EvalTransform,
  OFFICIAL_AUGMENT,
  type AugmentOptions,
} from '../src/dino/augment/index.js';
import { Generator } from '../src/tensor/random.js';

const timeArg = process.argv.indexOf('--time');
const time = timeArg >= 0 ? Number(process.argv[timeArg + 1]) : 1000;

const { train } = loadEmbeddedFashionMnist();
const batch: Image[] = Array.from({ length: 64 }, (_, i) => train.image(i * 97));

const RECIPE: AugmentOptions = {
  ...OFFICIAL_AUGMENT,
  globalCropSize: 28,
  localCropSize: 14,
  localCropsNumber: 4,
  saturation: 0,
  hue: 0,
  blurSigma: [0.1, 1.0],
  mean: [0.286],
  std: [0.353],
};
const recipe = new DataAugmentationDINO(RECIPE, 1);
const official = new DataAugmentationDINO(OFFICIAL_AUGMENT, 3);
const evalT = new EvalTransform({ size: 28, mean: [0.286], std: [0.353] }, 1);

const g = new Generator(0);
const rgb: Image[] = Array.from({ length: 4 }, () => {
  const h = 256,
    w = 320;
  const data = new Uint8Array(h * w * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        data[(y * w + x) * 3 + c] = (x * (c + 1) + y * 2 + g.int(40)) & 255;
      }
  return { data, height: h, width: w, channels: 3 };
});

let outRecipe: Float32Array[] | undefined;
let outOfficial: Float32Array[] | undefined;
const bench = new Bench({ time, warmup: true });
bench
  .add('recipe 1ch: 64 images -> 2x28 + 4x14', () => {
    outRecipe = recipe.apply(batch, g, { out: outRecipe });
  })
  .add('official 3ch: 4 images 256x320 -> 2x224 + 8x96', () => {
    outOfficial = official.apply(rgb, g, { out: outOfficial });
  })
  .add('eval 1ch: 64 images -> 28', () => {
    evalT.apply(batch);
  });

await bench.run();
console.table(bench.table());
for (const task of bench.tasks) {
  const r = task.result as { latency?: { mean: number } };
  if (r.latency) console.log(`${task.name}: ${r.latency.mean.toFixed(3)} ms per batch`);
}
