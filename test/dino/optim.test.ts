// The optimizer of a DINO run (official utils.get_params_groups and the freeze_last_layer logic,
// utils.get_params_groups, utils.clip_gradients): the decay groups of the student (cls_token,
// pos_embed, patch conv and weight_v decayed; biases and 1-D tensors not; the frozen weight_g in
// neither), and the last layer untouched by AdamW (no update, no decay, no state) during the first
// freeze_last_layer epochs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildDino } from '../../src/dino/build.js';
import { defaultConfig, type DinoConfig } from '../../src/dino/config.js';
import { trainStep } from '../../src/dino/train-step.js';
import { tensor } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../autograd/helpers.js';

const TINY: Partial<DinoConfig> = {
  arch: 'custom',
  patchSize: 4,
  embedDim: 8,
  depth: 1,
  numHeads: 2,
  mlpRatio: 2,
  outDim: 10,
  headHiddenDim: 12,
  headBottleneckDim: 6,
  globalCropSize: 8,
  localCropSize: 4,
  localCropsNumber: 2,
  batchSize: 3,
  dropPathRate: 0,
  epochs: 2,
  freezeLastLayer: 1,
};
const tiny = (over: Partial<DinoConfig> = {}) =>
  buildDino(
    { ...defaultConfig(), ...TINY, ...over },
    { inChans: 1, itersPerEpoch: 4 },
    { dtype: 'float64' },
  );

function rand(shape: number[], seed: number): Tensor {
  const g = new Generator(seed);
  return tensor(
    Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => g.normal()),
    { shape, dtype: 'float64' },
  );
}
const crops = (B: number, seed: number) => [
  rand([B, 1, 8, 8], seed),
  rand([B, 1, 8, 8], seed + 1),
  rand([B, 1, 4, 4], seed + 2),
  rand([B, 1, 4, 4], seed + 3),
];

const REGULARIZED = [
  'backbone.cls_token',
  'backbone.pos_embed',
  'backbone.patch_embed.proj.weight',
  'backbone.blocks.0.attn.qkv.weight',
  'backbone.blocks.0.attn.proj.weight',
  'backbone.blocks.0.mlp.fc1.weight',
  'backbone.blocks.0.mlp.fc2.weight',
  'head.mlp.0.weight',
  'head.mlp.2.weight',
  'head.mlp.4.weight',
  'head.last_layer.weight_v',
];
const NOT_REGULARIZED = [
  'backbone.patch_embed.proj.bias',
  'backbone.blocks.0.norm1.weight',
  'backbone.blocks.0.norm1.bias',
  'backbone.blocks.0.attn.qkv.bias',
  'backbone.blocks.0.attn.proj.bias',
  'backbone.blocks.0.norm2.weight',
  'backbone.blocks.0.norm2.bias',
  'backbone.blocks.0.mlp.fc1.bias',
  'backbone.blocks.0.mlp.fc2.bias',
  'backbone.norm.weight',
  'backbone.norm.bias',
  'head.mlp.0.bias',
  'head.mlp.2.bias',
  'head.mlp.4.bias',
];

test(
  'AdamW groups of the student: decay by rank except .bias; cls_token, ' +
    'pos_embed, weight_v decayed; weight_g (frozen) in neither',
  () => {
    const run = tiny();
    const [reg, notReg] = run.optimizer.groups;
    assert.is(reg.name, 'regularized');
    assert.equal(
      reg.params.map(([k]) => k),
      REGULARIZED,
    );
    assert.equal(
      notReg.params.map(([k]) => k),
      NOT_REGULARIZED,
    );
    assert.is(notReg.weightDecay, 0);
    // the groups hold the student's own tensors
    const byName = new Map(run.student.namedParameters());
    assert.ok(reg.params.every(([k, p]) => byName.get(k) === p));
    // normLastLayer false: g is trainable and, being [K, 1], decayed
    const free = tiny({ normLastLayer: false });
    assert.equal(
      free.optimizer.groups[0].params.map(([k]) => k),
      [...REGULARIZED.slice(0, -1), 'head.last_layer.weight_g', 'head.last_layer.weight_v'],
    );
  },
);

test(
  'freeze_last_layer: in epoch 0 the last layer is not updated, not ' +
    'decayed, has no AdamW state; from epoch 1 it trains',
  async () => {
    const run = tiny({ normLastLayer: false });
    const v = run.student.head.last_layer.weight_v;
    const g = run.student.head.last_layer.weight_g;
    const v0 = [...v.dataSync()];
    const g0 = [...g.dataSync()];
    const cls0 = [...run.student.backbone.cls_token.dataSync()];
    const hyper = { lr: 0.01, wd: 0.4, momentum: 0.9, teacherTemp: 0.04 };
    for (let it = 0; it < 2; it++) await trainStep(run, crops(3, it), hyper, 0, it);
    assert.equal([...v.dataSync()], v0, 'weight_v unchanged (not even decayed)');
    assert.equal([...g.dataSync()], g0, 'weight_g unchanged');
    assert.not.equal([...run.student.backbone.cls_token.dataSync()], cls0, 'the rest trains');
    const steps = run.optimizer.stateDict().steps;
    assert.is(steps['backbone.cls_token'], 2);
    assert.is(steps['head.last_layer.weight_v'], undefined);
    // the teacher's last layer stays equal to the student's during epoch 0 (frozen in both), up to
    // the rounding of t·m + s·(1 − m) with t = s (as in PyTorch's mul_/add_)
    assertClose(
      run.teacher.head.last_layer.weight_v.dataSync(),
      v0,
      { atol: 0, rtol: 2 ** -51 },
      'teacher weight_v',
    );
    await trainStep(run, crops(3, 5), hyper, 1, 4);
    assert.not.equal([...v.dataSync()], v0);
    assert.equal(
      run.optimizer.stateDict().steps['head.last_layer.weight_v'],
      1,
      'its first AdamW step',
    );
    assert.equal(run.optimizer.stateDict().steps['backbone.cls_token'], 3);
  },
);

test.run();
