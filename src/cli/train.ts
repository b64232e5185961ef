// `mini-dino train`: self-supervised DINO training with a progress bar (epoch, step, img/s, ETA,
// loss), OUT/log.jsonl per epoch, OUT/checkpoint.safetensors every epoch (atomic), --resume,
// Ctrl-C or SIGTERM (finish the step, save, exit with status 130 or 143), a clear stop on a
// non-finite loss (the
// last good checkpoint stays), and at the end a k-NN evaluation on held-out images and
// OUT/training.svg.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig, type DinoConfig } from '../dino/config.js';
import { archOf } from '../dino/config-arch.js';
import { PRESETS, type PresetName, presetConfig } from '../dino/config-presets.js';
import { validateConfig } from '../dino/config-validate.js';
import { knnBaselines } from '../dino/baselines.js';
import { NonFiniteLossError } from '../dino/train-step.js';
import { readCheckpointInfo } from '../dino/checkpoint-file.js';
import { ensureOutDir, RunDirError } from '../dino/run-dir.js';
import { totalElements, wrapperShapes } from '../dino/shapes.js';
import type { EpochRecord } from '../dino/epoch.js';
import { trainDino } from '../dino/trainer.js';
import { applyConfigFlags, configFlags, type FlagSpec, parseArgs, UsageError } from './args.js';
import { chooseBackend } from './backend.js';
import { loadData } from './data.js';
import {
  BACKEND_FLAG,
  bool,
  DATA_FLAG,
  HELP_FLAG,
  JSON_FLAG,
  MAX_IMAGE_PIXELS_FLAG,
  maxPixelsOf,
  str,
} from './flags.js';
import { fmtDuration, logger, printJson, ProgressBar } from './output.js';
import { configHelp, formatFlags, presetsHelp } from './help.js';
import { writeTrainingSvg } from './plot.js';

/**
 * Exit status after Ctrl-C stopped training (checkpoint saved): 128 + SIGINT as a shell reports
 * an interrupted command, so `mini-dino train && next` does not go on to `next`. SIGTERM (`kill`,
 * a container or job scheduler stopping the run) stops it the same way and exits 128 + 15.
 */
export const EXIT_STOPPED = 130;
export const EXIT_TERMINATED = 143;

const OWN_FLAGS: FlagSpec[] = [
  DATA_FLAG,
  MAX_IMAGE_PIXELS_FLAG,
  {
    name: 'preset',
    type: 'enum',
    values: Object.keys(PRESETS),
    meta: Object.keys(PRESETS).join('|'),
    doc: 'start from a named recipe (below) instead of the defaults; flags given with it win',
  },
  {
    name: 'out',
    aliases: ['output_dir', 'output-dir'],
    type: 'string',
    meta: 'DIR',
    defaultText: 'runs/dino',
    doc: 'output folder: log.jsonl, checkpoint.safetensors, training.svg',
  },
  BACKEND_FLAG,
  {
    name: 'resume',
    type: 'bool',
    doc: 'continue from OUT/checkpoint.safetensors (same losses as an uninterrupted run)',
  },
  {
    name: 'baselines',
    type: 'bool',
    doc: 'also run the final k-NN on raw pixels and on a randomly initialised ViT',
  },
  { name: 'quiet', type: 'bool', doc: 'no progress bar' },
  JSON_FLAG,
  HELP_FLAG,
];

export function trainHelp(): string {
  return [
    'Usage: mini-dino train [--data PATH] [--preset NAME] [--out DIR] [--epochs N] [--backend ' +
      'cpu|gpu|auto] [--resume] [config flags]',
    '',
    'Trains a ViT with DINO on the data (the embedded Fashion-MNIST subset by default), then',
    'reports weighted k-NN top-1 on the held-out images. Defaults are the README recipe.',
    '',
    formatFlags(OWN_FLAGS),
    '',
    'Presets:',
    presetsHelp(),
    '',
    'Training configuration (kebab-case or the official snake_case spelling):',
    '',
    configHelp(),
  ].join('\n');
}

export async function trainCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseArgs(argv, [...OWN_FLAGS, ...configFlags()], 'train');
  if (bool(parsed, 'help')) {
    process.stdout.write(trainHelp() + '\n');
    return 0;
  }
  if (parsed.positional.length)
    throw new UsageError(
      `train: unexpected argument '${parsed.positional[0]}' (see mini-dino train --help)`,
    );
  const json = bool(parsed, 'json');
  const log = logger(json);
  const preset = str(parsed, 'preset') as PresetName | undefined;
  const config: DinoConfig = applyConfigFlags(
    preset ? presetConfig(preset) : defaultConfig(),
    parsed,
  );
  try {
    validateConfig(config);
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^config: /, ''));
  }
  const out = str(parsed, 'out') ?? 'runs/dino';
  try {
    ensureOutDir(out); // before loading data, which can take minutes
  } catch (e) {
    if (e instanceof RunDirError) throw new UsageError(`--out: ${e.message}`);
    throw e;
  }
  const dataPath = str(parsed, 'data') ?? (preset ? PRESETS[preset].data : undefined);
  if (preset && str(parsed, 'data') === undefined && !existsSync(dataPath!))
    throw new UsageError(
      `--preset ${preset} trains on ${dataPath}, which does not exist (Debian: apt-get install ` +
        `dataset-fashion-mnist), or give the folder with --data PATH`,
    );
  const data = loadData(dataPath, log, maxPixelsOf(parsed));
  const { backend, info } = await chooseBackend(str(parsed, 'backend'));
  const train = data.train;
  const { embedDim, depth, numHeads } = archOf(config);
  // counted from the shapes: building a model here would allocate before any check
  const nParams = totalElements(wrapperShapes(config, train.channels));
  log(
    `mini-dino train: ${train.name}, ${train.length} images (${train.channels} ` +
      `channel${train.channels > 1 ? 's' : ''})` +
      (data.test ? `, ${data.test.length} held out for k-NN` : ''),
  );
  if (preset) log(`  preset ${preset}: ${PRESETS[preset].doc}`);
  log(
    `  ViT patch ${config.patchSize}, dim ${embedDim}, depth ${depth}, ` +
      `${numHeads} heads; head ${config.headHiddenDim}/${config.headBottleneckDim} ` +
      `→ ${config.outDim}; ${(nParams / 1e6).toFixed(2)}M parameters`,
  );
  log(
    `  ${config.epochs} epochs of batch ${config.batchSize}, 2×${config.globalCropSize}px ` +
      `+ ${config.localCropsNumber}×${config.localCropSize}px crops; backend ` +
      `${info.description}; output ${out}`,
  );

  const bar = new ProgressBar(process.stderr, 10);
  let stop = false;
  let exitStopped = EXIT_STOPPED;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop) process.exit(exitStopped);
    stop = true;
    if (signal === 'SIGTERM') exitStopped = EXIT_TERMINATED;
    bar.done();
    process.stderr.write(
      `stopping (${signal}): finishing the current step, then saving a ` +
        `checkpoint (Ctrl-C again to quit at once)\n`,
    );
  };
  // Listening only while steps run: before the first step and after the last there is nothing to
  // save, so a signal keeps its default action and ends the process at once, whatever it is doing.
  const listen = (on: boolean) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.off(sig, onSignal);
      if (on) process.on(sig, onSignal);
    }
  };
  const quiet = bool(parsed, 'quiet');
  const t0 = performance.now();
  let result;
  try {
    result = await trainDino({
      config,
      data,
      outDir: out,
      backend,
      resume: bool(parsed, 'resume'),
      shouldStop: () => stop,
      onTrainingLoop: listen,
      onInfo: (m) => {
        bar.done();
        log(m);
      },
      onStep: (p) => {
        if (quiet) return;
        bar.update(
          p.iteration / p.totalIterations,
          `epoch ${p.epoch + 1}/${p.epochs} step ${p.step}/${p.stepsPerEpoch} ` +
            `| ${p.imgPerSec.toFixed(0)} img/s | ETA ${fmtDuration(p.etaSeconds)} ` +
            `| loss ${p.metrics.loss.toFixed(4)}`,
        );
      },
      onEpoch: (r: EpochRecord) => {
        if (!quiet) bar.done();
        const top20 = r.knn_top1 ? (r.knn_top1['20'] ?? Object.values(r.knn_top1)[0]) : null;
        const knn =
          top20 !== null ? ` | k-NN@20 ${(100 * top20).toFixed(1)}% (${r.knn_protocol})` : '';
        log(
          `epoch ${r.epoch + 1}: loss ${r.train_loss.toFixed(4)} ` +
            `| h(P_t) ${r.train_teacher_entropy.toFixed(3)} | KL ${r.train_kl.toFixed(3)} ` +
            `| lr ${r.train_lr.toExponential(2)} ` +
            `| ${fmtDuration(r.seconds)}${knn}`,
        );
      },
    });
  } catch (e) {
    if (e instanceof NonFiniteLossError) {
      if (!quiet) bar.done();
      // what is on disk, not what this run saved: a resumed run may not have saved yet
      const path = join(out, 'checkpoint.safetensors');
      const kept = readCheckpointInfo(path);
      process.stderr.write(
        `error: ${e.message}\n${
          kept
            ? `The last good checkpoint (epoch ${kept.epoch}, iteration ${kept.iteration}) is ` +
              `kept in ${path}.`
            : `No checkpoint was saved in ${out}.`
        }\n`,
      );
      return 1;
    }
    throw e;
  } finally {
    listen(false);
  }
  const wall = (performance.now() - t0) / 1000;
  const svg = join(out, 'training.svg');
  writeTrainingSvg(svg, result.history, { outDim: config.outDim });
  log(`wrote ${join(out, 'log.jsonl')}, ${result.checkpoint}, ${svg}`);
  let baselines = null;
  if (result.finalKnn) {
    const k = result.finalKnn.top1;
    log(
      `k-NN top-1 on ${data.test!.length} held-out images: ${Object.entries(k)
        .map(([kk, v]) => `k=${kk} ${(100 * v).toFixed(1)}%`)
        .join(', ')}`,
    );
    if (bool(parsed, 'baselines')) {
      const N = config.limit > 0 ? Math.min(config.limit, train.length) : train.length;
      baselines = knnBaselines(train, data.test!, {
        vit: result.run.teacher.backbone.config,
        size: config.globalCropSize,
        ks: config.knnK,
        temperature: config.knnTemperature,
        seed: config.seed,
        norm: result.normalization,
        backend,
        nTrain: N,
      });
      log(
        `  baselines: raw pixels ${fmtTop(baselines.rawPixels.top1)}; random-init ` +
          `ViT ${fmtTop(baselines.randomInit.top1)}`,
      );
    }
  }
  log(
    `done in ${fmtDuration(wall)} (training ${fmtDuration(result.trainSeconds)})` +
      (result.stopped ? ', stopped early: continue with --resume' : ''),
  );
  if (json) {
    printJson({
      epochs: result.history.length,
      stopped: result.stopped,
      wallSeconds: wall,
      trainSeconds: result.trainSeconds,
      top1: result.finalKnn?.top1 ?? null,
      ...(baselines
        ? {
            baselines: {
              rawPixels: baselines.rawPixels.top1,
              randomInit: baselines.randomInit.top1,
            },
          }
        : {}),
      checkpoint: result.checkpoint,
      log: join(out, 'log.jsonl'),
      backend: info.backend,
    });
  }
  return result.stopped ? exitStopped : 0;
}

export function fmtTop(t: Record<string, number>): string {
  return Object.entries(t)
    .map(([k, v]) => `k=${k} ${(100 * v).toFixed(1)}%`)
    .join(', ');
}
