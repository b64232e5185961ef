// The demo's training loop (demo/page/worker/session.ts) in Node, on a tiny configuration: its
// losses are those of the CLI's loop (trainDino) to the last bit; a checkpoint it writes
// restores a session whose next step is the uninterrupted one's; an epoch's log line and the
// k-NN monitor are trainer.ts's; the backbone copy it makes for k-NN (WebGPU cannot read
// synchronously) computes the same features. Also the demo's backend rule (backend.ts).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideBackend } from '../../demo/page/worker/backend.js';
import { TrainingSession, readableBackbone } from '../../demo/page/worker/session.js';
import { loadEmbeddedFashionMnist } from '../../src/data/embedded.js';
import { checkpointFromSafetensors } from '../../src/dino/checkpoint.js';
import { type DinoConfig, defaultConfig } from '../../src/dino/config.js';
import { normalizationOf } from '../../src/data/stats.js';
import { evaluateKnn } from '../../src/dino/knn.js';
import { extractFeatures } from '../../src/dino/features.js';
import { trainDino } from '../../src/dino/trainer.js';
import { parseSafetensors } from '../../src/io/safetensors.js';
import { cpu } from '../../src/tensor/cpu/index.js';
import { createGpuBackend } from '../../src/tensor/gpu/mode.js';

const data = loadEmbeddedFashionMnist();
/** 4 steps per epoch of 16 images; a small ViT and head. */
const TINY: DinoConfig = {
  ...defaultConfig(),
  limit: 64,
  batchSize: 16,
  epochs: 2,
  embedDim: 32,
  depth: 2,
  numHeads: 2,
  outDim: 128,
  headHiddenDim: 64,
  headBottleneckDim: 32,
  localCropsNumber: 2,
  knnSubset: 100,
};

async function sessionLosses(s: TrainingSession, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await s.step()).report.metrics.loss);
  return out;
}

test('the session computes the losses of the CLI loop (trainDino), bit for bit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'session-'));
  const want: number[] = [];
  try {
    await trainDino({
      config: TINY,
      data,
      outDir: dir,
      backend: cpu,
      finalKnn: false,
      onStep: (p) => want.push(p.metrics.loss),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const s = new TrainingSession({ ...TINY, knnEvery: 0 }, data, cpu);
  assert.equal(await sessionLosses(s, 8), want);
  assert.ok(s.done);
});

test('a checkpoint restores a session whose next steps are the uninterrupted ones', async () => {
  const a = new TrainingSession(TINY, data, cpu);
  await sessionLosses(a, 3);
  const bytes = await a.checkpoint();
  const ck = checkpointFromSafetensors(parseSafetensors(bytes), 'a.safetensors', { backend: cpu });
  const b = TrainingSession.restore(ck, data, cpu);
  assert.is(b.iteration, 3);
  const next = await b.step();
  const rest = await a.step();
  assert.is(next.report.metrics.loss, rest.report.metrics.loss);
  assert.ok(next.record && rest.record, 'step 4 ends the first epoch');
  // the epoch line comes from the partial sums in the checkpoint (all but the timings)
  const untimed = ({ seconds: _, img_per_s: __, ...r }: NonNullable<typeof next.record>) => r;
  assert.equal(untimed(next.record!), untimed(rest.record!));
  const r = next.record!;
  assert.is(r.epoch, 0);
  assert.ok(Math.abs(r.img_per_s * r.seconds - 4 * 16) < 1e-6, 'img/s over the epoch');
});

test('epoch lines and the k-NN monitor are those of trainer.ts', async () => {
  const s = new TrainingSession(TINY, data, cpu);
  const losses: number[] = [];
  let record = null;
  for (let i = 0; i < 4; i++) {
    const { report, record: r } = await s.step();
    losses.push(report.metrics.loss);
    if (r) record = r;
  }
  assert.ok(record);
  assert.ok(Math.abs(record!.train_loss - losses.reduce((x, y) => x + y) / 4) < 1e-12);
  assert.ok(s.knnDue(0));
  const knn = await s.knnMonitor();
  const norm = normalizationOf(data.train);
  const want = evaluateKnn(s.run, data.train, data.test, TINY, norm, cpu, TINY.knnSubset);
  assert.equal(knn.result, want);
  assert.is(knn.protocol, 'subset: 64 train / 100 test');
});

test('readableBackbone: the model itself on cpu, a cpu copy with the same features otherwise', async () => {
  const s = new TrainingSession(TINY, data, cpu);
  assert.ok((await readableBackbone(s.run.teacher.backbone)) === s.run.teacher.backbone);
  const gpu = await createGpuBackend({ mode: 'webasm' });
  const g = new TrainingSession(TINY, data, gpu);
  const copy = await readableBackbone(g.run.teacher.backbone);
  assert.ok(copy !== g.run.teacher.backbone);
  assert.ok(copy.parameters().every((p) => p.backend === cpu));
  const opts = { size: 28, mean: [0.286], std: [0.353], indices: [0, 1, 2, 3] };
  const a = extractFeatures(copy, data.test, { ...opts, backend: cpu });
  const b = extractFeatures(g.run.teacher.backbone, data.test, { ...opts, backend: gpu });
  const worst = a.features.reduce((m, v, i) => Math.max(m, Math.abs(v - b.features[i])), 0);
  assert.ok(worst < 1e-5, `features differ by ${worst}`);
});

test('the backend rule: WebGPU on a hardware adapter, else wasm, else cpu, unless asked', () => {
  const hw = { info: { vendor: 'nvidia', architecture: 'hopper', isFallbackAdapter: false } };
  const sw = { info: { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true } };
  const noSab = 'SharedArrayBuffer is missing (a browser page must be cross-origin isolated)';
  assert.equal(decideBackend('auto', hw, '', null), {
    kind: 'webgpu',
    reason: 'a hardware WebGPU adapter answered: nvidia hopper',
  });
  assert.equal(decideBackend('auto', sw, '', null), {
    kind: 'wasm',
    reason:
      'the only WebGPU adapter, google swiftshader (software), is slower than the CPU backends',
  });
  assert.equal(decideBackend('auto', null, 'this browser has no WebGPU (navigator.gpu)', null), {
    kind: 'wasm',
    reason: 'no WebGPU: this browser has no WebGPU (navigator.gpu)',
  });
  assert.equal(decideBackend('auto', null, 'no navigator.gpu', noSab), {
    kind: 'cpu',
    reason: `no WebGPU: no navigator.gpu; no wasm backend: ${noSab}`,
  });
  assert.is(decideBackend('webgpu', sw, '', null).kind, 'webgpu');
  assert.is(decideBackend('wasm', hw, '', null).kind, 'wasm');
  assert.is(decideBackend('cpu', hw, '', null).kind, 'cpu');
  assert.throws(
    () => decideBackend('webgpu', null, 'no adapter', null),
    /\?backend=webgpu: no adapter/,
  );
  assert.throws(() => decideBackend('wasm', hw, '', noSab), /\?backend=wasm: SharedArrayBuffer/);
  // older browsers put isFallbackAdapter on the adapter itself
  assert.is(decideBackend('auto', { isFallbackAdapter: true }, '', null).kind, 'wasm');
});

test.run();
