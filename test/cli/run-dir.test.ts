// `mini-dino train` and its output folder under hostile conditions: an --out that cannot be
// created (/proc/foo made Node's recursive mkdir spin forever), a stop request while no step
// runs (it ends the process at once instead of being held for a step that never comes), a second
// training into a locked folder (refused while the owner lives, taken over with a warning when
// it is gone), and temp files of killed saves (removed on start).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE } from '../../src/dino/run-dir.js';
import {
  expectExit,
  makeTinyIdx,
  removeDir,
  runCli,
  startCli,
  tempDir,
  TINY_MODEL,
} from './helpers.js';

const root = tempDir('rundir');
const data = makeTinyIdx(join(root, 'data'), 64, 16);
const args = (out: string, ...more: string[]) => [
  'train',
  '--data',
  data,
  '--out',
  out,
  '--backend',
  'wasm',
  '--epochs',
  '1',
  '--batch-size',
  '16',
  '--knn-every',
  '0',
  '--quiet',
  ...TINY_MODEL,
  ...more,
];

test('--out that cannot be created: one line naming it, exit 2, within seconds', async () => {
  const cases: [string, RegExp][] = [
    ['package.json', /^mini-dino train: --out: output folder package\.json: .* is not a folder$/],
    [
      'package.json/sub',
      /^mini-dino train: --out: output folder package\.json\/sub: .* is not a folder$/,
    ],
  ];
  // Linux: mkdir under /proc answers ENOENT, on which Node's recursive mkdir retried forever.
  if (existsSync('/proc/self'))
    cases.push([
      '/proc/mini-dino-test/run',
      /^mini-dino train: --out: output folder \/proc\/mini-dino-test\/run: cannot create \/proc\/mini-dino-test \(ENOENT\)$/,
    ]);
  for (const [out, re] of cases) {
    const run = startCli(args(out));
    const timer = setTimeout(() => run.child.kill('SIGKILL'), 30_000);
    const r = await run.done;
    clearTimeout(timer);
    expectExit(r, 2, `--out ${out}`);
    assert.match(r.stderr.trim(), re);
  }
});

test('a stop request before the first step ends the process at once', async () => {
  // --resume reads OUT/checkpoint.safetensors before any step; a named pipe that nobody writes
  // keeps that read waiting. SIGTERM must end the process now (it used to be held for a step).
  const out = join(root, 'fifo');
  mkdirSync(out);
  execFileSync('mkfifo', [join(out, 'checkpoint.safetensors')]);
  const run = startCli(args(out, '--resume'));
  await run.waitFor(/1 epochs of batch 16/);
  await new Promise((r) => setTimeout(r, 300)); // into the read
  run.child.kill('SIGTERM');
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 10_000);
  const r = await run.done;
  clearTimeout(timer);
  // ended by the signal itself (a held process would be SIGKILLed by the timer after 10 s)
  assert.is(r.signal, 'SIGTERM', `exit ${r.code ?? r.signal}:\n${r.stderr}`);
});

test('lock: refused while its process runs, taken over with a warning once it is gone', async () => {
  const out = join(root, 'locked');
  mkdirSync(out);
  const lock = join(out, LOCK_FILE);
  const other = spawn('sleep', ['60']);
  const owner = { pid: other.pid, host: hostname(), started: '2026-01-01T00:00:00.000Z' };
  writeFileSync(lock, JSON.stringify(owner));
  try {
    const r = await runCli(args(out));
    expectExit(r, 1, 'train into a locked folder');
    assert.match(
      r.stderr,
      new RegExp(
        `mini-dino train: output folder ${out} is in use by another training \\(PID ` +
          `${other.pid}, started 2026-01-01T00:00:00.000Z; lock ${lock}\\)`,
      ),
    );
    assert.not.ok(existsSync(join(out, 'log.jsonl')), 'nothing written');
  } finally {
    other.kill('SIGKILL');
  }
  await new Promise((r) => other.on('exit', r));
  // and two temp files of killed saves, as a SIGKILL during a save leaves them
  writeFileSync(join(out, '.checkpoint.safetensors.4242.0123abcd.tmp'), 'partial');
  writeFileSync(join(out, '.log.jsonl.4242.89abcdef.tmp'), 'partial');
  const r = await runCli(args(out));
  expectExit(r, 0, 'train after the owner is gone');
  assert.match(
    r.stdout,
    new RegExp(`warning: taking over the stale lock ${lock} of PID ${other.pid} \\(started`),
  );
  assert.match(r.stdout, /removed 2 temp file\(s\) of interrupted saves/);
  assert.equal(
    readdirSync(out).sort(),
    ['checkpoint.safetensors', 'log.jsonl', 'training.svg'],
    'lock released, temp files gone',
  );
});

test('two trainings into one --out: the second is refused, the first finishes', async () => {
  const out = join(root, 'twice');
  // the first runs on the (slower) cpu reference, so that it is still training when the second
  // starts: on wasm, 3 epochs of this tiny run can end before a second process is up
  const first = startCli(args(out, '--epochs', '3', '--backend', 'cpu'));
  await first.waitFor(/1 epochs|3 epochs/);
  // the lock is taken when training starts; wait for it
  for (let i = 0; i < 200 && !existsSync(join(out, LOCK_FILE)); i++)
    await new Promise((r) => setTimeout(r, 50));
  const second = await runCli(args(out));
  const a = await first.done;
  expectExit(second, 1, 'second training');
  assert.match(second.stderr, /is in use by another training \(PID \d+/);
  expectExit(a, 0, 'first training');
  assert.not.ok(existsSync(join(out, LOCK_FILE)), 'released');
});

test.after(() => removeDir(root));
test.run();
