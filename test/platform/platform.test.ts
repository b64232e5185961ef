// The platform seam: Node is detected, settings come from the environment there and from a plain
// object in a browser, a worker thread runs a function's source with its data, and
// MINI_DINO_DEBUG is read when the first kernel runs, not on import.
import { spawnSync } from 'node:child_process';
import { availableParallelism, totalmem } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { browserPlatform } from '../../src/platform/browser.js';
import { envFlag, platform, setPlatform } from '../../src/platform/index.js';

test('Node is detected: environment, cores and memory come from the process', () => {
  const p = platform();
  assert.is(p.name, 'node');
  process.env.MINI_DINO_TEST_SETTING = 'x7';
  assert.is(p.env('MINI_DINO_TEST_SETTING'), 'x7');
  delete process.env.MINI_DINO_TEST_SETTING;
  assert.is(p.env('MINI_DINO_TEST_SETTING'), undefined);
  assert.is(p.cores(), availableParallelism());
  assert.is(p.totalMemory(), totalmem());
});

test('a browser platform reads its settings object; setPlatform replaces the detected one', () => {
  const node = platform();
  try {
    setPlatform(browserPlatform({ MINI_DINO_DEBUG: '1', MINI_DINO_OFF: '0' }));
    assert.is(platform().name, 'browser');
    assert.ok(envFlag('MINI_DINO_DEBUG'));
    assert.not.ok(envFlag('MINI_DINO_OFF'));
    assert.not.ok(envFlag('MINI_DINO_UNSET'));
    assert.ok(platform().cores() >= 1);
    assert.ok(platform().totalMemory() >= 2 ** 30);
  } finally {
    setPlatform(node);
  }
});

test('startWorker runs a self-contained function with the data on another thread', () => {
  const flag = new Int32Array(new SharedArrayBuffer(8));
  const main = (data: { flag: Int32Array; value: number }) => {
    Atomics.store(data.flag, 1, data.value * 2);
    Atomics.store(data.flag, 0, 1);
    Atomics.notify(data.flag, 0);
  };
  const w = platform().startWorker(main.toString(), { flag, value: 21 });
  const deadline = Date.now() + 20000;
  while (Atomics.load(flag, 0) === 0 && Date.now() < deadline) Atomics.wait(flag, 0, 0, 50);
  w.terminate();
  assert.is(Atomics.load(flag, 1), 42);
});

test('MINI_DINO_DEBUG=1 logs each kernel with op, backend, dtype and shape', () => {
  const code =
    "import { tensor, exp } from './src/index.ts';" +
    "exp(tensor([[1, 2, 3]], { dtype: 'float64' }));";
  const run = (debug: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      env: { ...process.env, MINI_DINO_DEBUG: debug },
      encoding: 'utf8',
    });
  const on = run('1');
  assert.is(on.status, 0, on.stderr);
  assert.match(on.stderr, /mini-dino: exp cpu float64 -> \[1, 3\] \d+\.\d{3} ms/);
  const off = run('0');
  assert.is(off.status, 0, off.stderr);
  assert.not.match(off.stderr, /exp cpu/);
});

test.run();
