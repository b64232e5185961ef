// A DINO training step on the gpu backend stays on the device: after the crops are uploaded, the
// step reads back once — loss, teacher entropy and KL, three float32 numbers — and uploads
// nothing else (the runtime's counters; bench/dispatches.ts reports them for the bench configs).
// A repeated step builds no kernel and leaves no buffer behind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildDino } from '../../../src/dino/build.js';
import { defaultConfig } from '../../../src/dino/config.js';
import { hyperAt, trainStep } from '../../../src/dino/train-step.js';
import type { Backend } from '../../../src/tensor/backend.js';
import { tensor } from '../../../src/tensor/creation.js';
import { TINY } from '../../dino/tiny-model.js';
import { gpu, normals } from './setup.js';

const backend = gpu as unknown as Backend;
// clipping on, and an epoch past the frozen last layer, so that every update path runs
const config = { ...defaultConfig(), ...TINY, clipGrad: 3, freezeLastLayer: 0 };
const run = buildDino(config, { inChans: 1, itersPerEpoch: 4 }, { backend });
const B = config.batchSize;
const hostCrops = [8, 8, 4, 4].map((s, i) => normals(B * s * s, 100 + i));
const cropBytes = hostCrops.reduce((n, c) => n + c.byteLength, 0);

async function step(it: number) {
  const crops = hostCrops.map((c, i) =>
    tensor(c, { shape: [B, 1, i < 2 ? 8 : 4, i < 2 ? 8 : 4], backend }),
  );
  const m = await trainStep(run, crops, hyperAt(run, it, 0), 0, it);
  for (const c of crops) c.dispose();
  return m;
}

test('one readback per step (loss, entropy, KL); only the crops are uploaded', async () => {
  await step(0); // builds the kernels and the optimizer state
  await gpu.sync();
  const c = gpu.rt.counters;
  const before = { ...c };
  const live = gpu.liveBuffers;
  const built = gpu.rt.kernelsBuilt;
  const m = await step(1);
  await gpu.sync();
  assert.ok(Number.isFinite(m.loss) && Number.isFinite(m.kl) && Number.isFinite(m.teacherEntropy));
  assert.is(c.reads - before.reads, 1, 'reads per step');
  assert.is(c.bytesRead - before.bytesRead, 12, 'bytes read per step');
  assert.is(c.uploads - before.uploads, hostCrops.length, 'uploads per step: the crops');
  assert.is(c.bytesUploaded - before.bytesUploaded, cropBytes, 'bytes uploaded per step');
  assert.ok(c.dispatches > before.dispatches);
  assert.is(gpu.rt.kernelsBuilt, built, 'kernels built by a repeated step');
  assert.is(gpu.liveBuffers, live, 'buffers left by a step');
});

test.run();
