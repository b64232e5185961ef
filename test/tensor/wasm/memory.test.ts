// Memory on the wasm backend: 200 full DINO training steps (teacher and student forward, loss,
// backward, clip, AdamW, EMA, center) on a small model keep the heap steady: after two warm-up
// steps no block is cut from fresh memory, the heap does not extend, and the bytes in use return
// to the same level after every step (nothing a step creates outlives it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildDino } from '../../../src/dino/build.js';
import { defaultConfig } from '../../../src/dino/config.js';
import { hyperAt, trainStep } from '../../../src/dino/train-step.js';
import { randn } from '../../../src/tensor/creation.js';
import { Generator } from '../../../src/tensor/random.js';
import { keep } from '../../../src/tensor/tensor.js';
import { createWasmBackend } from '../../../src/tensor/wasm/index.js';
import { TINY } from '../../dino/tiny-model.js';

test('200 training steps on wasm add no storage after the second', async () => {
  const backend = await createWasmBackend({ threads: 2 });
  const config = { ...defaultConfig(), ...TINY, clipGrad: 3 };
  const run = buildDino(config, { inChans: 1, itersPerEpoch: 100 }, { backend });
  const g = new Generator(5);
  const crops = [8, 8, 4, 4].map((s) =>
    keep(randn([config.batchSize, 1, s, s], { backend, generator: g })),
  );
  let it = 0;
  const step = () => trainStep(run, crops, hyperAt(run, it, Math.floor(it / 100)), 0, it++);
  await step();
  await step();
  const { heap } = backend;
  const fresh = heap.freshBlocks;
  const { top, used } = heap.stats();
  for (let i = 0; i < 200; i++) {
    const m = await step();
    assert.ok(Number.isFinite(m.loss), `step ${it}: loss ${m.loss}`);
    assert.is(heap.stats().used, used, `step ${it}: bytes in use`);
  }
  assert.is(heap.freshBlocks, fresh, 'fresh blocks after the warm-up');
  assert.is(heap.stats().top, top, 'heap extent');
});

test.run();
