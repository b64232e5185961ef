// The momentum teacher (paper §3.1): an exact, frozen copy of the student at the start, no drop
// path, deterministic forward; the EMA θ_t ← m·θ_t + (1 − m)·θ_s over every parameter pair
// (weight_g included) — m = 1 leaves the teacher unchanged, m = 0 copies the student; it runs
// after the optimizer step on the updated student; the teacher sees the 2 global crops only.
// Also cancel_gradients_last_layer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backward, sum } from '../../src/autograd/index.js';
import type { DinoConfig } from '../../src/dino/config.js';
import { cancelGradientsLastLayer, emaUpdate, initTeacher } from '../../src/dino/teacher.js';
import { trainStep } from '../../src/dino/train-step.js';
import { copy_ } from '../../src/autograd/ops/cast.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { crops, rand, snapshot, tinyDino } from './tiny-model.js';

/** With drop path on the student, which the teacher must not have. */
const tiny = (over: Partial<DinoConfig> = {}) => tinyDino({ dropPathRate: 0.1, ...over });

/** Moves every student parameter away from the teacher (so that EMA has something to do). */
function perturb(student: { namedParameters(): [string, Tensor][] }, seed: number): void {
  for (const [k, p] of student.namedParameters())
    copy_(p, rand([...p.shape], seed + k.length, 0.3));
}

test(
  'the teacher starts as an exact copy of the student, frozen; the ' +
    'student stays trainable (except weight_g)',
  () => {
    const run = tiny();
    const s = snapshot(run.student);
    const t = snapshot(run.teacher);
    assert.equal([...t.keys()], [...s.keys()]);
    for (const [k, v] of s) assert.equal(t.get(k), v, k);
    assert.ok(run.teacher.parameters().every((p) => !p.requiresGrad));
    assert.equal(
      run.student
        .namedParameters()
        .filter(([, p]) => !p.requiresGrad)
        .map(([k]) => k),
      ['head.last_layer.weight_g'],
    );
    // initTeacher on any pair of modules
    const other = tiny({ seed: 5 });
    initTeacher(other.teacher, run.student);
    for (const [k, v] of snapshot(other.teacher)) assert.equal(v, s.get(k), k);
  },
);

test(
  'no drop path in the teacher: rates 0, deterministic in training ' +
    'mode (it is never put in eval), = the student in eval mode',
  () => {
    const run = tiny({ dropPathRate: 0.5 });
    assert.equal(
      run.student.backbone.blocks.map((b) => b.dropPathRate),
      [0, 0.5],
    );
    assert.equal(
      run.teacher.backbone.blocks.map((b) => b.dropPathRate),
      [0, 0],
    );
    assert.ok(run.teacher.training);
    const x = crops(8, 1).slice(0, 2);
    const t1 = [...run.teacher.forward(x).logits.dataSync()];
    const t2 = [...run.teacher.forward(x).logits.dataSync()];
    assert.equal(t1, t2);
    const sTrain = [...run.student.forward(x).logits.dataSync()];
    assert.not.equal(sTrain, t1, 'the student in training mode drops paths');
    run.student.eval();
    assert.equal([...run.student.forward(x).logits.dataSync()], t1);
  },
);

test(
  'EMA with m = 1 leaves the teacher unchanged; m = 0 copies the student; ' +
    'else m·θ_t + (1 − m)·θ_s, weight_g included',
  () => {
    const run = tiny();
    perturb(run.student, 100);
    const t0 = snapshot(run.teacher);
    emaUpdate(run.teacher, run.student, 1);
    for (const [k, v] of snapshot(run.teacher)) assert.equal(v, t0.get(k), `m = 1: ${k}`);
    const m = 0.7;
    emaUpdate(run.teacher, run.student, m);
    const s = snapshot(run.student);
    for (const [k, v] of snapshot(run.teacher)) {
      assert.equal(
        v,
        t0.get(k)!.map((ti, i) => ti * m + s.get(k)![i] * (1 - m)),
        `m = ${m}: ${k}`,
      );
    }
    assert.ok(
      s.get('head.last_layer.weight_g')!.some((g) => g !== 1),
      'the perturbed student has g ≠ 1',
    );
    emaUpdate(run.teacher, run.student, 0);
    for (const [k, v] of snapshot(run.teacher)) assert.equal(v, s.get(k), `m = 0: ${k}`);
  },
);

test('EMA refuses mismatched modules', () => {
  const a = tiny();
  const b = tiny({ embedDim: 12 });
  assert.throws(
    () => emaUpdate(a.teacher, b.student, 0.9),
    /emaUpdate: backbone.cls_token is \[1, 1, 8\] in the teacher but \[1, 1, 12\] in the student/,
  );
  const c = tiny({ depth: 1 });
  assert.throws(
    () => emaUpdate(a.teacher, c.student, 0.9),
    /emaUpdate: teacher has \d+ parameters, student \d+/,
  );
});

test(
  'in a training step: the teacher sees 2B rows (global crops only); ' +
    'EMA runs after AdamW on the updated student',
  async () => {
    const run = tiny();
    const B = 3;
    const t0 = snapshot(run.teacher);
    let shapes: number[][] = [];
    const hyper = { lr: 0.01, wd: 0.04, momentum: 0.8, teacherTemp: 0.04 };
    await trainStep(run, crops(B, 7), hyper, 0, 0, {
      tensors: (t) =>
        (shapes = [[...t.teacherOut.shape], [...t.studentOut.shape], [...t.teacherFeatures.shape]]),
    });
    assert.equal(shapes, [
      [2 * B, 10],
      [4 * B, 10],
      [2 * B, 8],
    ]);
    const s1 = snapshot(run.student);
    for (const [k, v] of snapshot(run.teacher)) {
      assert.equal(
        v,
        t0.get(k)!.map((ti, i) => ti * 0.8 + s1.get(k)![i] * (1 - 0.8)),
        k,
      );
    }
    // the student did move (so the check above is about the updated student)
    assert.not.equal(s1.get('backbone.cls_token'), t0.get('backbone.cls_token'));
  },
);

test(
  'cancelGradientsLastLayer: drops every last_layer gradient while ' +
    'epoch < freeze_last_layer, nothing else',
  () => {
    const run = tiny({ normLastLayer: false });
    const setGrads = () => {
      backward(sum(run.student.forward(crops(2, 9)).logits));
      return run.student
        .namedParameters()
        .filter(([, p]) => p.grad !== null)
        .map(([k]) => k);
    };
    const all = setGrads();
    assert.ok(all.includes('head.last_layer.weight_g') && all.includes('head.last_layer.weight_v'));
    cancelGradientsLastLayer(run.student, 0, 1);
    const left = run.student
      .namedParameters()
      .filter(([, p]) => p.grad !== null)
      .map(([k]) => k);
    assert.equal(
      left,
      all.filter((k) => !k.includes('last_layer')),
    );
    for (const p of run.student.parameters()) p.grad = null;
    const again = setGrads();
    cancelGradientsLastLayer(run.student, 1, 1); // epoch ≥ freeze: untouched
    cancelGradientsLastLayer(run.student, 0, 0); // freeze 0: never
    assert.equal(
      run.student
        .namedParameters()
        .filter(([, p]) => p.grad !== null)
        .map(([k]) => k),
      again,
    );
  },
);

test.run();
