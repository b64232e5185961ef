// Checkpoints in safetensors with the official key names (main_dino.py save_dict, spec §9):
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

import {
  renameKeys,
  safetensorsFromTensorsAsync,
  stripPrefixes,
  tensorsFromSafetensors,
} from '../io/convert.js';
import { type Safetensors, serializeSafetensors } from '../io/safetensors.js';
import { VisionTransformer, type ViTConfig } from '../nn/vit.js';
import type { Backend } from '../tensor/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import type { DinoRun } from './build.js';
import { type DinoConfig, defaultConfig } from './config.js';

export const CHECKPOINT_FORMAT = 'mini-dino-checkpoint-v1';

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
  const metadata = {
    format: CHECKPOINT_FORMAT,
    epoch: String(meta.epoch),
    iteration: String(meta.iteration),
    in_chans: String(meta.inChans),
    config: JSON.stringify(run.config),
    optimizer_steps: JSON.stringify(opt.steps),
    rng: JSON.stringify(meta.rng),
    partial: JSON.stringify(meta.partial ?? null),
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

/** One of our training checkpoints from parsed safetensors read from `path` (clear errors for
 * other files). */
export function checkpointFromSafetensors(
  st: Safetensors,
  path: string,
  opts: { backend?: Backend } = {},
): LoadedCheckpoint {
  const md = st.metadata;
  if (md.format !== CHECKPOINT_FORMAT) {
    throw new Error(
      `checkpoint: ${path} is not a mini-dino training checkpoint (format ` +
        `'${md.format ?? 'none'}', expected '${CHECKPOINT_FORMAT}')`,
    );
  }
  const parse = <T>(key: string): T => {
    try {
      return JSON.parse(md[key]) as T;
    } catch {
      throw new Error(`checkpoint: ${path}: metadata '${key}' is missing or not valid JSON`);
    }
  };
  const config = { ...defaultConfig(), ...parse<Partial<DinoConfig>>('config') };
  const meta: CheckpointMeta = {
    epoch: Number(md.epoch),
    iteration: Number(md.iteration),
    inChans: Number(md.in_chans),
    rng: parse('rng'),
    partial: md.partial ? parse('partial') : null,
  };
  if (!Number.isInteger(meta.epoch) || !Number.isInteger(meta.iteration) || !(meta.inChans >= 1)) {
    throw new Error(
      `checkpoint: ${path}: metadata epoch/iteration/in_chans are not valid ` +
        `(${md.epoch}, ${md.iteration}, ${md.in_chans})`,
    );
  }
  const tensors = tensorsFromSafetensors(st, {
    dtype: 'float32',
    backend: opts.backend,
    keep: true,
  });
  return { path, meta, config, tensors, optimizerSteps: parse('optimizer_steps') };
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
  if (!center) throw new Error(`checkpoint: ${ck.path} has no dino_loss.center`);
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
}

/**
 * A VisionTransformer with weights from parsed safetensors read from `path` (teacher by default,
 * as the official eval scripts). The architecture comes from our checkpoint's config when
 * present, otherwise from the tensor shapes (head dim 64, as every official ViT).
 */
export function backboneFromSafetensors(
  st: Safetensors,
  path: string,
  opts: { checkpointKey?: string; backend?: Backend } = {},
): LoadedBackbone {
  const strip = stripPrefixes(st.tensors.keys(), {
    checkpointKey: opts.checkpointKey ?? 'teacher',
  });
  const all = renameKeys(
    tensorsFromSafetensors(st, { dtype: 'float32', backend: opts.backend, keep: true }),
    strip.mapping,
  );
  const config = inferViTConfig(all, st.metadata, path);
  const model = new VisionTransformer(config, { backend: opts.backend });
  const report = model.loadStateDict(all, { strict: false });
  if (report.missing.length || report.mismatched.length) {
    throw new Error(
      `loadBackbone: ${path}: ${report.missing.length} ViT weights are ` +
        `missing (${report.missing.slice(0, 4).join(', ')}` +
        `${report.missing.length > 4 ? ', …' : ''})` +
        (report.mismatched.length
          ? `; mis-shaped: ${report.mismatched.map((m) => m.key).join(', ')}`
          : ''),
    );
  }
  model.eval();
  return { model, config, summary: strip.summary, unexpected: report.unexpected };
}

function inferViTConfig(
  w: Map<string, Tensor>,
  metadata: Record<string, string>,
  path: string,
): ViTConfig {
  const need = (k: string) => {
    const t = w.get(k);
    if (!t)
      throw new Error(
        `loadBackbone: ${path} has no '${k}' (after prefix stripping): not a ViT checkpoint`,
      );
    return t;
  };
  const pe = need('patch_embed.proj.weight'); // [D, C, p, p]
  const pos = need('pos_embed'); // [1, N0 + 1, D]
  const D = pe.shape[0];
  const p = pe.shape[2];
  const g0 = Math.round(Math.sqrt(pos.shape[1] - 1));
  let depth = 0;
  while (w.has(`blocks.${depth}.norm1.weight`)) depth++;
  const fc1 = need('blocks.0.mlp.fc1.weight');
  let numHeads = Math.max(1, Math.round(D / 64));
  if (metadata.config) {
    const c = JSON.parse(metadata.config) as Partial<DinoConfig>;
    if (c.arch === 'custom' && c.numHeads) numHeads = c.numHeads;
    else if (c.arch === 'vit_tiny') numHeads = 3;
    else if (c.arch === 'vit_small') numHeads = 6;
    else if (c.arch === 'vit_base') numHeads = 12;
  }
  return {
    imgSize: g0 * p,
    patchSize: p,
    inChans: pe.shape[1],
    embedDim: D,
    depth,
    numHeads,
    mlpRatio: fc1.shape[0] / D,
    qkvBias: w.has('blocks.0.attn.qkv.bias'),
    dropPathRate: 0,
  };
}
