// The output folder of a training run (--out): created one level at a time with errors that name
// it, locked against a second training writing the same files, and cleaned of the temp files that
// killed saves leave behind. Official counterpart: main_dino.py only calls
// Path(args.output_dir).mkdir(parents=True, exist_ok=True) and lets two runs overwrite each other.
//
// Why not mkdirSync(dir, { recursive: true }): on a folder that cannot hold new entries but
// reports ENOENT for them (/proc/foo on Linux), Node's recursive mkdir retries forever in a
// synchronous loop that no signal can interrupt. Creating each missing level with a plain mkdir
// fails at once with the real error.
//
// The lock is a file `train.lock` holding the owner's PID and host. A second training into the
// same folder is refused while that process runs; a lock whose process is gone (a SIGKILL, a
// crash, a reboot) is taken over with a warning. On a folder shared between machines the PID
// cannot be checked, so a lock from another host is refused (the message says how to clear it).

import {
  accessSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { atomicTempTarget } from '../io/atomic.js';

export const LOCK_FILE = 'train.lock';

/** A problem with the output folder; the message names it. */
export class RunDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunDirError';
  }
}

const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/**
 * Makes sure `dir` is a writable folder, creating it and its missing parents one level at a
 * time. Throws a RunDirError naming the folder (never loops, never asks for a signal).
 */
export function ensureOutDir(dir: string): void {
  const abs = resolve(dir);
  const missing: string[] = [];
  let p = abs;
  for (;;) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      // ENOTDIR: a parent is a file, which the walk up reports
      if (code(e) !== 'ENOENT' && code(e) !== 'ENOTDIR')
        throw new RunDirError(`output folder ${dir}: cannot inspect ${p} (${code(e)})`);
      missing.unshift(p);
      const up = dirname(p);
      if (up === p) break;
      p = up;
      continue;
    }
    if (!st.isDirectory())
      throw new RunDirError(`output folder ${dir}: ${p} exists and is not a folder`);
    break;
  }
  for (const m of missing) {
    try {
      mkdirSync(m);
    } catch (e) {
      if (code(e) === 'EEXIST' && statSync(m).isDirectory()) continue; // made meanwhile
      throw new RunDirError(`output folder ${dir}: cannot create ${m} (${code(e)})`);
    }
  }
  try {
    accessSync(abs, constants.W_OK);
  } catch (e) {
    throw new RunDirError(`output folder ${dir}: not writable (${code(e)})`);
  }
}

interface LockOwner {
  pid: number;
  host: string;
  started: string;
}

/** Whether process `pid` exists on this machine (EPERM: it exists but belongs to someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return code(e) === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (!Number.isSafeInteger(o.pid) || (o.pid as number) <= 0 || typeof o.host !== 'string')
      return null;
    return { pid: o.pid as number, host: o.host, started: String(o.started ?? '?') };
  } catch {
    return null; // unreadable or half-written (a kill between open and write): stale
  }
}

export interface RunLock {
  path: string;
  /** Removes the lock file (once; later calls do nothing). */
  release(): void;
}

/**
 * Takes `dir/train.lock` for this process. Throws a RunDirError when another live training holds
 * it; takes over (with a `warn`) a lock whose process no longer runs. The lock is also released
 * when the process exits normally or through process.exit (a second Ctrl-C).
 */
export function acquireRunLock(dir: string, warn: (message: string) => void): RunLock {
  const path = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (e) {
      if (code(e) !== 'EEXIST' || attempt >= 3)
        throw new RunDirError(`output folder ${dir}: cannot create the lock ${path} (${code(e)})`);
      const owner = readOwner(path);
      if (owner && owner.host !== me.host)
        throw new RunDirError(
          `output folder ${dir} is locked by a training on host ${owner.host} (PID ` +
            `${owner.pid}, started ${owner.started}); if it no longer runs, delete ${path}`,
        );
      if (owner && alive(owner.pid))
        throw new RunDirError(
          `output folder ${dir} is in use by another training (PID ${owner.pid}, started ` +
            `${owner.started}; lock ${path}): wait for it to end or choose another --out`,
        );
      // Stale. Re-read just before removing it, so that a lock another process has just taken
      // over is not removed (the remaining race needs two takers within microseconds).
      const again = readOwner(path);
      if (JSON.stringify(again) !== JSON.stringify(owner)) continue;
      try {
        unlinkSync(path);
      } catch (e2) {
        if (code(e2) !== 'ENOENT') throw new RunDirError(`cannot remove ${path} (${code(e2)})`);
      }
      warn(
        owner
          ? `taking over the stale lock ${path} of PID ${owner.pid} (started ` +
              `${owner.started}), which no longer runs`
          : `taking over the unreadable lock ${path} (a training killed while starting)`,
      );
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me) + '\n');
    } finally {
      closeSync(fd);
    }
    break;
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    const owner = readOwner(path);
    if (owner && owner.pid === me.pid && owner.started === me.started) {
      try {
        unlinkSync(path);
      } catch {
        /* already gone */
      }
    }
  };
  process.on('exit', release);
  return { path, release };
}

/**
 * Removes the temp files that atomic writes killed mid-save left in `dir` (`.NAME.PID.HEX.tmp`,
 * src/io/atomic.ts). Call it while holding the lock: then no live writer owns them. Returns the
 * removed names.
 */
export function removeStaleTempFiles(dir: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (atomicTempTarget(name) === null) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch {
      /* gone meanwhile, or not ours to remove: left alone */
    }
  }
  return removed;
}

export interface RunDir {
  dir: string;
  lock: RunLock;
}

/** ensureOutDir + acquireRunLock + removeStaleTempFiles, with one message per thing done. */
export function openRunDir(dir: string, info: (message: string) => void): RunDir {
  ensureOutDir(dir);
  const lock = acquireRunLock(dir, (m) => info(`warning: ${m}`));
  const removed = removeStaleTempFiles(dir);
  if (removed.length > 0)
    info(
      `removed ${removed.length} temp file(s) of interrupted saves in ${dir} ` +
        `(${removed.slice(0, 3).join(', ')}${removed.length > 3 ? ', …' : ''})`,
    );
  return { dir, lock };
}
