// trainDino under faults, on a tiny model and 64 embedded Fashion-MNIST images: a k-NN monitor
// that throws (the epoch used to be lost: it ran before the save), a damaged or missing
// log.jsonl at --resume (a bare JSON error before), resuming on other data (silent before), the
// normalisation and dataset fingerprint stored in the checkpoint, and configurations that
// cannot fit (refused before anything is allocated).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEmbeddedFashionMnist } from '../../src/data/embedded.js';
import {
  ListImageDataset,
  PackedImageDataset,
  subsetDataset,
  type ImageDataset,
} from '../../src/data/image-dataset.js';
import { loadCheckpoint } from '../../src/dino/checkpoint-file.js';
import { defaultConfig, type DinoConfig } from '../../src/dino/config.js';
import { readLogLines } from '../../src/dino/resume.js';
import { trainDino, type TrainOptions } from '../../src/dino/trainer.js';
import { cpu } from '../../src/tensor/cpu/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'mini-dino-faults-'));
const { train: full, test: fullTest } = loadEmbeddedFashionMnist();
const pick = (ds: ImageDataset, n: number, from = 0) =>
  subsetDataset(
    ds,
    Array.from({ length: n }, (_, i) => from + i * 37),
    `${ds.name} ${n}`,
  );
const train = pick(full, 64);
const test1 = pick(fullTest, 32);
const config: DinoConfig = {
  ...defaultConfig(),
  embedDim: 16,
  depth: 1,
  numHeads: 2,
  outDim: 32,
  headHiddenDim: 16,
  headBottleneckDim: 8,
  localCropsNumber: 1,
  batchSize: 32,
  epochs: 2,
  knnSubset: 32,
  knnK: [5],
};

async function run(
  out: string,
  over: Partial<TrainOptions> = {},
): Promise<{ messages: string[]; result: Awaited<ReturnType<typeof trainDino>> }> {
  const messages: string[] = [];
  const result = await trainDino({
    config,
    data: { train, test: test1 },
    outDir: join(tmp, out),
    backend: cpu,
    onInfo: (m) => messages.push(m),
    ...over,
  });
  return { messages, result };
}

test('a failing k-NN monitor is a warning: every epoch is saved and logged', async () => {
  // a 3-channel test split for a 1-channel model: the feature extraction throws
  const rgb = { data: new Uint8Array(28 * 28 * 3), height: 28, width: 28, channels: 3 as const };
  const bad = new ListImageDataset('rgb', [rgb, rgb], 3, Int32Array.of(0, 1), ['a', 'b']);
  const { messages, result } = await run('monitor', { data: { train, test: bad } });
  const warnings = messages.filter((m) => m.startsWith('warning:'));
  assert.is(warnings.length, 2, messages.join('\n'));
  assert.match(warnings[0], /^warning: the k-NN monitor \(training goes on\) failed: /);
  assert.match(warnings[1], /^warning: the final k-NN \(the checkpoint is saved\) failed: /);
  assert.is(result.finalKnn, null);
  assert.is((await loadCheckpoint(result.checkpoint)).meta.epoch, 2);
  const log = readLogLines(join(tmp, 'monitor', 'log.jsonl'));
  assert.equal(
    log.map((r) => [r.epoch, r.knn_top1]),
    [
      [0, undefined],
      [1, undefined],
    ],
  );
});

test('the checkpoint records the normalisation, the dataset and the finished epochs', async () => {
  const { result } = await run('good');
  const ck = await loadCheckpoint(result.checkpoint);
  assert.equal(ck.meta.normalization, result.normalization);
  assert.is(ck.meta.dataset!.count, 64);
  assert.is(ck.meta.dataset!.channels, 1);
  assert.match(ck.meta.dataset!.sample, /^[0-9a-f]{64}$/);
  const h = ck.meta.history as { epoch: number; train_loss: number }[];
  assert.equal(
    h.map((r) => [r.epoch, r.train_loss]),
    result.history.map((r) => [r.epoch, r.train_loss]),
  );
});

test('--resume with a damaged or missing log.jsonl: a warning, the log rebuilt', async () => {
  await run('damaged');
  const logPath = join(tmp, 'damaged', 'log.jsonl');
  const lines = readFileSync(logPath, 'utf8').trim().split('\n');
  const epoch1 = JSON.parse(lines[1]) as Record<string, unknown>;
  writeFileSync(logPath, `${lines[0]}\n${lines[1].slice(0, 25)}\n`); // a torn last line
  const { messages } = await run('damaged', { resume: true, config: { ...config, epochs: 3 } });
  assert.ok(
    messages.includes(
      `warning: ${logPath}: line(s) 2 are damaged (not JSON); the log is rewritten from what the ` +
        `checkpoint knows`,
    ),
    messages.join('\n'),
  );
  assert.ok(messages.includes(`${logPath}: epoch(s) 1 restored from the checkpoint`));
  const log = readLogLines(logPath);
  assert.equal(
    log.map((r) => r.epoch),
    [0, 1, 2],
  );
  // the checkpoint's copy: the same record, without the final k-NN added after the save
  const { knn_top1: _k, knn_protocol: _p, ...saved } = epoch1;
  assert.equal(log[1], saved);
  unlinkSync(logPath);
  const again = await run('damaged', { resume: true, config: { ...config, epochs: 4 } });
  assert.ok(again.messages.includes(`${logPath}: epoch(s) 0, 1, 2 restored from the checkpoint`));
  assert.equal(
    readLogLines(logPath).map((r) => r.epoch),
    [0, 1, 2, 3],
  );
});

test('--resume on other data: another count is refused, other images are a warning', async () => {
  await run('data');
  const out = join(tmp, 'data');
  try {
    await run('data', { resume: true, data: { train: pick(full, 96), test: test1 } });
    assert.unreachable('resumed on 96 images');
  } catch (e) {
    assert.is(
      (e as Error).message,
      `--resume: ${join(out, 'checkpoint.safetensors')} was trained on 64 images, this data ` +
        `has 96: resuming needs the same training set (use another --out to start afresh)`,
    );
  }
  // the same count, other (inverted) images: the statistics differ too
  const inverted = new PackedImageDataset(
    'inverted',
    Uint8Array.from(
      { length: 64 * 784 },
      (_, i) => 255 - train.image(Math.floor(i / 784)).data[i % 784],
    ),
    28,
    28,
    1,
    train.labels,
    train.classes,
  );
  const { messages, result } = await run('data', {
    resume: true,
    config: { ...config, epochs: 3 },
    data: { train: inverted, test: test1 },
  });
  assert.ok(
    messages.some((m) =>
      m.startsWith(
        `warning: --resume: these 64 training images are not the ones ` +
          `${join(out, 'checkpoint.safetensors')} was trained on (same count, other content)`,
      ),
    ),
    messages.join('\n'),
  );
  assert.ok(messages.some((m) => /^warning: --resume: the data's statistics .* differ/.test(m)));
  const saved = (await loadCheckpoint(result.checkpoint)).meta.normalization!;
  assert.equal(result.normalization, saved, "the checkpoint's normalisation is kept");
  assert.ok(saved.mean[0] < 0.5, 'the original (dark) images, not the inverted ones');
});

test('configurations that cannot fit are refused before anything is allocated', async () => {
  try {
    await run('huge', { config: { ...config, globalCropSize: 1000, patchSize: 7 } });
    assert.unreachable('trained');
  } catch (e) {
    assert.match(
      (e as Error).message,
      /^one step of this configuration needs at least [\d.]+ GiB \(.* Tg = 20165 tokens of a --global-crop-size 1000 crop .* at --patch-size 7\), more than this machine's/,
    );
  }
  try {
    await run('long', { config: { ...config, epochs: 1e8 } });
    assert.unreachable('trained');
  } catch (e) {
    assert.is(
      (e as Error).message,
      `--epochs 100000000 × 2 steps per epoch is 200000000 iterations; at most ` +
        `10000000 are supported (the schedules are tabulated per iteration)`,
    );
  }
  const peakMb = process.resourceUsage().maxRSS / 1024;
  assert.ok(peakMb < 1024, `peak RSS ${peakMb.toFixed(0)} MB: something was allocated`);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
