// The schedules of a DINO run (main_dino.py train_dino, DINOLoss): lr with the linear
// scaling rule and warm-up, weight decay cosine 0.04 → 0.4, teacher momentum cosine m₀ → 1 (all
// per iteration), teacher temperature per epoch; hyperAt reads them at (iteration, epoch).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildSchedules } from '../../src/dino/build.js';
import { defaultConfig, type DinoConfig } from '../../src/dino/config.js';
import { hyperAt } from '../../src/dino/train-step.js';
import type { DinoRun } from '../../src/dino/build.js';

/** utils.cosine_scheduler, written out (integer warm-up epochs). */
function official(
  base: number,
  final: number,
  epochs: number,
  niter: number,
  warmupEpochs = 0,
): number[] {
  const w = warmupEpochs * niter;
  const warm = Array.from({ length: w }, (_, i) => (i === w - 1 ? base : i * (base / (w - 1))));
  const L = epochs * niter - w;
  return [
    ...warm,
    ...Array.from(
      { length: L },
      (_, j) => final + 0.5 * (base - final) * (1 + Math.cos((Math.PI * j) / L)),
    ),
  ];
}

const config = (over: Partial<DinoConfig>): DinoConfig => ({ ...defaultConfig(), ...over });

test(
  'the official recipe: peak lr = 0.0005·batch/256 after 10 warm-up ' +
    'epochs; wd 0.04 → 0.4; momentum 0.996 → 1; τ_t 0.04',
  () => {
    const c = config({
      lr: 0.0005,
      batchSize: 512,
      minLr: 1e-6,
      warmupEpochs: 10,
      epochs: 100,
      weightDecay: 0.04,
      weightDecayEnd: 0.4,
      momentumTeacher: 0.996,
      teacherTemp: 0.04,
      warmupTeacherTemp: 0.04,
      warmupTeacherTempEpochs: 0,
    });
    const s = buildSchedules(c, 7);
    assert.equal([...s.lr], official(0.001, 1e-6, 100, 7, 10));
    assert.is(s.lr[69], 0.001, 'peak at the end of the warm-up');
    assert.equal([...s.wd], official(0.04, 0.4, 100, 7));
    assert.equal([...s.momentum], official(0.996, 1, 100, 7));
    assert.ok(s.momentum[699] < 1 && s.momentum[699] > 0.99999);
    assert.is(s.teacherTemp.length, 100);
    assert.ok(s.teacherTemp.every((t) => t === 0.04));
  },
);

test(
  'the paper recipe: τ_t 0.04 → 0.07 over 30 epochs, per epoch; hyperAt ' +
    'picks lr/wd/momentum by iteration and τ_t by epoch',
  () => {
    const c = config({
      epochs: 40,
      warmupTeacherTemp: 0.04,
      teacherTemp: 0.07,
      warmupTeacherTempEpochs: 30,
      warmupEpochs: 1,
    });
    const ipe = 5;
    const s = buildSchedules(c, ipe);
    assert.is(s.teacherTemp[0], 0.04);
    assert.is(s.teacherTemp[29], 0.07);
    assert.is(s.teacherTemp[39], 0.07);
    const run = { schedules: s } as unknown as DinoRun;
    const h = hyperAt(run, 3 * ipe + 2, 3);
    assert.equal(h, {
      lr: s.lr[17],
      wd: s.wd[17],
      momentum: s.momentum[17],
      teacherTemp: s.teacherTemp[3],
    });
    // τ_t is constant within an epoch
    assert.is(hyperAt(run, 3 * ipe, 3).teacherTemp, hyperAt(run, 3 * ipe + 4, 3).teacherTemp);
    // past the end (a resumed run with a longer schedule elsewhere): the last values
    assert.equal(hyperAt(run, 10_000, 99), {
      lr: s.lr[199],
      wd: s.wd[199],
      momentum: s.momentum[199],
      teacherTemp: 0.07,
    });
  },
);

test(
  'fractional lr warm-up (our default 0.5 epochs): floor(0.5·iters) ' +
    'warm-up iterations from 0 to the peak',
  () => {
    const c = config({ lr: 0.004, batchSize: 64, warmupEpochs: 0.5, epochs: 6 });
    const s = buildSchedules(c, 10);
    assert.equal([...s.lr.slice(0, 5)], [0, 0.00025, 0.0005, 0.00075, 0.001]);
    assert.is(s.lr[5], 0.001);
    assert.ok(s.lr[59] > c.minLr && s.lr[59] < 2e-5);
  },
);

test.run();
