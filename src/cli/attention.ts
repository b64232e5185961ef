// `mini-dino attention`: the last layer's [CLS] self-attention per head over an image, as PNGs
// (official visualize_attention.py): attn-head{i}.png, attn-mean.png, the 60%-mass masks
// (attn-mask.png) and the input as the model saw it (image.png). Works on mini-dino checkpoints
// and on official DINO weights converted to safetensors (e.g. ViT-S/16 at 224 px).

import { readFileSync } from 'node:fs';
import { attentionMaps, prepareImage } from '../dino/attention-maps.js';
import { writeAttentionPngs } from '../dino/attention-png.js';
import { loadBackbone } from '../dino/checkpoint-file.js';
import { decodeImage } from '../data/image.js';
import { type FlagSpec, parseArgs, UsageError } from './args.js';
import { chooseBackend } from './backend.js';
import {
  BACKEND_FLAG,
  bool,
  HELP_FLAG,
  JSON_FLAG,
  MAX_IMAGE_PIXELS_FLAG,
  maxPixelsOf,
  requireFile,
  str,
} from './flags.js';
import { logger, printJson } from './output.js';
import { CHECKPOINT_FLAG, CHECKPOINT_KEY_FLAG, NUM_HEADS_FLAG } from './eval-knn.js';
import { formatFlags } from './help.js';

const FLAGS: FlagSpec[] = [
  CHECKPOINT_FLAG,
  {
    name: 'image',
    aliases: ['image_path', 'image-path'],
    type: 'string',
    meta: 'PATH',
    doc: 'a PNG or JPEG image',
  },
  {
    name: 'out',
    aliases: ['output_dir', 'output-dir'],
    type: 'string',
    meta: 'DIR',
    defaultText: 'attention',
    doc: 'where the PNGs go',
  },
  {
    name: 'size',
    aliases: ['image_size', 'image-size'],
    type: 'int',
    defaultText: "the model's training size",
    doc: 'side the image is resized to (a multiple of the patch size)',
  },
  {
    name: 'threshold',
    type: 'float',
    defaultText: '0.6',
    doc: 'attention mass kept by the masks (paper: 60%)',
  },
  {
    name: 'mean',
    type: 'floatList',
    defaultText: "the checkpoint's; else Fashion-MNIST for 1 channel, ImageNet for 3",
    doc: 'normalisation mean per channel',
  },
  {
    name: 'std',
    type: 'floatList',
    defaultText: 'as --mean',
    doc: 'normalisation std per channel',
  },
  CHECKPOINT_KEY_FLAG,
  NUM_HEADS_FLAG,
  MAX_IMAGE_PIXELS_FLAG,
  BACKEND_FLAG,
  JSON_FLAG,
  HELP_FLAG,
];

/** Normalisation statistics when none are given: ours for 1 channel, the official ImageNet ones for
 * 3. */
const DEFAULT_NORM = {
  1: { mean: [0.286], std: [0.353] },
  3: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
} as const;

export async function attentionCommand(argv: readonly string[]): Promise<number> {
  const p = parseArgs(argv, FLAGS, 'attention');
  if (bool(p, 'help')) {
    process.stdout.write(
      [
        'Usage: mini-dino attention --checkpoint FILE --image PATH [--out ' +
          'DIR] [--size N] [--threshold 0.6]',
        '',
        formatFlags(FLAGS),
      ].join('\n') + '\n',
    );
    return 0;
  }
  const json = bool(p, 'json');
  const log = logger(json);
  const ckpt = requireFile('--checkpoint', str(p, 'checkpoint'));
  const imagePath = requireFile('--image', str(p, 'image'));
  const threshold = (p.values.get('threshold') as number | undefined) ?? 0.6;
  if (!(threshold >= 0 && threshold <= 1))
    throw new UsageError(`--threshold: expected a fraction in [0, 1], got ${threshold}`);
  const { backend } = await chooseBackend(str(p, 'backend'));
  const { model, config, summary, normalization } = await loadBackbone(ckpt, {
    checkpointKey: str(p, 'checkpoint-key') ?? 'teacher',
    backend,
    numHeads: p.values.get('num-heads') as number | undefined,
  });
  log(`loaded ${ckpt}: ${summary}`);
  const size = (p.values.get('size') as number | undefined) ?? config.imgSize;
  if (size % config.patchSize !== 0 || size < config.patchSize) {
    throw new UsageError(
      `--size: ${size} is not a positive multiple of the patch size ${config.patchSize}`,
    );
  }
  const C = config.inChans as 1 | 3;
  const norm = normalization ?? DEFAULT_NORM[C] ?? DEFAULT_NORM[3];
  const mean = (p.values.get('mean') as number[] | undefined) ?? [...norm.mean];
  const std = (p.values.get('std') as number[] | undefined) ?? [...norm.std];
  if (mean.length !== C || std.length !== C)
    throw new UsageError(`--mean/--std: the model takes ${C} channel(s), give ${C} value(s) each`);
  let img;
  try {
    img = decodeImage(readFileSync(imagePath), imagePath, { maxPixels: maxPixelsOf(p) });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { input, image } = prepareImage(img, { size, channels: C, mean, std }, { backend });
  const maps = await attentionMaps(model, input, { threshold });
  const out = str(p, 'out') ?? 'attention';
  const files = writeAttentionPngs(out, maps, { image });
  log(
    `${maps.numHeads} heads over a ${maps.gridH}×${maps.gridW} patch ` +
      `grid; wrote ${files.join(', ')}`,
  );
  if (json)
    printJson({ files, numHeads: maps.numHeads, grid: [maps.gridH, maps.gridW], threshold });
  return 0;
}
