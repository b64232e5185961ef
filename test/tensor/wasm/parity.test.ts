// The PyTorch parity check on the wasm backend: one full DINO step (ViT, head, loss, backward,
// clip, AdamW, EMA, center) from each float64 fixture, run in float32 in WebAssembly, within the
// float32 tolerances of src/dino/parity.ts; with relaxed SIMD's fused multiply-add (where the
// runtime has it) and without, on 2 threads. And float64 on wasm: a clear error, never a silent
// fallback.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cast } from '../../../src/autograd/index.js';
import { FLOAT32_TOLERANCES, runParity } from '../../../src/dino/parity.js';
import { zeros } from '../../../src/tensor/creation.js';
import { createWasmBackend } from '../../../src/tensor/wasm/index.js';

const dir = join(import.meta.dirname, '..', '..', 'fixtures');
const fixtures = readdirSync(dir).filter(
  (f) => f.endsWith('.safetensors') && !f.startsWith('torch-writer') && !f.startsWith('multistep'),
);
const relaxed = await createWasmBackend({ threads: 2 });
const backends = [
  relaxed,
  ...(relaxed.rt.relaxed ? [await createWasmBackend({ threads: 2, relaxed: false })] : []),
];

for (const backend of backends) {
  const label = backend.rt.relaxed ? 'relaxed SIMD' : 'SIMD';
  for (const f of fixtures) {
    test(`float32 parity with PyTorch on the wasm backend (${label}): ${f}`, async () => {
      const r = await runParity(join(dir, f), { backend, dtype: 'float32' });
      assert.is(r.backend, 'wasm');
      for (const g of Object.keys(FLOAT32_TOLERANCES) as (keyof typeof FLOAT32_TOLERANCES)[]) {
        assert.ok(
          r.errors[g] <= FLOAT32_TOLERANCES[g],
          `${f}: ${g} error ${r.errors[g]} at ${r.worst[g]} exceeds ${FLOAT32_TOLERANCES[g]}`,
        );
      }
      assert.ok(r.ok);
      console.log(
        `  ${f} wasm ${label}:`,
        Object.entries(r.errors)
          .map(([k, v]) => `${k} ${v.toExponential(1)}`)
          .join(', '),
      );
    });
  }
}

test('float64 on wasm is an error that names the cpu backend', async () => {
  const backend = relaxed;
  assert.is(backend.supportsDtype('float64'), false);
  const why = 'the wasm backend does not support float64 (it is float32 only; use the cpu ';
  assert.throws(
    () => zeros([2], { backend, dtype: 'float64' }),
    (e: Error) => e.message.startsWith(`full: ${why}`),
  );
  assert.throws(
    () => cast(zeros([2], { backend }), 'float64'),
    (e: Error) => e.message.startsWith(`cast: ${why}`),
  );
  const fixture = join(dir, fixtures[0]);
  try {
    await runParity(fixture, { backend, dtype: 'float64' });
    assert.unreachable('float64 parity on wasm');
  } catch (e) {
    assert.match((e as Error).message, /wasm backend does not support float64/);
  }
});

test.run();
