// `mini-dino train` end to end on a tiny config and a 512-image idx folder: the outputs (log.jsonl
// lines with the official keys and ours, a loadable checkpoint, training.svg, the --json line),
// exact --resume from an epoch boundary and from the middle of an epoch (Ctrl-C: finish the
// step, save, exit 130), and a non-finite loss (clear message, exit 1, last good checkpoint kept).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBackbone, loadCheckpoint } from '../../src/dino/checkpoint-file.js';
import { readLogLines } from '../../src/dino/resume.js';
import type { EpochRecord } from '../../src/dino/epoch.js';
import {
  expectExit,
  lastJson,
  makeTinyIdx,
  removeDir,
  runCli,
  startCli,
  tempDir,
  TINY_MODEL,
} from './helpers.js';

const root = tempDir('train');
const data = makeTinyIdx(join(root, 'data'), 512, 200);
const STEPS_PER_EPOCH = 32; // 512 images, batch 16
const args = (out: string, ...more: string[]) => [
  'train',
  '--data',
  data,
  '--out',
  out,
  '--backend',
  'wasm',
  '--epochs',
  '2',
  '--batch-size',
  '16',
  ...TINY_MODEL,
  '--knn-subset',
  '100',
  '--nb_knn',
  '10,20',
  '--saveckp-freq',
  '1',
  ...more,
];

/** A log line without its timings (the only fields that differ between identical runs). */
const comparable = (r: EpochRecord) => {
  const { seconds: _s, img_per_s: _i, ...rest } = r;
  return rest;
};

const outA = join(root, 'a');
let runA: Record<string, unknown>;

test('train: exit 0, log.jsonl per epoch, checkpoint, training.svg, --json line', async () => {
  const r = await runCli(args(outA, '--json'));
  expectExit(r, 0, 'train');
  // --json: stdout holds only the JSON object; the human-readable lines went to stderr.
  assert.is(r.stdout.trim().split('\n').length, 1, r.stdout);
  runA = lastJson(r);
  assert.is(runA.epochs, 2);
  assert.is(runA.stopped, false);
  assert.is(runA.backend, 'wasm');
  assert.is(runA.checkpoint, join(outA, 'checkpoint.safetensors'));
  assert.is(runA.log, join(outA, 'log.jsonl'));
  assert.ok((runA.wallSeconds as number) > 0 && (runA.trainSeconds as number) > 0);
  const top1 = runA.top1 as Record<string, number>;
  assert.equal(Object.keys(top1).sort(), ['10', '20']);
  for (const v of Object.values(top1)) assert.ok(v >= 0 && v <= 1, `top1 ${v}`);
  assert.match(r.stderr, /mini-dino train: data train, 512 images/);
  assert.match(r.stderr, /k-NN top-1 on 200 held-out images/);

  const lines = readFileSync(join(outA, 'log.jsonl'), 'utf8').trim().split('\n');
  assert.is(lines.length, 2);
  const log = lines.map((l) => JSON.parse(l) as EpochRecord);
  log.forEach((rec, i) => {
    assert.is(rec.epoch, i);
    for (const k of [
      'train_loss',
      'train_lr',
      'train_wd',
      'train_momentum',
      'train_teacher_temp',
      'train_teacher_entropy',
      'train_kl',
      'seconds',
      'img_per_s',
    ] as const) {
      assert.ok(Number.isFinite(rec[k]), `epoch ${i}: ${k} = ${rec[k]}`);
    }
    assert.ok(
      rec.knn_top1 && Object.values(rec.knn_top1).every((v) => v >= 0 && v <= 1),
      `epoch ${i}: knn_top1`,
    );
  });
  assert.is(log[0].knn_protocol, 'subset: 100 train / 100 test');
  assert.is(log[1].knn_protocol, 'full: 512 train / 200 test');
  assert.equal(log[1].knn_top1, top1);
  assert.ok(log[1].train_wd > log[0].train_wd, 'weight decay rises (cosine 0.04 → 0.4)');

  const ck = await loadCheckpoint(join(outA, 'checkpoint.safetensors'));
  assert.is(ck.meta.epoch, 2);
  assert.is(ck.meta.iteration, 2 * STEPS_PER_EPOCH);
  assert.is(ck.meta.inChans, 1);
  assert.is(ck.config.embedDim, 32);
  assert.ok(
    ck.tensors.has('teacher.backbone.cls_token') &&
      ck.tensors.has('student.module.head.last_layer.weight_v') &&
      ck.tensors.has('dino_loss.center'),
  );
  const bb = await loadBackbone(join(outA, 'checkpoint.safetensors'));
  assert.is(bb.config.depth, 2);
  assert.ok(
    existsSync(join(outA, 'checkpoint0000.safetensors')) &&
      existsSync(join(outA, 'checkpoint0001.safetensors')),
    '--saveckp-freq 1 copies',
  );

  const svg = readFileSync(join(outA, 'training.svg'), 'utf8');
  assert.match(svg, /<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\s*$/);
});

test('--resume from an epoch boundary reproduces the uninterrupted run exactly', async () => {
  // The checkpoint run A kept after epoch 0 (--saveckp-freq 1), with A's first log line.
  const out = join(root, 'c');
  mkdirSync(out);
  copyFileSync(join(outA, 'checkpoint0000.safetensors'), join(out, 'checkpoint.safetensors'));
  writeFileSync(
    join(out, 'log.jsonl'),
    readFileSync(join(outA, 'log.jsonl'), 'utf8').split('\n')[0] + '\n',
  );
  // A different --knn-subset: the checkpoint's configuration wins (so the log is the same), and
  // says so.
  const r = await runCli(args(out, '--resume', '--json', '--knn-subset', '50'));
  expectExit(r, 0, 'train --resume');
  assert.match(r.stderr, new RegExp(`resumed from .* at epoch 1, iteration ${STEPS_PER_EPOCH}`));
  assert.match(
    r.stderr,
    /--resume: the checkpoint's configuration is kept \(only --epochs comes from this command\): --knn-subset 100 \(not 50\)\n/,
  );
  assert.equal(
    readLogLines(join(out, 'log.jsonl')).map(comparable),
    readLogLines(join(outA, 'log.jsonl')).map(comparable),
  );
  assert.equal(lastJson(r).top1, runA.top1);
});

/** Starts a training in `out`, sends `signal` after step 10 of epoch 0, checks the stop message
 * and exit status; returns the iteration it stopped after (mid-epoch). */
async function interruptAfterStep10(
  out: string,
  signal: 'SIGINT' | 'SIGTERM',
  status: number,
): Promise<number> {
  // Without a TTY the progress line comes every 10 steps: interrupt at step 10 of 32.
  const run = startCli(args(out));
  await run.waitFor(`epoch 1/2 step 10/${STEPS_PER_EPOCH}`);
  run.child.kill(signal);
  const r = await run.done;
  expectExit(r, status, `train stopped by ${signal}`);
  assert.match(
    r.stderr,
    new RegExp(`stopping \\(${signal}\\): finishing the current step, then saving a checkpoint`),
  );
  const at = Number(
    /stopped after iteration (\d+); saved .*checkpoint\.safetensors \(continue with --resume\)/.exec(
      r.stdout + r.stderr,
    )?.[1],
  );
  assert.ok(
    at >= 10 && at < STEPS_PER_EPOCH,
    `stopped after iteration ${at}: expected the middle of epoch 0 (the signal came after step 10)`,
  );
  return at;
}

test(
  'Ctrl-C mid-epoch: finishes the step, saves, exits 130; --resume ' +
    'then matches the uninterrupted run',
  async () => {
    const out = join(root, 'b');
    const at = await interruptAfterStep10(out, 'SIGINT', 130);
    const ck = await loadCheckpoint(join(out, 'checkpoint.safetensors'));
    assert.is(ck.meta.iteration, at);
    assert.is(ck.meta.epoch, 0);
    assert.is(
      (ck.meta.partial as { n: number }).n,
      at,
      'the partial sums of the interrupted epoch are saved',
    );
    assert.is(readLogLines(join(out, 'log.jsonl')).length, 0);

    const r2 = await runCli(args(out, '--resume', '--json'));
    expectExit(r2, 0, 'train --resume');
    assert.match(r2.stderr, new RegExp(`resumed from .* at epoch 0, iteration ${at}`));
    assert.not.match(r2.stderr, /configuration is kept/, 'same flags: nothing to report');
    assert.equal(
      readLogLines(join(out, 'log.jsonl')).map(comparable),
      readLogLines(join(outA, 'log.jsonl')).map(comparable),
    );
    assert.equal(lastJson(r2).top1, runA.top1);
  },
);

test(
  'SIGTERM (kill, a job scheduler) stops like Ctrl-C: the step finishes, ' +
    'a checkpoint is saved, exit 143',
  async () => {
    const out = join(root, 'term');
    const at = await interruptAfterStep10(out, 'SIGTERM', 143);
    assert.is((await loadCheckpoint(join(out, 'checkpoint.safetensors'))).meta.iteration, at);
  },
);

test(
  'Ctrl-C during the final k-NN (embedded data, 10 000 test images) ' +
    'quits at once; the checkpoint is saved',
  async () => {
    const out = join(root, 'knn');
    const run = startCli([
      'train',
      '--out',
      out,
      '--backend',
      'wasm',
      '--epochs',
      '1',
      '--limit',
      '128',
      '--batch-size',
      '64',
      ...TINY_MODEL,
      '--quiet',
    ]);
    await run.waitFor(/k-NN evaluation: 128 training images as the memory bank, 10000 test images/);
    const t0 = Date.now();
    run.child.kill('SIGINT');
    const r = await run.done;
    assert.ok(r.signal === 'SIGINT' || r.code === 130, `exit ${r.code ?? r.signal}`);
    assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms to quit`);
    assert.match(r.stdout, /mini-dino train: fashion-mnist \(embedded\) train, 10000 images/);
    assert.is((await loadCheckpoint(join(out, 'checkpoint.safetensors'))).meta.epoch, 1);
    assert.is(readLogLines(join(out, 'log.jsonl')).length, 1);
  },
);

test(
  'non-finite loss after an epoch: clear message, exit 1, the last ' + 'good checkpoint loads',
  async () => {
    // Warm-up over epoch 0 to a normal lr, then a cosine towards min_lr = 1e30: epoch 1 blows up.
    const out = join(root, 'nan');
    const nanArgs = (o: string) => [
      'train',
      '--data',
      data,
      '--out',
      o,
      '--backend',
      'wasm',
      '--epochs',
      '2',
      '--limit',
      '128',
      '--batch-size',
      '32',
      ...TINY_MODEL,
      '--warmup-epochs',
      '1',
      '--min-lr',
      '1e30',
      '--knn-every',
      '0',
      '--quiet',
    ];
    const r = await runCli(nanArgs(out));
    expectExit(r, 1, 'train with a diverging lr');
    assert.match(r.stderr, /error: Loss is (NaN|-?Infinity) at iteration \d+, stopping training/);
    assert.match(
      r.stderr,
      /The last good checkpoint \(epoch 1, iteration 4\) is kept in .*checkpoint\.safetensors/,
    );
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
    const ck = await loadCheckpoint(join(out, 'checkpoint.safetensors'));
    assert.is(ck.meta.epoch, 1);
    assert.is(readLogLines(join(out, 'log.jsonl')).length, 1);
    assert.ok(Number.isFinite(readLogLines(join(out, 'log.jsonl'))[0].train_loss));

    // The same checkpoint alone (as after a Ctrl-C, with no log line yet) and --resume: the
    // message must still say that it is kept (it said none was saved: it counted log lines).
    const alone = join(root, 'nan-alone');
    mkdirSync(alone);
    copyFileSync(join(out, 'checkpoint.safetensors'), join(alone, 'checkpoint.safetensors'));
    const r2 = await runCli([...nanArgs(alone), '--resume']);
    expectExit(r2, 1, 'resumed diverging run');
    assert.match(
      r2.stderr,
      /The last good checkpoint \(epoch 1, iteration 4\) is kept in .*nan-alone\/checkpoint/,
    );
  },
);

test('non-finite loss in the first epoch: says that no checkpoint was saved', async () => {
  const out = join(root, 'nan0');
  const r = await runCli([
    'train',
    '--data',
    data,
    '--out',
    out,
    '--backend',
    'wasm',
    '--epochs',
    '1',
    '--limit',
    '128',
    '--batch-size',
    '32',
    ...TINY_MODEL,
    '--lr',
    '1e30',
    '--quiet',
  ]);
  expectExit(r, 1, 'train with lr 1e30');
  assert.match(r.stderr, /error: Loss is (NaN|-?Infinity) at iteration \d+/);
  assert.match(r.stderr, new RegExp(`No checkpoint was saved in ${out}\\.`));
  assert.not.ok(existsSync(join(out, 'checkpoint.safetensors')));
});

test.after(() => removeDir(root));

test.run();
