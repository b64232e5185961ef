// safetensors files on Node: read a file and parse it, or serialize and write it atomically
// (src/io/atomic.ts: a crash or kill during a save leaves the previous file intact). The format
// itself, from bytes and to bytes, is safetensors.ts, which browsers use without this module.
// Reference: https://github.com/huggingface/safetensors.

import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic, writeFileAtomicSync } from './atomic.js';
import {
  MAX_HEADER_BYTES,
  type Safetensors,
  SafetensorsError,
  type SafetensorsHeader,
  type TensorEntries,
  parseSafetensors,
  parseSafetensorsHeaderOfFile,
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

/** The validated header of a file, reading only the header's bytes (a checkpoint's epoch and
 * iteration without loading its weights). */
export function readSafetensorsHeaderFileSync(path: string): SafetensorsHeader {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const head = new Uint8Array(8);
    readSync(fd, head, 0, 8, 0);
    const n = new DataView(head.buffer).getBigUint64(0, true);
    const len = Number(n > BigInt(MAX_HEADER_BYTES) ? 0n : n);
    const bytes = new Uint8Array(8 + Math.min(len, Math.max(0, size - 8)));
    readSync(fd, bytes, 0, bytes.length, 0);
    return parseSafetensorsHeaderOfFile(bytes, size, path);
  } catch (e) {
    if (e instanceof SafetensorsError) throw e;
    throw new SafetensorsError(path, `cannot read the file (${(e as Error).message})`, {
      cause: e,
    });
  } finally {
    if (fd !== null) closeSync(fd);
  }
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
