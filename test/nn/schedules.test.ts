// Schedules (official utils.cosine_scheduler and DINOLoss.teacher_temp_schedule):
// against the official formula written out independently here, and against numbers printed by
// numpy running the official function.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cosineScheduler, linspace, teacherTempSchedule } from '../../src/nn/schedules.js';
import { assertClose } from '../autograd/helpers.js';

/** np.linspace(start, stop, num) as numpy computes it: i·step + start, the last value set to stop.
 * */
function npLinspace(start: number, stop: number, num: number): number[] {
  const y = Array.from({ length: num }, (_, i) => i);
  if (num > 1) {
    const step = (stop - start) / (num - 1);
    for (let i = 0; i < num; i++) y[i] = y[i] * step + start;
    y[num - 1] = stop;
  } else if (num === 1) {
    y[0] = start;
  }
  return y;
}

/** utils.cosine_scheduler, statement by statement (warmup_epochs an integer, as argparse gives it).
 * */
function officialCosine(
  base: number,
  final: number,
  epochs: number,
  niter: number,
  warmupEpochs = 0,
  startWarmup = 0,
): number[] {
  const warmupIters = warmupEpochs * niter;
  const warmup = warmupEpochs > 0 ? npLinspace(startWarmup, base, warmupIters) : [];
  const L = epochs * niter - warmupIters;
  const iters = Array.from({ length: L }, (_, j) => j);
  const schedule = iters.map(
    (j) => final + 0.5 * (base - final) * (1 + Math.cos((Math.PI * j) / L)),
  );
  return [...warmup, ...schedule];
}

test(
  'cosineScheduler equals the official formula (np.linspace warm-up, ' +
    'then the cosine), many shapes',
  () => {
    const cases: [number, number, number, number, number, number][] = [
      [(0.0005 * 1024) / 256, 1e-6, 100, 37, 10, 0], // lr: peak, min_lr, epochs, iters, warm-up 10
      [0.04, 0.4, 100, 37, 0, 0], // weight decay rises along a cosine
      [0.996, 1, 100, 37, 0, 0], // teacher momentum
      [1, 0, 7, 1, 3, 0.5], // a warm-up from a non-zero start
      [3, -1, 5, 4, 1, 0],
      [2, 2, 3, 3, 1, 0], // constant
      [1, 0, 2, 5, 2, 0], // warm-up covers every iteration
      [1, 0.5, 1, 1, 0, 0],
    ];
    for (const [base, final, epochs, niter, warm, start] of cases) {
      const ours = cosineScheduler(base, final, epochs, niter, warm, start);
      const want = officialCosine(base, final, epochs, niter, warm, start);
      assert.is(ours.length, epochs * niter);
      assert.equal(
        [...ours],
        want,
        `cosine_scheduler(${base}, ${final}, ${epochs}, ${niter}, ${warm}, ${start})`,
      );
    }
  },
);

test(
  'cosineScheduler: shape of the curve (warm-up inclusive of both ends, ' +
    'last value above final)',
  () => {
    const s = cosineScheduler(0.002, 1e-6, 10, 20, 2);
    assert.is(s[0], 0);
    assert.is(s[39], 0.002, 'the last warm-up value is the base');
    assert.is(s[40], 0.002, 'the cosine starts at the base');
    assert.ok(s[199] > 1e-6 && s[199] < 1e-6 + 1e-6);
    for (let i = 1; i < 40; i++) assert.ok(s[i] > s[i - 1]);
    for (let i = 41; i < 200; i++) assert.ok(s[i] < s[i - 1]);
    // midpoint of the cosine part is (base + final)/2 (j = L/2)
    assert.ok(Math.abs(s[40 + 80] - (0.002 + 1e-6) / 2) < 1e-18);
  },
);

test('cosineScheduler equals numbers printed by numpy running utils.cosine_scheduler', () => {
  // /usr/bin/python3 -c "... print([repr(v) for v in cosine_scheduler(0.0005 * 64 / 256, 1e-6, 3,
  // 5, warmup_epochs=1)])" etc.,
  // with cosine_scheduler copied from facebookresearch/dino utils.py (numpy 1.24)
  const lr = [
    0.0, 3.125e-5, 6.25e-5, 9.375e-5, 0.000125, 0.000125, 0.00012196550401029952,
    0.00011315905365124674, 9.944268564213333e-5, 8.215905365124675e-5, 6.3e-5,
    4.3840946348753254e-5, 2.6557314357866683e-5, 1.284094634875326e-5, 4.034495989700474e-6,
  ];
  const wd = [
    0.03999999999999998, 0.05370168414796839, 0.09272077938642143, 0.15111698217428382, 0.22,
    0.2888830178257161, 0.3472792206135786, 0.3862983158520316,
  ];
  const mom = [0.996, 0.9962679491924311, 0.997, 0.998, 0.999, 0.9997320508075689];
  // numpy's cos and V8's Math.cos may differ in the last bit: allow an ulp of the cosine term
  const near = (got: Float64Array, want: number[], base: number, final: number, what: string) =>
    assertClose(got, want, { atol: 2 ** -52 * Math.abs(base - final), rtol: 2 ** -52 }, what);
  near(cosineScheduler((0.0005 * 64) / 256, 1e-6, 3, 5, 1), lr, (0.0005 * 64) / 256, 1e-6, 'lr');
  near(cosineScheduler(0.04, 0.4, 2, 4), wd, 0.04, 0.4, 'wd');
  near(cosineScheduler(0.996, 1, 2, 3), mom, 0.996, 1, 'momentum');
  assert.equal(
    [...cosineScheduler((0.0005 * 64) / 256, 1e-6, 3, 5, 1).slice(0, 5)],
    lr.slice(0, 5),
    'the warm-up is exact',
  );
});

test('fractional warm-up epochs (our extension): floor(warmup·iters) warm-up iterations', () => {
  const s = cosineScheduler(1, 0, 4, 8, 0.5);
  assert.equal([...s.slice(0, 4)], npLinspace(0, 1, 4));
  assert.equal([...s.slice(4)], officialCosine(1, 0, 1, 28));
  // warm-up longer than the run: the whole run is warm-up
  assert.equal([...cosineScheduler(1, 0, 2, 3, 5)], npLinspace(0, 1, 6));
});

test('linspace is np.linspace (including n = 0, 1, 2)', () => {
  assert.equal(linspace(0, 1, 0), []);
  assert.equal(linspace(0.3, 1, 1), [0.3]);
  assert.equal(linspace(0.3, 1, 2), [0.3, 1]);
  for (const [a, b, n] of [
    [0.04, 0.07, 30],
    [0, 0.0025, 37],
    [1, -3, 11],
  ])
    assert.equal(linspace(a, b, n), npLinspace(a, b, n));
});

test(
  'teacher temperature per epoch: inclusive linear warm-up, then constant ' +
    '(as numpy prints it)',
  () => {
    // np.concatenate((np.linspace(0.04, 0.07, 4), np.ones(6 - 4) * 0.07))
    assert.equal(
      [...teacherTempSchedule(0.04, 0.07, 4, 6)],
      [0.04, 0.05, 0.060000000000000005, 0.07, 0.07, 0.07],
    );
    const paper = teacherTempSchedule(0.04, 0.07, 30, 100); // the paper / "boosted" recipe
    assert.is(paper.length, 100);
    assert.equal([...paper.slice(0, 30)], npLinspace(0.04, 0.07, 30));
    assert.is(paper[29], 0.07, 'the last warm-up epoch already equals teacher_temp');
    assert.ok(paper.slice(30).every((t) => t === 0.07));
    // the official default: warm-up 0 epochs → constant 0.04
    assert.ok(teacherTempSchedule(0.04, 0.04, 0, 5).every((t) => t === 0.04));
    // a warm-up longer than the run is cut at the run's end
    assert.equal([...teacherTempSchedule(0.04, 0.07, 30, 3)], npLinspace(0.04, 0.07, 3));
  },
);

test.run();
