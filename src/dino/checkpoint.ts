// Checkpoints in safetensors with the official key names (main_dino.py save_dict):
//   student.module.backbone.<vit key>, student.module.head.<head key>   (the DDP-wrapped student)
//   teacher.backbone.<vit key>, teacher.head.<head key>
//   optimizer.<param>.exp_avg / .exp_avg_sq        dino_loss.center
// and metadata: format, epoch (the next epoch to run, as official), iteration, the config JSON,
// AdamW step counts, the generators' states (so --resume continues exactly), in_chans.
// This module works on bytes and parsed safetensors, so browsers use it as it is; the files
// (written atomically: a kill during a save keeps the last one) are checkpoint-file.ts.
//
// backboneFromSafetensors() reads a ViT from any of: our checkpoints, official backbone-only
// weights converted to safetensors (bare keys), or full official checkpoints (teacher./student.,
// module., backbone. prefixes recognised as the official eval scripts do; head keys are
// reported as unexpected and ignored, official issue #66).
// Both check the file before allocating anything from it (src/dino/checkpoint-check.ts): the
// tensors the model needs must be present with the shapes the configuration implies, and
// finite; only those tensors are converted.

import {
  renameKeys,
  safetensorsFromTensorsAsync,
  stripPrefixes,
  tensorsFromSafetensors,
} from '../io/convert.js';
import {
  type Safetensors,
  type SafetensorsTensor,
  serializeSafetensors,
} from '../io/safetensors.js';
import { VisionTransformer, type ViTConfig } from '../nn/vit.js';
import type { Backend } from '../tensor/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import type { DinoRun } from './build.js';
import {
  CheckpointError,
  metadataConfig,
  metadataCount,
  metadataJson,
  requireFinite,
  requireShapes,
} from './checkpoint-check.js';
import type { DinoConfig } from './config.js';
import { archOf } from './config-arch.js';
import { inferViTConfig, type Normalization } from './checkpoint-vit.js';
import { vitShapes, wrapperShapes } from './shapes.js';

export { CheckpointError } from './checkpoint-check.js';
export type { Normalization } from './checkpoint-vit.js';

export const CHECKPOINT_FORMAT = 'mini-dino-checkpoint-v1';

/** What identifies a training set cheaply: its size and a hash of a sample of its images. */
export interface DatasetFingerprint {
  count: number;
  channels: number;
  /** SHA-256 (hex) over up to 64 evenly spaced images: their size and pixels. */
  sample: string;
}

export interface CheckpointMeta {
  /** The next epoch to run (official semantics: epoch + 1 after finishing `epoch`). */
  epoch: number;
  /** Global iterations done. */
  iteration: number;
  inChans: number;
  /** Generator states by name (augmentation, shuffling, drop path). */
  rng: Record<string, number[]>;
  /** Running sums of an interrupted epoch (so its log line comes out the same after --resume). */
  partial?: unknown;
  /** The per-channel statistics the model was trained with (absent in older checkpoints). */
  normalization?: Normalization;
  /** The training set (absent in older checkpoints). */
  dataset?: DatasetFingerprint;
  /** The log lines of the finished epochs, from which --resume rewrites a damaged log. */
  history?: unknown[];
}

/** The checkpoint of `run` as safetensors bytes (`source` names it in errors). */
export async function checkpointBytes(
  run: DinoRun,
  meta: CheckpointMeta,
  source = '<checkpoint>',
): Promise<Uint8Array> {
  const tensors = new Map<string, Tensor>();
  for (const [k, t] of run.student.namedParameters()) tensors.set(`student.module.${k}`, t);
  for (const [k, t] of run.teacher.namedParameters()) tensors.set(`teacher.${k}`, t);
  const opt = run.optimizer.stateDict();
  for (const [k, t] of opt.tensors) tensors.set(`optimizer.${k}`, t);
  tensors.set('dino_loss.center', run.center.value);
  const entries = await safetensorsFromTensorsAsync(tensors);
  // never replace a good checkpoint by an unusable one
  for (const [name, e] of entries) {
    for (let i = 0; i < e.data.length; i++) {
      if (!Number.isFinite(e.data[i]))
        throw new CheckpointError(
          source,
          `not saved: tensor '${name}' has a non-finite value (${e.data[i]}); the previous ` +
            `checkpoint, if any, is kept`,
        );
    }
  }
  const metadata = {
    format: CHECKPOINT_FORMAT,
    epoch: String(meta.epoch),
    iteration: String(meta.iteration),
    in_chans: String(meta.inChans),
    config: JSON.stringify(run.config),
    optimizer_steps: JSON.stringify(opt.steps),
    rng: JSON.stringify(meta.rng),
    partial: JSON.stringify(meta.partial ?? null),
    ...(meta.normalization ? { normalization: JSON.stringify(meta.normalization) } : {}),
    ...(meta.dataset ? { dataset: JSON.stringify(meta.dataset) } : {}),
    ...(meta.history ? { history: JSON.stringify(meta.history) } : {}),
  };
  return serializeSafetensors(entries, metadata, source);
}

export interface LoadedCheckpoint {
  path: string;
  meta: CheckpointMeta;
  config: DinoConfig;
  tensors: Map<string, Tensor>;
  optimizerSteps: Record<string, number>;
}

/** One of our training checkpoints from parsed safetensors read from `path`, validated (see the
 * file header) before conversion. */
export function checkpointFromSafetensors(
  st: Safetensors,
  path: string,
  opts: { backend?: Backend } = {},
): LoadedCheckpoint {
  const md = st.metadata;
  if (md.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      path,
      `not a mini-dino training checkpoint (format '${md.format ?? 'none'}', expected ` +
        `'${CHECKPOINT_FORMAT}')`,
    );
  }
  const config = metadataConfig(path, md);
  const inChans = metadataCount(path, md, 'in_chans');
  if (inChans !== 1 && inChans !== 3)
    throw new CheckpointError(path, `metadata 'in_chans' must be 1 or 3, got ${inChans}`);
  const meta: CheckpointMeta = {
    epoch: metadataCount(path, md, 'epoch'),
    iteration: metadataCount(path, md, 'iteration'),
    inChans,
    rng: metadataObject(path, md, 'rng') as Record<string, number[]>,
    partial: md.partial ? metadataJson(path, md, 'partial') : null,
    normalization: md.normalization ? parseNormalization(path, md, inChans) : undefined,
    dataset: md.dataset ? (metadataObject(path, md, 'dataset') as DatasetFingerprint) : undefined,
    history: md.history ? metadataArray(path, md, 'history') : undefined,
  };
  const steps = metadataObject(path, md, 'optimizer_steps') as Record<string, number>;

  // 12 tensors per block: a depth beyond what the file holds is refused before any shape map
  const depth = archOf(config).depth;
  if (depth * 12 > st.tensors.size)
    throw new CheckpointError(
      path,
      `metadata 'config' claims depth ${depth}, but the file holds only ${st.tensors.size} tensors`,
    );
  const shapes = wrapperShapes(config, inChans);
  const student = requireShapes(path, st.tensors, shapes, 'student.module.', 'student');
  const teacher = requireShapes(path, st.tensors, shapes, 'teacher.', 'teacher');
  const moments = new Map<string, number[]>();
  for (const [name, step] of Object.entries(steps)) {
    const shape = shapes.get(name);
    if (!shape || !Number.isSafeInteger(step) || step < 0)
      throw new CheckpointError(
        path,
        `metadata 'optimizer_steps' has ${JSON.stringify(name)}: ${JSON.stringify(step)}, not a ` +
          `student weight with a step count`,
      );
    moments.set(`${name}.exp_avg`, shape).set(`${name}.exp_avg_sq`, shape);
  }
  const optimizer = requireShapes(path, st.tensors, moments, 'optimizer.', 'optimizer');
  const center = requireShapes(
    path,
    st.tensors,
    new Map([['dino_loss.center', [1, config.outDim]]]),
    '',
    'center',
  );
  const wanted = new Map<string, SafetensorsTensor>();
  for (const [prefix, m] of [
    ['student.module.', student],
    ['teacher.', teacher],
    ['optimizer.', optimizer],
    ['', center],
  ] as const)
    for (const [k, t] of m) wanted.set(prefix + k, t);
  requireFinite(path, wanted);
  const tensors = tensorsFromSafetensors(wanted, {
    dtype: 'float32',
    backend: opts.backend,
    keep: true,
  });
  return { path, meta, config, tensors, optimizerSteps: steps };
}

function metadataObject(path: string, md: Record<string, string>, key: string): object {
  const v = metadataJson(path, md, key);
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new CheckpointError(path, `metadata '${key}' must be a JSON object`);
  return v;
}

function metadataArray(path: string, md: Record<string, string>, key: string): unknown[] {
  const v = metadataJson(path, md, key);
  if (!Array.isArray(v)) throw new CheckpointError(path, `metadata '${key}' must be a JSON array`);
  return v;
}

/** The normalisation statistics of the metadata: finite means, positive stds, one per channel. */
function parseNormalization(
  path: string,
  md: Record<string, string>,
  channels: number,
): Normalization {
  const v = metadataObject(path, md, 'normalization') as Partial<Normalization>;
  const ok = (xs: unknown, positive: boolean) =>
    Array.isArray(xs) &&
    xs.length === channels &&
    xs.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0));
  if (!ok(v.mean, false) || !ok(v.std, true))
    throw new CheckpointError(
      path,
      `metadata 'normalization' must hold ${channels} finite mean(s) and positive std(s), got ` +
        `${md.normalization.slice(0, 80)}`,
    );
  return { mean: v.mean!, std: v.std! };
}

/** Restores student, teacher, optimizer and center of a freshly built run from a checkpoint. */
export function restoreRun(run: DinoRun, ck: LoadedCheckpoint): void {
  const under = (prefix: string) =>
    new Map(
      [...ck.tensors]
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, v]) => [k.slice(prefix.length), v]),
    );
  run.student.loadStateDict(under('student.module.'));
  run.teacher.loadStateDict(under('teacher.'));
  for (const p of run.teacher.parameters()) p.requiresGrad = false;
  run.optimizer.loadStateDict({ tensors: under('optimizer.'), steps: ck.optimizerSteps });
  const center = ck.tensors.get('dino_loss.center');
  if (!center) throw new CheckpointError(ck.path, `no dino_loss.center`);
  run.center.value.assign(
    run.center.value.backend.upload(Float32Array.from(center.dataSync()), true),
  ); // sync point
}

export interface LoadedBackbone {
  model: VisionTransformer;
  config: ViTConfig;
  /** What the prefix handling did, for logs. */
  summary: string;
  /** Keys present in the file but not in the ViT (e.g. the DINO head), ignored. */
  unexpected: string[];
  /** The normalisation the model was trained with, when the file says (our checkpoints). */
  normalization: Normalization | null;
  /** The seed of the training run, when the file says (our checkpoints): the random-init
   * baselines start from the same weights as the run's student did. */
  trainingSeed: number | null;
}

export interface LoadBackboneOptions {
  checkpointKey?: string;
  backend?: Backend;
  /** Attention heads, for files that do not say (neither our config nor an official width). */
  numHeads?: number;
}

/**
 * A VisionTransformer with weights from parsed safetensors read from `path` (teacher by default,
 * as the official eval scripts). The architecture comes from the tensor shapes, and the head
 * count from our checkpoint's config, `opts.numHeads`, or the official widths
 * (src/dino/checkpoint-vit.ts).
 */
export function backboneFromSafetensors(
  st: Safetensors,
  path: string,
  opts: LoadBackboneOptions = {},
): LoadedBackbone {
  const strip = stripPrefixes(st.tensors.keys(), {
    checkpointKey: opts.checkpointKey ?? 'teacher',
  });
  const all = renameKeys(st.tensors, strip.mapping);
  const ours = st.metadata.format === CHECKPOINT_FORMAT;
  const saved = ours ? metadataConfig(path, st.metadata) : null;
  const config = inferViTConfig(path, all, saved, opts.numHeads);
  const expected = vitShapes(config);
  const weights = requireShapes(path, all, expected, '', 'ViT');
  requireFinite(path, weights);
  const model = new VisionTransformer(config, { backend: opts.backend });
  model.loadStateDict(tensorsFromSafetensors(weights, { dtype: 'float32', backend: opts.backend }));
  model.eval();
  const unexpected = [...all.keys()].filter((k) => !expected.has(k));
  const normalization =
    ours && st.metadata.normalization
      ? parseNormalization(path, st.metadata, config.inChans)
      : null;
  return {
    model,
    config,
    summary: strip.summary,
    unexpected,
    normalization,
    trainingSeed: saved ? saved.seed : null,
  };
}
