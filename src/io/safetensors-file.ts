// safetensors files on Node: read a file and parse it, or serialize and write it atomically
// (src/io/atomic.ts: a crash or kill during a save leaves the previous file intact). The format
// itself, from bytes and to bytes, is safetensors.ts, which browsers use without this module.
// Reference: https://github.com/huggingface/safetensors.

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic, writeFileAtomicSync } from './atomic.js';
import {
  type Safetensors,
  SafetensorsError,
  type TensorEntries,
  parseSafetensors,
  serializeSafetensors,
} from './safetensors.js';

export async function readSafetensorsFile(path: string): Promise<Safetensors> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new SafetensorsError(path, `cannot read the file (${(e as Error).message})`, {
      cause: e,
    });
  }
  return parseSafetensors(bytes, path);
}

export function readSafetensorsFileSync(path: string): Safetensors {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new SafetensorsError(path, `cannot read the file (${(e as Error).message})`, {
      cause: e,
    });
  }
  return parseSafetensors(bytes, path);
}

/** Writes atomically: a crash or kill during the save leaves the previous file intact. */
export async function writeSafetensorsFile(
  path: string,
  entries: TensorEntries,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(path, serializeSafetensors(entries, metadata, path));
}

export function writeSafetensorsFileSync(
  path: string,
  entries: TensorEntries,
  metadata?: Record<string, string>,
): void {
  writeFileAtomicSync(path, serializeSafetensors(entries, metadata, path));
}
