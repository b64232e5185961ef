// Checkpoint files on Node: the training checkpoint written atomically (temp file + rename, so a
// kill during a save keeps the last one) and read back, and a ViT backbone read from any
// safetensors file with official or mini-dino key names. The format and its validation are
// checkpoint.ts (bytes and parsed safetensors, used as they are in browsers).
// Official counterpart: main_dino.py save_on_master / utils.restart_from_checkpoint and
// utils.load_pretrained_weights.

import { writeFileAtomic } from '../io/atomic.js';
import { readSafetensorsFile, readSafetensorsHeaderFileSync } from '../io/safetensors-file.js';
import type { Backend } from '../tensor/backend.js';
import type { DinoRun } from './build.js';
import { metadataCount } from './checkpoint-check.js';
import {
  CHECKPOINT_FORMAT,
  type CheckpointMeta,
  type LoadBackboneOptions,
  type LoadedBackbone,
  type LoadedCheckpoint,
  backboneFromSafetensors,
  checkpointBytes,
  checkpointFromSafetensors,
} from './checkpoint.js';

export async function saveCheckpoint(
  path: string,
  run: DinoRun,
  meta: CheckpointMeta,
): Promise<void> {
  await writeFileAtomic(path, await checkpointBytes(run, meta, path));
}

/** Epoch and iteration of the checkpoint at `path` from its header alone; null when there is no
 * readable mini-dino checkpoint there. */
export function readCheckpointInfo(path: string): { epoch: number; iteration: number } | null {
  try {
    const { metadata: md } = readSafetensorsHeaderFileSync(path);
    if (md.format !== CHECKPOINT_FORMAT) return null;
    return {
      epoch: metadataCount(path, md, 'epoch'),
      iteration: metadataCount(path, md, 'iteration'),
    };
  } catch {
    return null;
  }
}

/** Reads one of our training checkpoints, validated before conversion (checkpoint.ts). */
export async function loadCheckpoint(
  path: string,
  opts: { backend?: Backend } = {},
): Promise<LoadedCheckpoint> {
  return checkpointFromSafetensors(await readSafetensorsFile(path), path, opts);
}

/** A VisionTransformer with weights from `path` (see backboneFromSafetensors). */
export async function loadBackbone(
  path: string,
  opts: LoadBackboneOptions = {},
): Promise<LoadedBackbone> {
  return backboneFromSafetensors(await readSafetensorsFile(path), path, opts);
}
