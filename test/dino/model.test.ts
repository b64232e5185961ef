// The DINO model and step (utils.MultiCropWrapper, main_dino.py train_one_epoch): MultiCropWrapper
// groups consecutive crops of one size (one backbone pass per group, the head once, rows in crop
// order), state-dict prefixes backbone./head., and trainStep's contract: metrics, the center update
// after the loss, and a non-finite loss stopping before any weight changes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildDino } from '../../src/dino/build.js';
import { defaultConfig } from '../../src/dino/config.js';
import {
  NonFiniteLossError,
  timePhases,
  trainStep,
  type StepPhase,
  type StepTimings,
} from '../../src/dino/train-step.js';
import { copy_ } from '../../src/autograd/ops/cast.js';
import { full, tensor } from '../../src/tensor/creation.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../autograd/helpers.js';
import { crops, rand, snapshot, TINY, tinyDino } from './tiny-model.js';

const tiny = tinyDino;

test(
  'MultiCropWrapper: one backbone pass per run of same-size crops, ' +
    'the head once, rows in crop order',
  () => {
    const run = tiny();
    const w = run.student;
    const calls: number[] = [];
    const backboneForward = w.backbone.forward.bind(w.backbone);
    w.backbone.forward = (x: Tensor) => {
      calls.push(x.shape[0]);
      return backboneForward(x);
    };
    let headCalls = 0;
    const headForward = w.head.forward.bind(w.head);
    w.head.forward = (x: Tensor) => {
      headCalls++;
      return headForward(x);
    };
    const B = 3;
    const c = crops(B, 1);
    const { features, logits } = w.forward(c);
    assert.equal(calls, [2 * B, 2 * B], 'globals together, locals together');
    assert.is(headCalls, 1);
    assert.equal([...features.shape], [4 * B, 8]);
    assert.equal([...logits.shape], [4 * B, 10]);
    // the same as crop by crop
    const single = c.map((x) => [...backboneForward(x).dataSync()]).flat();
    assertClose(
      features.dataSync(),
      single,
      { atol: 1e-15, rtol: 1e-13 },
      'features = per-crop forwards in crop order',
    );
    // consecutive runs only: [global, local, global] is three passes
    calls.length = 0;
    w.forward([c[0], c[2], c[1]]);
    assert.equal(calls, [B, B, B]);
  },
);

test('trainStep observer: each phase ends once, in order; timePhases adds up the step', async () => {
  const run = tiny();
  const heard: StepPhase[] = [];
  let sawTensors = 0;
  await trainStep(run, crops(3, 11), hyperOf(), 0, 0, {
    phaseEnd: (p) => heard.push(p),
    tensors: () => sawTensors++,
  });
  assert.equal(heard, ['teacher', 'student', 'loss', 'backward', 'update']);
  assert.is(sawTensors, 1);
  const timings: StepTimings = { teacher: 0, student: 0, loss: 0, backward: 0, update: 0 };
  const t0 = performance.now();
  await trainStep(run, crops(3, 12), hyperOf(), 0, 1, timePhases(timings));
  const total = performance.now() - t0;
  const sum = Object.values(timings).reduce((a, b) => a + b, 0);
  assert.ok(Object.values(timings).every((ms) => ms >= 0));
  assert.ok(sum > 0 && sum <= total, `phases ${sum} ms within the step's ${total} ms`);
});

const hyperOf = () => ({ lr: 0.001, wd: 0.04, momentum: 0.99, teacherTemp: 0.05 });

test('MultiCropWrapper errors: no crops; crops with different batch sizes', () => {
  const run = tiny();
  assert.throws(() => run.student.forward([]), /MultiCropWrapper: no crops given/);
  assert.throws(
    () => run.student.forward([rand([2, 1, 8, 8], 0), rand([3, 1, 8, 8], 1)]),
    /crop 1 is \[3, 1, 8, 8\]; every crop must be \[B, C, S, S\] with the same B/,
  );
});

test(
  'state-dict keys: backbone.<vit key> and head.<head key>, the same ' + 'for student and teacher',
  () => {
    const run = tiny();
    const keys = [...run.student.stateDict().keys()];
    assert.equal(keys.slice(0, 4), [
      'backbone.cls_token',
      'backbone.pos_embed',
      'backbone.patch_embed.proj.weight',
      'backbone.patch_embed.proj.bias',
    ]);
    assert.equal(keys.slice(-10), [
      'backbone.norm.weight',
      'backbone.norm.bias',
      'head.mlp.0.weight',
      'head.mlp.0.bias',
      'head.mlp.2.weight',
      'head.mlp.2.bias',
      'head.mlp.4.weight',
      'head.mlp.4.bias',
      'head.last_layer.weight_g',
      'head.last_layer.weight_v',
    ]);
    assert.is(keys.length, 4 + 2 * 12 + 2 + 8);
    assert.equal([...run.teacher.stateDict().keys()], keys);
  },
);

test(
  'trainStep: metrics (loss = h(P_t) + KL, the hyper-parameters echoed); ' +
    'the center moves by 0.9·c + 0.1·mean(teacher logits)',
  async () => {
    const run = tiny();
    copy_(run.center.value, rand([1, 10], 3, 0.1));
    const c0 = [...run.center.value.dataSync()];
    let teacherOut: number[][] = [];
    let centerUsed: number[] = [];
    const hyper = { lr: 0.001, wd: 0.04, momentum: 0.99, teacherTemp: 0.05 };
    const m = await trainStep(run, crops(3, 10), hyper, 0, 0, {
      tensors: (t) => {
        const d = t.teacherOut.dataSync();
        teacherOut = Array.from({ length: 6 }, (_, i) =>
          Array.from(d.subarray(i * 10, (i + 1) * 10)),
        );
        centerUsed = [...t.center.dataSync()];
      },
    });
    assert.equal({ lr: m.lr, wd: m.wd, momentum: m.momentum, teacherTemp: m.teacherTemp }, hyper);
    assertClose([m.loss], [m.teacherEntropy + m.kl], { atol: 1e-15, rtol: 1e-14 }, 'H = h + KL');
    assert.ok(m.teacherEntropy > 0 && m.teacherEntropy < Math.log(10) && m.kl > 0);
    assert.equal(centerUsed, c0, 'the loss used the center from before the update');
    const expected = c0.map(
      (c, k) => 0.9 * c + 0.1 * (teacherOut.reduce((s, r) => s + r[k], 0) / 6),
    );
    assertClose(
      run.center.value.dataSync(),
      expected,
      { atol: 1e-17, rtol: 1e-14 },
      'center after the step',
    );
    assert.equal(
      run.optimizer.groups.map((g) => [g.lr, g.weightDecay]),
      [
        [0.001, 0.04],
        [0.001, 0],
      ],
      'schedules set before the step',
    );
  },
);

test(
  'a non-finite loss stops the step before any weight, moment or the ' + 'center changes',
  async () => {
    const run = tiny();
    copy_(run.center.value, full([1, 10], NaN, { dtype: 'float64' }));
    const s0 = snapshot(run.student);
    const t0 = snapshot(run.teacher);
    let err: unknown = null;
    try {
      await trainStep(
        run,
        crops(3, 20),
        { lr: 0.1, wd: 0.04, momentum: 0.9, teacherTemp: 0.04 },
        0,
        17,
      );
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof NonFiniteLossError, String(err));
    assert.match(
      (err as Error).message,
      'Loss is NaN at iteration 17, stopping training (no weight was changed by this step)',
    );
    for (const [k, v] of snapshot(run.student)) assert.equal(v, s0.get(k), k);
    for (const [k, v] of snapshot(run.teacher)) assert.equal(v, t0.get(k), k);
    assert.ok(run.center.value.dataSync().every(Number.isNaN), 'center not updated');
    assert.equal(run.optimizer.stateDict().steps, {});
    assert.ok(run.student.parameters().every((p) => p.grad === null));
  },
);

test(
  'the same seed builds the same run and the same step; float32 and ' +
    'float64 agree on the first loss',
  async () => {
    const a = tiny({ dropPathRate: 0.1 });
    const b = tiny({ dropPathRate: 0.1 });
    const hyper = { lr: 0.01, wd: 0.04, momentum: 0.9, teacherTemp: 0.04 };
    const ma = await trainStep(a, crops(3, 30), hyper, 0, 0);
    const mb = await trainStep(b, crops(3, 30), hyper, 0, 0);
    assert.equal(ma, mb);
    for (const [k, v] of snapshot(a.student)) assert.equal(v, snapshot(b.student).get(k), k);
    const f32 = buildDino(
      { ...defaultConfig(), ...TINY, dropPathRate: 0.1 },
      { inChans: 1, itersPerEpoch: 4 },
      { dtype: 'float32' },
    );
    const c32 = crops(3, 30).map((t) =>
      tensor(Float32Array.from(t.dataSync()), { shape: t.shape }),
    );
    const m32 = await trainStep(f32, c32, hyper, 0, 0);
    assert.ok(Math.abs(m32.loss - ma.loss) < 1e-5 * ma.loss, `${m32.loss} vs ${ma.loss}`);
  },
);

test.run();
