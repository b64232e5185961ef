// `mini-dino linear`: the linear probe of eval_linear.py, scaled down: frozen backbone, the
// [CLS] tokens of the last blocks as features, a linear classifier trained with SGD; top-1.
// --baselines: the same probe on raw pixels and on a randomly initialised ViT of the same config.
// --json: {"top1", "top5", "bestTop1", "bestEpoch", "nLastBlocks", "baselines"?: {"rawPixels",
// "randomInit"} (each {"top1", "top5"})}.

import { linearBaselines } from '../dino/baselines.js';
import { loadBackbone } from '../dino/checkpoint-file.js';
import { LINEAR_PROBE_DEFAULTS, linearProbe } from '../dino/linear-probe.js';
import { type FlagSpec, parseArgs, UsageError } from './args.js';
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
  requireFile,
  str,
} from './flags.js';
import { logger, printJson } from './output.js';
import {
  CHECKPOINT_FLAG,
  CHECKPOINT_KEY_FLAG,
  featureNormalization,
  NUM_HEADS_FLAG,
} from './eval-knn.js';
import { formatFlags } from './help.js';

const FLAGS: FlagSpec[] = [
  CHECKPOINT_FLAG,
  DATA_FLAG,
  MAX_IMAGE_PIXELS_FLAG,
  CHECKPOINT_KEY_FLAG,
  NUM_HEADS_FLAG,
  {
    name: 'epochs',
    type: 'int',
    defaultText: String(LINEAR_PROBE_DEFAULTS.epochs),
    doc: 'epochs of the linear classifier',
  },
  {
    name: 'lr',
    type: 'float',
    defaultText: String(LINEAR_PROBE_DEFAULTS.lr),
    doc: 'peak SGD learning rate (cosine to 0); tune per checkpoint, as the official help says',
  },
  {
    name: 'n-last-blocks',
    aliases: ['n_last_blocks'],
    type: 'int',
    defaultText: 'min(4, depth)',
    doc: 'concatenate the [CLS] token of this many last blocks',
  },
  {
    name: 'baselines',
    type: 'bool',
    doc:
      'also probe raw pixels and a randomly initialised ViT of the same config (with the ' +
      "training run's seed when the checkpoint says, else 0)",
  },
  BACKEND_FLAG,
  JSON_FLAG,
  HELP_FLAG,
];

export async function linearCommand(argv: readonly string[]): Promise<number> {
  const p = parseArgs(argv, FLAGS, 'linear');
  if (bool(p, 'help')) {
    process.stdout.write(
      [
        'Usage: mini-dino linear --checkpoint FILE [--data PATH] [--epochs N] [--lr X] ' +
          '[--baselines] [--json]',
        '',
        formatFlags(FLAGS),
      ].join('\n') + '\n',
    );
    return 0;
  }
  const json = bool(p, 'json');
  const log = logger(json);
  const file = requireFile('--checkpoint', str(p, 'checkpoint'));
  const epochs = (p.values.get('epochs') as number | undefined) ?? LINEAR_PROBE_DEFAULTS.epochs;
  const lr = (p.values.get('lr') as number | undefined) ?? LINEAR_PROBE_DEFAULTS.lr;
  if (epochs < 1) throw new UsageError(`--epochs: must be at least 1, got ${epochs}`);
  if (!(lr > 0)) throw new UsageError(`--lr: must be positive, got ${lr}`);
  const data = loadData(str(p, 'data'), log, maxPixelsOf(p));
  const { backend } = await chooseBackend(str(p, 'backend'));
  if (!data.test)
    throw new UsageError(
      'linear needs held-out images: use the embedded data, a Fashion-MNIST ' +
        'idx folder, or a folder with train/ and val/ sub-folders',
    );
  if (!data.train.labels)
    throw new UsageError(
      `linear needs labels: ${data.train.name} has none (use one sub-folder per class)`,
    );
  const { model, config, normalization, trainingSeed } = await loadBackbone(file, {
    checkpointKey: str(p, 'checkpoint-key') ?? 'teacher',
    backend,
    numHeads: p.values.get('num-heads') as number | undefined,
  });
  const depth = config.depth;
  const nLastBlocks = (p.values.get('n-last-blocks') as number | undefined) ?? Math.min(4, depth);
  if (nLastBlocks < 1 || nLastBlocks > depth)
    throw new UsageError(`--n-last-blocks: must be in 1..${depth}, got ${nLastBlocks}`);
  const norm = featureNormalization(normalization, data.train, log);
  log(
    `linear probe: last ${nLastBlocks} [CLS] tokens (${nLastBlocks * config.embedDim} ` +
      `features), ${epochs} epochs, lr ${lr}`,
  );
  const r = await linearProbe(
    model,
    { train: data.train, test: data.test },
    {
      size: config.imgSize,
      mean: norm.mean,
      std: norm.std,
      backend,
      nLastBlocks,
      epochs,
      lr,
    },
  );
  log(
    `linear top-1 ${(100 * r.top1).toFixed(1)}% (top-5 ${(100 * r.top5).toFixed(1)}%; ` +
      `best ${(100 * r.bestTop1).toFixed(1)}% at epoch ${r.bestEpoch + 1})`,
  );
  let baselines;
  if (bool(p, 'baselines')) {
    const initSeed = trainingSeed ?? 0;
    baselines = await linearBaselines(
      data.train,
      data.test,
      { vit: config, size: config.imgSize, initSeed, norm, backend, nLastBlocks },
      { epochs, lr },
    );
    const fmt = (t: { top1: number; top5: number }) =>
      `${(100 * t.top1).toFixed(1)}% (top-5 ${(100 * t.top5).toFixed(1)}%)`;
    log(`raw pixels: linear top-1 ${fmt(baselines.rawPixels)}`);
    log(`random-init ViT (seed ${initSeed}): linear top-1 ${fmt(baselines.randomInit)}`);
  }
  if (json)
    printJson({
      top1: r.top1,
      top5: r.top5,
      bestTop1: r.bestTop1,
      bestEpoch: r.bestEpoch,
      nLastBlocks,
      ...(baselines
        ? {
            baselines: {
              rawPixels: { top1: baselines.rawPixels.top1, top5: baselines.rawPixels.top5 },
              randomInit: { top1: baselines.randomInit.top1, top5: baselines.randomInit.top5 },
            },
          }
        : {}),
    });
  return 0;
}
