// The shapes a configuration implies (src/dino/shapes.ts) equal those of the modules it builds,
// key for key, on random small configurations; and the step memory bound grows with the crops.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { buildWrapper } from '../../src/dino/build.js';
import { defaultConfig, type DinoConfig } from '../../src/dino/config.js';
import { stepBytesLowerBound, vitShapes, wrapperShapes } from '../../src/dino/shapes.js';

const config = fc.record({
  patchSize: fc.integer({ min: 1, max: 5 }),
  globalCropSize: fc.integer({ min: 5, max: 12 }),
  heads: fc.integer({ min: 1, max: 3 }),
  headDim: fc.integer({ min: 1, max: 3 }),
  depth: fc.integer({ min: 0, max: 3 }),
  mlpRatio: fc.constantFrom(1, 2, 2.5, 4),
  outDim: fc.integer({ min: 1, max: 9 }),
  headHiddenDim: fc.integer({ min: 1, max: 9 }),
  headBottleneckDim: fc.integer({ min: 1, max: 9 }),
  headLayers: fc.integer({ min: 1, max: 4 }),
  normLastLayer: fc.boolean(),
  inChans: fc.constantFrom(1, 3),
});

test('wrapperShapes equals the state dict of buildWrapper, key for key', () => {
  fc.assert(
    fc.property(config, (r) => {
      const c: DinoConfig = {
        ...defaultConfig(),
        ...r,
        arch: 'custom',
        embedDim: r.heads * r.headDim,
        numHeads: r.heads,
      };
      const built = buildWrapper(c, r.inChans, 0, {}).stateDict();
      const got = [...wrapperShapes(c, r.inChans)].map(([k, s]) => `${k} [${s.join(', ')}]`);
      const want = [...built].map(([k, t]) => `${k} [${t.shape.join(', ')}]`);
      assert.equal(got.sort(), want.sort());
    }),
    { numRuns: 40 },
  );
});

test('vitShapes refuses an absurd depth before making a map of it', () => {
  const vit = { imgSize: 28, patchSize: 7, inChans: 1, embedDim: 8, numHeads: 1, mlpRatio: 4 };
  assert.throws(
    () => vitShapes({ ...vit, depth: 1e9, qkvBias: true, dropPathRate: 0 }),
    /depth 1000000000 is not an integer in \[0, 10000\]/,
  );
});

test('stepBytesLowerBound: parameters ×5 plus the attention maps of every crop', () => {
  const c = defaultConfig();
  const built = [...buildWrapper(c, 1, 0, {}).stateDict().values()];
  const params = built.reduce((n, t) => n + t.size, 0);
  // tokens: 28 px / 7 → 17, 14 px / 7 → 5; 4 heads, 4 blocks, batch 64
  const attention = 4 * 64 * 4 * (2 * 17 ** 2 + 4 * 5 ** 2);
  assert.is(stepBytesLowerBound(c, 1), 4 * (5 * params + attention));
  const big = { ...c, globalCropSize: 1000 };
  assert.ok(stepBytesLowerBound(big, 1) > 100 * 2 ** 30, 'crop 1000 at patch 7: > 100 GiB');
});

test.run();
