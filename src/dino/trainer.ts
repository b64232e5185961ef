// The DINO training loop (official main_dino.py train_dino / train_one_epoch): shuffled batches
// with drop_last, multi-crop augmentation on the CPU, one trainStep per batch, a JSON line per
// epoch in OUT/log.jsonl (the official log.txt keys plus the collapse monitors and k-NN), and
// OUT/checkpoint.safetensors after every epoch, written atomically.
//
// Exact resume: the checkpoint holds weights, AdamW moments and steps, the center, the
// generators' states and the partial sums of an interrupted epoch; each epoch's shuffle is a
// function of (seed, epoch). A resumed run therefore draws the same crops and computes the same
// losses as an uninterrupted one. A stop request (Ctrl-C) finishes the current step, saves and
// returns. A non-finite loss stops before any weight changes and keeps the last checkpoint.
// Faults (src/dino/run-dir.ts, resume.ts): the output folder is locked for the run; each epoch is
// saved before the k-NN monitor runs, whose failure is a warning; the checkpoint also records the
// data's fingerprint, the normalisation and the log lines, which --resume checks and restores.

import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetSplits } from '../data/image-dataset.js';
import { normalizationOf } from '../data/stats.js';
import { copyFileAtomicSync, writeFileAtomicSync } from '../io/atomic.js';
import type { Backend } from '../tensor/backend.js';
import { Generator } from '../tensor/random.js';
import { getDefaultBackend } from '../tensor/tensor.js';
import { platform } from '../platform/index.js';
import { augmentOptionsFor, DataAugmentationDINO } from './augment/index.js';
import { buildDino, type DinoRun } from './build.js';
import { restoreRun } from './checkpoint.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint-file.js';
import { checkCollapse } from './collapse-monitor.js';
import { CONFIG_FIELDS, type ConfigKey, type DinoConfig } from './config.js';
import { kebab } from './config-field.js';
import { validateConfig } from './config-validate.js';
import { emptySums, type EpochRecord, epochOrder, type EpochSums } from './epoch.js';
import { evaluateKnn, type KnnResult } from './knn.js';
import { checkResumeData, datasetFingerprint, recoverHistory } from './resume.js';
import { openRunDir } from './run-dir.js';
import { checkTrainingBudget } from './shapes.js';
import { hyperAt, type StepMetrics, trainStep } from './train-step.js';

export interface StepProgress {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  iteration: number;
  totalIterations: number;
  metrics: StepMetrics;
  imgPerSec: number;
  etaSeconds: number;
}

export interface TrainOptions {
  config: DinoConfig;
  data: DatasetSplits;
  outDir: string;
  backend?: Backend;
  resume?: boolean;
  /** Polled after every step: true saves a checkpoint and stops (Ctrl-C). */
  shouldStop?: () => boolean;
  /** Called with true just before the first step and with false after the last one: a stop
   * request outside that span has nothing to save and should end the process at once. */
  onTrainingLoop?: (active: boolean) => void;
  onStep?: (p: StepProgress) => void;
  onEpoch?: (r: EpochRecord) => void;
  onInfo?: (message: string) => void;
  /** Run the full k-NN after the last epoch (default true when there is a test split). */
  finalKnn?: boolean;
}

export interface TrainResult {
  run: DinoRun;
  history: EpochRecord[];
  stopped: boolean;
  finalKnn: KnnResult | null;
  checkpoint: string;
  trainSeconds: number;
  normalization: { mean: number[]; std: number[] };
}

/**
 * Trains in `opts.outDir`, which is created if needed and locked for the run (src/dino/run-dir.ts:
 * a second training into the same folder is refused; temp files of killed saves are removed).
 */
export async function trainDino(opts: TrainOptions): Promise<TrainResult> {
  validateConfig(opts.config);
  const runDir = openRunDir(opts.outDir, opts.onInfo ?? (() => {}));
  try {
    return await trainLocked(opts);
  } finally {
    runDir.lock.release();
  }
}

async function trainLocked(opts: TrainOptions): Promise<TrainResult> {
  let config = opts.config;
  const backend = opts.backend ?? getDefaultBackend();
  const info = opts.onInfo ?? (() => {});
  const train = opts.data.train;
  const ckptPath = join(opts.outDir, 'checkpoint.safetensors');
  const logPath = join(opts.outDir, 'log.jsonl');
  const ck =
    opts.resume && existsSync(ckptPath) ? await loadCheckpoint(ckptPath, { backend }) : null;
  if (ck) {
    const asked = config;
    config = { ...ck.config, epochs: config.epochs };
    const differing = (Object.keys(CONFIG_FIELDS) as ConfigKey[])
      .filter((k) => JSON.stringify(config[k]) !== JSON.stringify(asked[k]))
      .map((k) => `--${kebab(k)} ${fmt(config[k])} (not ${fmt(asked[k])})`);
    if (differing.length)
      info(
        `--resume: the checkpoint's configuration is kept (only --epochs ` +
          `comes from this command): ${differing.join(', ')}`,
      );
  }
  const N = config.limit > 0 ? Math.min(config.limit, train.length) : train.length;
  const itersPerEpoch = Math.floor(N / config.batchSize);
  if (itersPerEpoch === 0) {
    throw new Error(
      `--batch-size ${config.batchSize} is larger than the ${N} ` +
        `training images (the last incomplete batch is dropped, as official)`,
    );
  }
  checkTrainingBudget(config, train.channels, itersPerEpoch, platform().totalMemory());
  const dataset = datasetFingerprint(train, N);
  let norm = normalizationOf(train, (m) => info(`warning: ${m}`));
  if (ck) norm = checkResumeData(ck, { fingerprint: dataset, norm, itersPerEpoch }, info);

  const run = buildDino(config, { inChans: train.channels, itersPerEpoch }, { backend });
  const augGen = new Generator(config.seed + 1000);
  let startIt = 0;
  let sums = emptySums();
  let history: EpochRecord[] = [];
  if (ck) {
    restoreRun(run, ck);
    if (ck.meta.rng.model) run.generator.setState(ck.meta.rng.model);
    if (ck.meta.rng.augment) augGen.setState(ck.meta.rng.augment);
    startIt = ck.meta.iteration;
    sums = (ck.meta.partial as EpochSums | null) ?? emptySums();
    history = recoverHistory(logPath, ck, ck.meta.epoch, info);
    writeFileAtomicSync(logPath, history.map((r) => JSON.stringify(r) + '\n').join(''));
    info(`resumed from ${ckptPath} at epoch ${ck.meta.epoch}, iteration ${startIt}`);
  } else {
    if (opts.resume) info(`--resume: no checkpoint in ${opts.outDir}, starting from scratch`);
    else if (existsSync(ckptPath))
      info(
        `warning: starting from scratch; ${ckptPath} from an earlier run ` +
          `will be overwritten (--resume continues it)`,
      );
    writeFileSync(logPath, '');
  }
  const aug = new DataAugmentationDINO(augmentOptionsFor(config, norm), train.channels);
  const total = config.epochs * itersPerEpoch;
  const save = (iteration: number, partial: EpochSums | null) =>
    saveCheckpoint(ckptPath, run, {
      epoch: Math.floor(iteration / itersPerEpoch),
      iteration,
      inChans: train.channels,
      rng: { model: run.generator.state(), augment: augGen.state() },
      partial,
      normalization: norm,
      dataset,
      history,
    });

  const t0 = performance.now();
  let stepsTimed = 0;
  let stepSecondsTotal = 0;
  let stopped = false;
  opts.onTrainingLoop?.(true);
  for (let it = startIt; it < total && !stopped;) {
    const epoch = Math.floor(it / itersPerEpoch);
    const order = epochOrder(config.seed, epoch, N);
    for (let step = it - epoch * itersPerEpoch; step < itersPerEpoch; step++, it++) {
      const ts = performance.now();
      const images = Array.from({ length: config.batchSize }, (_, b) =>
        train.image(order[step * config.batchSize + b]),
      );
      const crops = aug.applyTensors(images, augGen, { backend });
      const m = await trainStep(run, crops, hyperAt(run, it, epoch), epoch, it);
      for (const c of crops) c.dispose();
      const dt = (performance.now() - ts) / 1000;
      stepsTimed++;
      stepSecondsTotal += dt;
      sums.n++;
      sums.loss += m.loss;
      sums.entropy += m.teacherEntropy;
      sums.kl += m.kl;
      sums.lr += m.lr;
      sums.wd += m.wd;
      sums.momentum += m.momentum;
      sums.temp += m.teacherTemp;
      sums.seconds += dt;
      const perStep = stepSecondsTotal / stepsTimed;
      opts.onStep?.({
        epoch,
        epochs: config.epochs,
        step: step + 1,
        stepsPerEpoch: itersPerEpoch,
        iteration: it + 1,
        totalIterations: total,
        metrics: m,
        imgPerSec: config.batchSize / dt,
        etaSeconds: perStep * (total - it - 1),
      });
      // A step runs synchronously (the cpu backend's threads block in Atomics.wait), so yield to
      // the event loop once per step: otherwise a signal handler (Ctrl-C) would only run at the
      // next real I/O, the end-of-epoch save, and shouldStop() would stay false until then.
      if (opts.shouldStop) await new Promise<void>((resolve) => setImmediate(resolve));
      if (opts.shouldStop?.() && it + 1 < total) {
        if (step + 1 < itersPerEpoch) {
          await save(it + 1, sums);
          info(`stopped after iteration ${it + 1}; saved ${ckptPath} (continue with --resume)`);
          stopped = true;
          it++;
          break;
        }
      }
    }
    if (stopped) break;
    // end of epoch: checkpoint, monitor, log line
    const rec: EpochRecord = {
      epoch,
      train_loss: sums.loss / sums.n,
      train_lr: sums.lr / sums.n,
      train_wd: sums.wd / sums.n,
      train_momentum: sums.momentum / sums.n,
      train_teacher_temp: sums.temp / sums.n,
      train_teacher_entropy: sums.entropy / sums.n,
      train_kl: sums.kl / sums.n,
      seconds: sums.seconds,
      img_per_s: (sums.n * config.batchSize) / sums.seconds,
    };
    const stall = checkCollapse(rec, config.outDim);
    if (stall) {
      rec.stall = stall.kind;
      rec.stall_message = stall.message;
    }
    // Save first: the epoch is kept whatever the monitor does (it used to run before the save,
    // so an error in it lost the epoch); then the monitor, whose failure is a warning.
    history.push(rec);
    await save(it, null);
    if (config.saveckpFreq > 0 && (epoch + 1) % config.saveckpFreq === 0) {
      copyFileAtomicSync(
        ckptPath,
        join(opts.outDir, `checkpoint${String(epoch).padStart(4, '0')}.safetensors`),
      );
    }
    const lastEpoch = epoch === config.epochs - 1;
    if (
      opts.data.test &&
      config.knnEvery > 0 &&
      (epoch + 1) % config.knnEvery === 0 &&
      !lastEpoch
    ) {
      const test = opts.data.test;
      const r = guarded('the k-NN monitor (training goes on)', info, () =>
        evaluateKnn(run, train, test, config, norm, backend, config.knnSubset),
      );
      if (r) {
        rec.knn_top1 = r.top1;
        rec.knn_protocol =
          `subset: ${Math.min(config.knnSubset, N)} train / ` +
          `${Math.min(config.knnSubset, test.length)} test`;
      }
    }
    appendFileSync(logPath, JSON.stringify(rec) + '\n');
    opts.onEpoch?.(rec);
    if (stall) info(stall.message);
    sums = emptySums();
    if (opts.shouldStop?.() && it < total) {
      info(`stopped after epoch ${epoch}; saved ${ckptPath} (continue with --resume)`);
      stopped = true;
    }
  }
  opts.onTrainingLoop?.(false);
  const trainSeconds = (performance.now() - t0) / 1000;
  let finalKnn: KnnResult | null = null;
  if (!stopped && opts.data.test && (opts.finalKnn ?? true)) {
    info(
      `k-NN evaluation: ${N} training images as the memory bank, ${opts.data.test.length} ` +
        `test images`,
    );
    const test = opts.data.test;
    finalKnn = guarded('the final k-NN (the checkpoint is saved)', info, () =>
      evaluateKnn(run, train, test, config, norm, backend, Infinity, N),
    );
    const last = history[history.length - 1];
    if (last && finalKnn) {
      last.knn_top1 = finalKnn.top1;
      last.knn_protocol = `full: ${N} train / ${opts.data.test.length} test`;
      // a kill now keeps the log whole
      writeFileAtomicSync(logPath, history.map((r) => JSON.stringify(r) + '\n').join(''));
    }
  }
  return {
    run,
    history,
    stopped,
    finalKnn,
    checkpoint: ckptPath,
    trainSeconds,
    normalization: norm,
  };
}

const fmt = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v));

/** An evaluation that must not end a training it only reports on: a failure is a warning. */
function guarded<T>(what: string, info: (m: string) => void, fn: () => T): T | null {
  try {
    return fn();
  } catch (e) {
    info(`warning: ${what} failed: ${(e as Error).message}`);
    return null;
  }
}
