// Records a DINO training run step by step so that the PyTorch reference can replay it
// (tools/torch-replay.py): the student's initial weights, the crops of every step, the scheduled
// hyper-parameters and mini-dino's own per-step monitors (loss, teacher entropy h(P_t), KL). The
// loop is the trainer's (src/dino/trainer.ts): same seeds, same epoch order, same augmentation
// generator, so `--seed S` traces exactly what `mini-dino train --seed S` computes.
//
// Needs: nothing but this repository (the replay needs Debian's python3-torch).
// Usage:  npx tsx tools/recipe-trace.ts --out DIR [--steps N] [--dtype float32|float64]
//           [--no-crops] [--no-train] [--final-knn] [--data PATH]
//           [any `mini-dino train` config flag]
// Writes DIR/init.safetensors (student = teacher at step 0, our key names: backbone.*, head.*),
// DIR/crops-NNNN.safetensors (step{s}.crop{i}, float32, 50 steps per file), DIR/trace.jsonl (one
// line per step: it, epoch, lr, wd, momentum, teacherTemp, loss, teacherEntropy, kl) and
// DIR/config.json, DIR/final.safetensors (student.*, teacher.*, center after the last traced
// step); with --final-knn, DIR/knn.json (teacher k-NN on the full test split).

import { mkdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyConfigFlags, configFlags, parseArgs } from '../src/cli/args.js';
import { loadData } from '../src/cli/data.js';
import { DATA_FLAG, str } from '../src/cli/flags.js';
import { DataAugmentationDINO } from '../src/dino/augment/index.js';
import { buildDino } from '../src/dino/build.js';
import { defaultConfig } from '../src/dino/config.js';
import { hyperAt, trainStep } from '../src/dino/train-step.js';
import { augmentOptionsFor } from '../src/dino/augment/options.js';
import { epochOrder } from '../src/dino/epoch.js';
import { evaluateKnn } from '../src/dino/knn.js';
import { normalizationOf } from '../src/data/stats.js';
import { safetensorsFromTensorsAsync } from '../src/io/convert.js';
import type { TensorEntry } from '../src/io/safetensors.js';
import { writeSafetensorsFileSync } from '../src/io/safetensors-file.js';
import { tensor } from '../src/tensor/creation.js';
import { Generator } from '../src/tensor/random.js';
import { getDefaultBackend } from '../src/tensor/tensor.js';

const CROPS_PER_FILE = 50;

const parsed = parseArgs(
  process.argv.slice(2),
  [
    DATA_FLAG,
    { name: 'out', type: 'string', meta: 'DIR', doc: 'output folder' },
    { name: 'steps', type: 'int', meta: 'N', doc: 'steps to trace (default: the whole run)' },
    { name: 'dtype', type: 'string', meta: 'float32|float64', doc: 'dtype of the run' },
    { name: 'crops', type: 'bool', doc: 'write the crops (default; --no-crops skips them)' },
    { name: 'train', type: 'bool', doc: 'train (default); --no-train: only crops and schedules' },
    { name: 'final-knn', type: 'bool', doc: 'k-NN of the teacher after the last traced step' },
    ...configFlags(),
  ],
  'recipe-trace',
);
const outDir = str(parsed, 'out');
if (!outDir) throw new Error('recipe-trace: --out DIR is required');
const dtype = (str(parsed, 'dtype') ?? 'float32') as 'float32' | 'float64';
if (dtype !== 'float32' && dtype !== 'float64')
  throw new Error(`recipe-trace: --dtype must be float32 or float64, got ${dtype}`);
const config = applyConfigFlags(defaultConfig(), parsed);
const data = loadData(str(parsed, 'data'), (s) => console.error(s));
const train = data.train;
const N = config.limit > 0 ? Math.min(config.limit, train.length) : train.length;
const itersPerEpoch = Math.floor(N / config.batchSize);
const total = config.epochs * itersPerEpoch;
const steps = Math.min(total, (parsed.values.get('steps') as number | undefined) ?? total);
const backend = getDefaultBackend();

mkdirSync(outDir, { recursive: true });
const norm = normalizationOf(train);
const run = buildDino(config, { inChans: train.channels, itersPerEpoch }, { dtype });
const augGen = new Generator(config.seed + 1000);
const aug = new DataAugmentationDINO(augmentOptionsFor(config, norm), train.channels);
writeFileSync(
  join(outDir, 'config.json'),
  JSON.stringify({ config, norm, itersPerEpoch, steps, dtype, inChans: train.channels }, null, 1),
);
writeSafetensorsFileSync(
  join(outDir, 'init.safetensors'),
  await safetensorsFromTensorsAsync(new Map(run.student.namedParameters())),
);
const tracePath = join(outDir, 'trace.jsonl');
writeFileSync(tracePath, '');

let cropEntries = new Map<string, TensorEntry>();
const flushCrops = (upTo: number) => {
  if (cropEntries.size === 0) return;
  const first = Math.floor((upTo - 1) / CROPS_PER_FILE) * CROPS_PER_FILE;
  writeSafetensorsFileSync(
    join(outDir, `crops-${String(first).padStart(4, '0')}.safetensors`),
    cropEntries,
  );
  cropEntries = new Map();
};

const t0 = performance.now();
for (let it = 0; it < steps; it++) {
  const epoch = Math.floor(it / itersPerEpoch);
  const step = it - epoch * itersPerEpoch;
  const order = epochOrder(config.seed, epoch, N); // cheap; the trainer draws it once per epoch
  const images = Array.from({ length: config.batchSize }, (_, b) =>
    train.image(order[step * config.batchSize + b]),
  );
  const arrays = aug.apply(images, augGen);
  const sizes = arrays.map((a) =>
    Math.round(Math.sqrt(a.length / (images.length * train.channels))),
  );
  if (parsed.values.get('crops') !== false) {
    arrays.forEach((a, v) =>
      cropEntries.set(`step${it}.crop${v}`, {
        dtype: 'F32',
        shape: [images.length, train.channels, sizes[v], sizes[v]],
        data: a,
      }),
    );
    if ((it + 1) % CROPS_PER_FILE === 0) flushCrops(it + 1);
  }
  if (parsed.values.get('train') === false) {
    appendFileSync(tracePath, JSON.stringify({ it, epoch, ...hyperAt(run, it, epoch) }) + '\n');
    continue;
  }
  const crops = arrays.map((a, v) =>
    tensor(dtype === 'float64' ? Float64Array.from(a) : a, {
      shape: [images.length, train.channels, sizes[v], sizes[v]],
      dtype,
      backend,
    }),
  );
  const m = await trainStep(run, crops, hyperAt(run, it, epoch), epoch, it);
  for (const c of crops) c.dispose();
  appendFileSync(tracePath, JSON.stringify({ it, epoch, ...m }) + '\n');
  if (it % 10 === 0 || it === steps - 1) {
    const s = ((performance.now() - t0) / 1000).toFixed(0);
    console.error(
      `step ${it + 1}/${steps} (${s} s): loss ${m.loss.toFixed(4)} ` +
        `h(P_t) ${m.teacherEntropy.toFixed(3)} KL ${m.kl.toFixed(4)}`,
    );
  }
}
flushCrops(steps);
const finals = new Map(run.student.namedParameters().map(([k, t]) => [`student.${k}`, t]));
for (const [k, t] of run.teacher.namedParameters()) finals.set(`teacher.${k}`, t);
finals.set('center', run.center.value);
writeSafetensorsFileSync(
  join(outDir, 'final.safetensors'),
  await safetensorsFromTensorsAsync(finals),
);
if (parsed.values.get('final-knn') === true && data.test) {
  const r = evaluateKnn(run, train, data.test, config, norm, backend, Infinity, N);
  writeFileSync(join(outDir, 'knn.json'), JSON.stringify(r));
  console.error(`k-NN top-1 ${JSON.stringify(r.top1)}`);
}
