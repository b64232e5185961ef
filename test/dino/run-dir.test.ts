// The output folder helpers on their own: nested creation, the lock's edge cases (an unreadable
// lock, a lock from another host, release only of our own lock) and which files count as temp
// files of interrupted saves. The CLI end of the same (test/cli/run-dir.test.ts) runs trainings.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atomicTempTarget, tempPathFor } from '../../src/io/atomic.js';
import {
  acquireRunLock,
  ensureOutDir,
  LOCK_FILE,
  removeStaleTempFiles,
  RunDirError,
} from '../../src/dino/run-dir.js';

const tmp = mkdtempSync(join(tmpdir(), 'mini-dino-rundir-'));

test('ensureOutDir: creates missing levels, accepts an existing folder, names a file in the way', () => {
  const deep = join(tmp, 'a', 'b', 'c');
  ensureOutDir(deep);
  ensureOutDir(deep);
  assert.ok(existsSync(deep));
  writeFileSync(join(tmp, 'file'), 'x');
  assert.throws(
    () => ensureOutDir(join(tmp, 'file', 'sub')),
    (e: Error) =>
      e instanceof RunDirError &&
      e.message.endsWith(`${join(tmp, 'file')} exists and is not a folder`),
  );
});

test('lock: ours is released (and only ours); an unreadable lock is taken over', () => {
  const dir = mkdtempSync(join(tmp, 'lock-'));
  const warnings: string[] = [];
  const lock = acquireRunLock(dir, (m) => warnings.push(m));
  const owner = JSON.parse(readFileSync(lock.path, 'utf8')) as { pid: number };
  assert.is(owner.pid, process.pid);
  // a second acquisition in the same process is refused too: this process is alive
  assert.throws(() => acquireRunLock(dir, () => {}), /is in use by another training/);
  lock.release();
  assert.not.ok(existsSync(lock.path));
  lock.release(); // twice: nothing
  writeFileSync(join(dir, LOCK_FILE), '{"pid": 12'); // a kill between open and write
  const again = acquireRunLock(dir, (m) => warnings.push(m));
  assert.equal(warnings, [
    `taking over the unreadable lock ${join(dir, LOCK_FILE)} (a training killed while starting)`,
  ]);
  // someone else's lock replaced ours meanwhile (by hand): release leaves it alone
  writeFileSync(again.path, JSON.stringify({ pid: 1, host: 'elsewhere', started: 'x' }));
  again.release();
  assert.ok(existsSync(again.path));
});

test('lock: a lock from another host is refused with a way out', () => {
  const dir = mkdtempSync(join(tmp, 'host-'));
  writeFileSync(
    join(dir, LOCK_FILE),
    JSON.stringify({ pid: 99999999, host: 'other-host', started: 'then' }),
  );
  assert.throws(
    () => acquireRunLock(dir, () => {}),
    (e: Error) =>
      e.message ===
      `output folder ${dir} is locked by a training on host other-host (PID 99999999, ` +
        `started then); if it no longer runs, delete ${join(dir, LOCK_FILE)}`,
  );
});

test('removeStaleTempFiles: only the temp files of atomic writes', () => {
  const dir = mkdtempSync(join(tmp, 'temp-'));
  const keep = ['checkpoint.safetensors', '.checkpoint.safetensors.tmp', 'x.1.0123abcd.tmp', '.a'];
  for (const n of keep) writeFileSync(join(dir, n), '');
  const stale = [
    tempPathFor(join(dir, 'checkpoint.safetensors')),
    tempPathFor(join(dir, 'log.jsonl')),
  ];
  for (const p of stale) writeFileSync(p, '');
  assert.equal(removeStaleTempFiles(dir).sort(), stale.map((p) => p.slice(dir.length + 1)).sort());
  assert.equal(readdirSync(dir).sort(), keep.sort());
  assert.is(atomicTempTarget('.log.jsonl.123.0123abcd.tmp'), 'log.jsonl');
  assert.is(atomicTempTarget('.log.jsonl.tmp'), null);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
