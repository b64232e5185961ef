// Checkpoint files on Node: the training checkpoint written atomically (temp file + rename, so a
// kill during a save keeps the last one) and read back, and a ViT backbone read from any
// safetensors file with official or mini-dino key names. The format and its validation are
// checkpoint.ts (bytes and parsed safetensors, used as they are in browsers).
// Official counterpart: main_dino.py save_on_master / utils.restart_from_checkpoint and
// utils.load_pretrained_weights.

import { writeFileAtomic } from '../io/atomic.js';
import { readSafetensorsFile } from '../io/safetensors-file.js';
import type { Backend } from '../tensor/backend.js';
import type { DinoRun } from './build.js';
import {
  type CheckpointMeta,
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

/** Reads one of our training checkpoints (clear errors for other files). */
export async function loadCheckpoint(
  path: string,
  opts: { backend?: Backend } = {},
): Promise<LoadedCheckpoint> {
  return checkpointFromSafetensors(await readSafetensorsFile(path), path, opts);
}

/** A VisionTransformer with weights from `path` (see backboneFromSafetensors). */
export async function loadBackbone(
  path: string,
  opts: { checkpointKey?: string; backend?: Backend } = {},
): Promise<LoadedBackbone> {
  return backboneFromSafetensors(await readSafetensorsFile(path), path, opts);
}
