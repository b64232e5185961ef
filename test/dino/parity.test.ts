// The acceptance test of parity: one full DINO step against float64 fixtures from PyTorch
// (test/fixtures, made by tools/torch_dino.py dump). float64 on the cpu backend
// must match to loss ≤ 1e-10 and features, logits, gradients, weights after the step ≤ 1e-8
// (relative to each tensor's max magnitude); float32 within the stated float32 tolerances.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  FLOAT32_TOLERANCES,
  FLOAT64_TOLERANCES,
  type ParityOptions,
  runMultiStepParity,
  runParity,
} from '../../src/dino/parity.js';
import { loadOracleFixture } from '../../src/io/oracle.js';
import { cpu } from '../../src/tensor/cpu/index.js';

const dir = join(import.meta.dirname, '..', 'fixtures');
const fixtures = readdirSync(dir).filter(
  (f) => f.endsWith('.safetensors') && !f.startsWith('torch-writer') && !f.startsWith('multistep'),
);

test('five steps with one AdamW, EMA and center match PyTorch (multistep-1ch)', async () => {
  const r = await runMultiStepParity(join(dir, 'multistep-1ch.safetensors'));
  assert.is(r.steps, 5);
  assert.ok(r.loss <= 1e-10, `loss error ${r.loss}`);
  assert.ok(r.after <= 1e-8, `weights after 5 steps: error ${r.after} at ${r.worst}`);
});

test('there are at least three fixtures', () => {
  assert.ok(fixtures.length >= 3, `found ${fixtures.join(', ')}`);
});

for (const f of fixtures) {
  test(`float64 parity with PyTorch: ${f}`, async () => {
    const r = await runParity(join(dir, f), { backend: cpu, dtype: 'float64' });
    for (const g of Object.keys(FLOAT64_TOLERANCES) as (keyof typeof FLOAT64_TOLERANCES)[]) {
      assert.ok(
        r.errors[g] <= FLOAT64_TOLERANCES[g],
        `${f}: ${g} error ${r.errors[g]} at ${r.worst[g]} exceeds ${FLOAT64_TOLERANCES[g]}`,
      );
    }
    assert.ok(r.ok);
  });

  test(`float32 parity within the float32 tolerances: ${f}`, async () => {
    const r = await runParity(join(dir, f), { backend: cpu, dtype: 'float32' });
    for (const g of Object.keys(FLOAT32_TOLERANCES) as (keyof typeof FLOAT32_TOLERANCES)[]) {
      assert.ok(
        r.errors[g] <= FLOAT32_TOLERANCES[g],
        `${f}: ${g} error ${r.errors[g]} at ${r.worst[g]} exceeds ${FLOAT32_TOLERANCES[g]}`,
      );
    }
    console.log(
      `  ${f} float32:`,
      Object.entries(r.errors)
        .map(([k, v]) => `${k} ${v.toExponential(1)}`)
        .join(', '),
    );
  });
}

// Mutation tests: the check must fail when the step is wrong. `after` compares updates (after −
// before), so a missing weight decay (lr·wd·w), a missing clip (visible through Adam's ε on its
// scale-free first step) or a missing EMA is far above the tolerance, in float32 too.
const MUTATIONS: [string, NonNullable<ParityOptions['mutate']>][] = [
  ['no weight decay', (_run, hyper) => void (hyper.wd = 0)],
  ['no gradient clipping', (run) => void (run.config = { ...run.config, clipGrad: 0 })],
  ['no teacher EMA', (_run, hyper) => void (hyper.momentum = 1)],
];
for (const f of fixtures) {
  for (const dtype of ['float64', 'float32'] as const) {
    test(`mutations are caught in ${dtype}: ${f}`, async () => {
      const tolerance = (dtype === 'float64' ? FLOAT64_TOLERANCES : FLOAT32_TOLERANCES).after;
      const clipped = (await loadOracleFixture(join(dir, f))).config.clipGrad > 0;
      const seen: string[] = [];
      for (const [name, mutate] of MUTATIONS) {
        if (name === 'no gradient clipping' && !clipped) continue; // nothing to remove
        const r = await runParity(join(dir, f), { backend: cpu, dtype, mutate });
        assert.not.ok(r.ok, `${f} ${dtype} with ${name} passed (after error ${r.errors.after})`);
        assert.ok(r.errors.after > tolerance, `${name}: ${r.errors.after} at ${r.worst.after}`);
        seen.push(`${name} ${r.errors.after.toExponential(1)}`);
      }
      console.log(`  ${f} ${dtype} mutations: ${seen.join(', ')}`);
    });
  }
}

test.run();
