// Atomic writes: a process SIGKILLed while it repeatedly saves a large checkpoint never leaves the
// target unreadable (the last complete save still parses, every element consistent); the same
// check run on an in-place writer catches a torn file; temp files are cleaned up on errors.
// Reference: rename(2) atomicity; safetensors format https://github.com/huggingface/safetensors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTempFileOf, writeFileAtomic, writeFileAtomicSync } from '../../src/io/atomic.js';
import { parseSafetensors } from '../../src/io/safetensors.js';

const ELEMENTS = 1_000_000; // 4 MB

/**
 * Runs the saver child in `dir` and SIGKILLs it `delayMs` after it announces save number
 * `atWrite` (so at least one complete save exists). Resolves with the target's path.
 */
function saveAndKill(
  dir: string,
  atWrite: number,
  delayMs: number,
  env: Record<string, string> = {},
): Promise<string> {
  const path = join(dir, 'checkpoint.safetensors');
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/io/atomic-child.ts', path, String(ELEMENTS)],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(`writing ${atWrite}\n`)) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve(path) : reject(new Error(`child exited with ${code}: ${err}`)),
    );
  });
}

/** The iteration number of a complete save at `path`; throws if the file is torn or mixed. */
function readSave(path: string): number {
  const st = parseSafetensors(readFileSync(path), path);
  const it = Number(st.metadata.iteration);
  const w = st.tensors.get('w')!.data;
  assert.is(w.length, ELEMENTS);
  for (let i = 0; i < w.length; i += 997)
    if (w[i] !== it) assert.unreachable(`element ${i} is ${w[i]}, not ${it}: a mixed file`);
  assert.is(w[w.length - 1], it);
  return it;
}

async function inTempDirs<T>(n: number, fn: (dirs: string[]) => Promise<T>): Promise<T> {
  const dirs = Array.from({ length: n }, () => mkdtempSync(join(tmpdir(), 'mini-dino-atomic-')));
  try {
    return await fn(dirs);
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

test(
  'SIGKILL during repeated atomic saves leaves the previous or the ' + 'new complete file',
  async () => {
    // Two kills at different moments of a save, run side by side; then one in-place writer, to
    // show that this check does catch a writer that is not atomic.
    const rounds: [number, number, boolean][] = [
      [2, 0, false],
      [3, 3, false],
      [2, 10, true],
    ];
    await inTempDirs(rounds.length, async (dirs) => {
      const paths = await Promise.all(
        rounds.map(([at, delay, inPlace], i) =>
          saveAndKill(dirs[i], at, delay, inPlace ? { MINI_DINO_TEST_NONATOMIC: '1' } : {}),
        ),
      );
      rounds.forEach(([at, , inPlace], i) => {
        if (inPlace) {
          assert.throws(
            () => readSave(paths[i]),
            /safetensors: .*(header length|hole|beyond|too short)/,
            'the in-place writer left a complete file',
          );
          return;
        }
        const it = readSave(paths[i]);
        assert.ok(
          it === at - 1 || it === at,
          `round ${i}: iteration ${it}, expected ${at - 1} or ${at}`,
        );
        // Killed mid-save, a temp file may remain next to the target, recognisable as such.
        for (const name of readdirSync(dirs[i]))
          assert.ok(name === 'checkpoint.safetensors' || isTempFileOf(name, paths[i]), name);
      });
    });
  },
);

test('writeFileAtomic: overwrites, writes strings, leaves no temp file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mini-dino-atomic-'));
  try {
    const path = join(dir, 'a.json');
    await writeFileAtomic(path, '{"a":1}');
    await writeFileAtomic(path, new Uint8Array([0x7b, 0x7d]));
    assert.is(readFileSync(path, 'utf8'), '{}');
    writeFileAtomicSync(path, 'sync');
    assert.is(readFileSync(path, 'utf8'), 'sync');
    assert.equal(readdirSync(dir), ['a.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeFileAtomic: on error the target is untouched and the temp file removed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mini-dino-atomic-'));
  try {
    // The target is a non-empty directory: rename fails after the temp file was written.
    const target = join(dir, 'ckpt');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    let failed = 0;
    await writeFileAtomic(target, 'data').catch(() => failed++);
    try {
      writeFileAtomicSync(target, 'data');
    } catch {
      failed++;
    }
    assert.is(failed, 2);
    assert.equal(readdirSync(dir), ['ckpt']);
    assert.equal(readdirSync(target), ['keep']);
    // A missing directory: the open fails, nothing is created.
    await writeFileAtomic(join(dir, 'no', 'x'), 'data').then(
      () => assert.unreachable('wrote'),
      (e: Error) => assert.match(e.message, /ENOENT/),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
