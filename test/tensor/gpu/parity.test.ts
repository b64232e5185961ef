// The PyTorch parity check on the gpu backend: one full DINO step (ViT, head, loss,
// backward, clip, AdamW, EMA, center) from each float64 fixture, run in float32 on gpu.js
// (webasm in CI, webgpu under npm run test:gpu), within the float32 tolerances of
// src/dino/parity.ts.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FLOAT32_TOLERANCES, runParity } from '../../../src/dino/parity.js';
import { gpu, MODE } from './setup.js';

const dir = join(import.meta.dirname, '..', '..', 'fixtures');
const fixtures = readdirSync(dir).filter(
  (f) => f.endsWith('.safetensors') && !f.startsWith('torch-writer') && !f.startsWith('multistep'),
);

for (const f of fixtures) {
  test(`float32 parity with PyTorch on the gpu backend (${MODE}): ${f}`, async () => {
    const r = await runParity(join(dir, f), { backend: gpu, dtype: 'float32' });
    assert.is(r.backend, 'gpu');
    assert.is(r.dtype, 'float32');
    for (const g of Object.keys(FLOAT32_TOLERANCES) as (keyof typeof FLOAT32_TOLERANCES)[]) {
      assert.ok(
        r.errors[g] <= FLOAT32_TOLERANCES[g],
        `${f}: ${g} error ${r.errors[g]} at ${r.worst[g]} exceeds ${FLOAT32_TOLERANCES[g]}`,
      );
    }
    assert.ok(r.ok);
    console.log(
      `  ${f} gpu ${MODE} float32:`,
      Object.entries(r.errors)
        .map(([k, v]) => `${k} ${v.toExponential(1)}`)
        .join(', '),
    );
  });
}

test.run();
