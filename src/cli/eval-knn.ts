// `mini-dino eval-knn`: the official weighted k-NN (eval_knn.py) on frozen features of a
// checkpoint's teacher backbone (final-norm [CLS], L2-normalised, T = 0.07), top-1 per k; with
// --baselines the same on raw pixels and on a randomly initialised ViT of the same config.
// --json prints {"top1": {"10": 0.71, ...}, "top5": {...}, "baselines"?: {...}}.

import { knnBaselines } from '../dino/baselines.js';
import type { ImageDataset } from '../data/image-dataset.js';
import type { Normalization } from '../dino/checkpoint.js';
import { loadBackbone } from '../dino/checkpoint-file.js';
import { extractFeatures } from '../dino/features.js';
import { knnClassify } from '../dino/knn.js';
import { normalizationOf } from '../data/stats.js';
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
import { formatFlags } from './help.js';
import { fmtTop } from './train.js';

export const CHECKPOINT_FLAG: FlagSpec = {
  name: 'checkpoint',
  aliases: ['pretrained_weights', 'pretrained-weights'],
  type: 'string',
  meta: 'FILE',
  doc: 'a mini-dino checkpoint, or official DINO weights converted to safetensors',
};
export const NUM_HEADS_FLAG: FlagSpec = {
  name: 'num-heads',
  aliases: ['num_heads'],
  type: 'int',
  meta: 'N',
  defaultText: "the checkpoint's config, or 3/6/12 for the official widths 192/384/768",
  doc: 'attention heads, for weights that do not say (e.g. a converted custom ViT)',
};
export const CHECKPOINT_KEY_FLAG: FlagSpec = {
  name: 'checkpoint-key',
  aliases: ['checkpoint_key'],
  type: 'string',
  meta: 'KEY',
  defaultText: 'teacher',
  doc: 'which network of a full checkpoint to use (teacher or student)',
};

const FLAGS: FlagSpec[] = [
  CHECKPOINT_FLAG,
  DATA_FLAG,
  MAX_IMAGE_PIXELS_FLAG,
  CHECKPOINT_KEY_FLAG,
  NUM_HEADS_FLAG,
  {
    name: 'k',
    aliases: ['nb_knn', 'nb-knn'],
    type: 'intList',
    defaultText: '10,20,100,200',
    doc: 'numbers of neighbours',
  },
  {
    name: 'temperature',
    type: 'float',
    defaultText: '0.07',
    doc: 'temperature of the vote weights exp(s/T)',
  },
  {
    name: 'baselines',
    type: 'bool',
    doc:
      'also report raw pixels and a randomly initialised ViT of the same config (with the ' +
      "training run's seed when the checkpoint says, else 0)",
  },
  BACKEND_FLAG,
  JSON_FLAG,
  HELP_FLAG,
];

/**
 * The normalisation features are computed with: the one the checkpoint was trained with (the
 * features it learnt depend on it), else the statistics of the bank's images (eval_knn.py uses
 * fixed ImageNet statistics, which fit neither Fashion-MNIST nor an arbitrary folder).
 */
export function featureNormalization(
  saved: Normalization | null,
  train: ImageDataset,
  log: (s: string) => void,
): Normalization {
  if (saved) {
    log(
      `normalisation of the training run: mean ${saved.mean.join(',')}, std ${saved.std.join(',')}`,
    );
    return saved;
  }
  const norm = normalizationOf(train, (m) => log(`warning: ${m}`));
  log(
    `normalisation from ${train.name} (the checkpoint does not say): mean ` +
      `${norm.mean.join(',')}, std ${norm.std.join(',')}`,
  );
  return norm;
}

export function evalKnnHelp(): string {
  return [
    'Usage: mini-dino eval-knn --checkpoint FILE [--data PATH] [--k 10,20,100,200] ' +
      '[--baselines] [--json]',
    '',
    formatFlags(FLAGS),
  ].join('\n');
}

export async function evalKnnCommand(argv: readonly string[]): Promise<number> {
  const p = parseArgs(argv, FLAGS, 'eval-knn');
  if (bool(p, 'help')) {
    process.stdout.write(evalKnnHelp() + '\n');
    return 0;
  }
  const json = bool(p, 'json');
  const log = logger(json);
  const file = requireFile('--checkpoint', str(p, 'checkpoint'));
  const ks = (p.values.get('k') as number[] | undefined) ?? [10, 20, 100, 200];
  if (ks.some((k) => k < 1))
    throw new UsageError(`--k: every k must be at least 1, got ${ks.join(',')}`);
  const T = (p.values.get('temperature') as number | undefined) ?? 0.07;
  if (!(T > 0)) throw new UsageError(`--temperature: must be positive, got ${T}`);
  const data = loadData(str(p, 'data'), log, maxPixelsOf(p));
  const { backend } = await chooseBackend(str(p, 'backend'));
  if (!data.test)
    throw new UsageError(
      'eval-knn needs held-out images: use the embedded data, a Fashion-MNIST ' +
        'idx folder, or a folder with train/ and val/ sub-folders',
    );
  const { model, config, summary, unexpected, normalization, trainingSeed } = await loadBackbone(
    file,
    {
      checkpointKey: str(p, 'checkpoint-key') ?? 'teacher',
      backend,
      numHeads: p.values.get('num-heads') as number | undefined,
    },
  );
  const ignored = unexpected.length
    ? `; ignored ${unexpected.length} non-backbone keys (e.g. ${unexpected[0]})`
    : '';
  log(`loaded ${file}: ${summary}${ignored}`);
  if (config.inChans !== data.train.channels) {
    throw new UsageError(
      `the checkpoint's ViT takes ${config.inChans}-channel images but ` +
        `${data.train.name} has ${data.train.channels}`,
    );
  }
  const norm = featureNormalization(normalization, data.train, log);
  const size = config.imgSize;
  log(`features: ${data.train.length} train + ${data.test.length} test images at ${size}px`);
  const fopts = { size, mean: norm.mean, std: norm.std, backend };
  const bank = extractFeatures(model, data.train, fopts);
  const queries = extractFeatures(model, data.test, fopts);
  const r = knnClassify(bank, queries, {
    ks,
    temperature: T,
    backend,
    numClasses: data.test.classes?.length,
  });
  if (r.nonFinite > 0)
    log(`warning: ${r.nonFinite} test image(s) gave non-finite features; counted as wrong`);
  log(`k-NN top-1: ${fmtTop(r.top1)}`);
  let baselines;
  if (bool(p, 'baselines')) {
    baselines = knnBaselines(data.train, data.test, {
      vit: config,
      size,
      ks,
      temperature: T,
      seed: trainingSeed ?? 0,
      norm,
      backend,
    });
    log(`raw pixels: ${fmtTop(baselines.rawPixels.top1)}`);
    log(`random-init ViT (seed ${trainingSeed ?? 0}): ${fmtTop(baselines.randomInit.top1)}`);
  }
  if (json) {
    printJson({
      top1: r.top1,
      top5: r.top5,
      ...(baselines
        ? {
            baselines: {
              rawPixels: baselines.rawPixels.top1,
              randomInit: baselines.randomInit.top1,
            },
          }
        : {}),
    });
  }
  return 0;
}
