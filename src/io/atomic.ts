// Atomic file writes for checkpoints: write a temp file in the target's directory, fsync it,
// rename it over the target, then fsync the directory (where the platform allows), so a crash,
// a kill or a full disk during a save never leaves a half-written file: readers see either the
// previous complete file or the new one. rename(2) is atomic within one file system, which is
// why the temp file lives next to the target. On error the temp file is removed; after a
// SIGKILL it may remain as `.NAME.PID.RANDOM.tmp` next to the target (never under NAME itself).

import {
  closeSync,
  copyFileSync,
  fsyncSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** The temp-file name used for `path` (exported for tests and for cleaning up stale files). */
export function tempPathFor(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
}

/** Whether `name` (a bare file name) is a temp file left by an interrupted atomic write of
 * `target`. */
export function isTempFileOf(name: string, target: string): boolean {
  const base = basename(target);
  return (
    name.startsWith(`.${base}.`) && /^\.\d+\.[0-9a-f]{8}\.tmp$/.test(name.slice(base.length + 1))
  );
}

/** The target name of a temp file left by an interrupted atomic write (`.NAME.PID.HEX.tmp` ->
 * `NAME`), or null when `name` is not such a file. */
export function atomicTempTarget(name: string): string | null {
  const m = /^\.(.+)\.\d+\.[0-9a-f]{8}\.tmp$/.exec(name);
  return m ? m[1] : null;
}

/** Copies `from` to `to` atomically: a kill during the copy never leaves a partial `to`. */
export function copyFileAtomicSync(from: string, to: string): void {
  const tmp = tempPathFor(to);
  try {
    copyFileSync(from, tmp);
    const fd = openSync(tmp, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, to);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* it may not exist */
    }
    throw e;
  }
  syncDirectorySync(dirname(to));
}

/** Writes `data` to `path` atomically (see the file header). */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = tempPathFor(path);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let handle: Awaited<ReturnType<typeof open>> | null = null;
  try {
    handle = await open(tmp, 'wx', 0o644);
    let off = 0;
    while (off < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, off, bytes.length - off);
      off += bytesWritten;
    }
    await handle.sync();
    await handle.close();
    handle = null;
    await rename(tmp, path);
  } catch (e) {
    if (handle) await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await syncDirectory(dirname(path));
}

/** Synchronous twin of writeFileAtomic. */
export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  const tmp = tempPathFor(path);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* it may not exist */
    }
    throw e;
  }
  syncDirectorySync(dirname(path));
}

// Making the rename itself durable needs an fsync of the directory. Linux and macOS allow it;
// Windows cannot open a directory this way (EISDIR / EPERM), where it is skipped.
async function syncDirectory(dir: string): Promise<void> {
  try {
    const h = await open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    /* not supported on this platform */
  }
}

function syncDirectorySync(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* not supported on this platform */
  }
}
