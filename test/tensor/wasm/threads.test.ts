// The wasm backend's worker threads (src/tensor/wasm/threads.ts, worker.ts): as many as asked,
// large kernels split over them in chunks and small ones not, a kernel that fails on any thread
// is an error on the calling thread (and the pool still works afterwards), the thread count
// comes from MINI_DINO_THREADS, and a process exits normally with its workers parked in
// Atomics.wait.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configuredThreads, createWasmBackend } from '../../../src/tensor/wasm/index.js';

const k = await createWasmBackend({ threads: 3 });
const pool = k.rt.pool!;

test('three threads are started and described; setThreads clamps to them', () => {
  assert.is(k.threads, 3);
  assert.match(k.describe(), /3 threads/);
  k.setThreads(8);
  assert.is(k.threads, 3);
  k.setThreads(0);
  assert.is(k.threads, 1);
  k.setThreads(3);
});

test('a large kernel is split over the threads, a small one stays on this thread', () => {
  const big = k.upload(new Float32Array(1 << 18).fill(1.5));
  const tasks = pool.tasks;
  const y = k.exp(big);
  assert.is(pool.tasks, tasks + 1);
  assert.is(k.readSync(y)[(1 << 18) - 1], Math.fround(Math.exp(1.5)));
  const small = k.upload(new Float32Array(100).fill(1));
  k.exp(small);
  assert.is(pool.tasks, tasks + 1);
});

test('a kernel that traps, here or on a worker, is an error here; the pool keeps working', () => {
  const rt = k.rt;
  const fill = rt.fns.fill;
  const beyond = rt.memory.buffer.byteLength + 4096; // an address past the memory
  // every chunk writes past the memory; whichever thread takes one, the call fails here
  for (let i = 0; i < 20; i++) {
    assert.throws(
      () => pool.run(rt.kernelIndex('fill'), fill, [beyond, 1], [0, 16, 32, 48, 64]),
      /memory access out of bounds|wasm backend: fill failed on a worker thread/,
    );
  }
  const x = k.upload(new Float32Array(1 << 18).fill(2));
  assert.is(k.readSync(k.sqrt(k.mul(x, x, [1 << 18], [1], [1])))[12345], 2);
});

test('MINI_DINO_THREADS sets the thread count; a process with workers exits normally', () => {
  process.env.MINI_DINO_THREADS = '2';
  assert.is(configuredThreads(), 2);
  delete process.env.MINI_DINO_THREADS;
  const code =
    "import { createWasmBackend } from './src/tensor/wasm/index.ts';" +
    'const k = await createWasmBackend({ threads: 3 });' +
    'const x = k.upload(new Float32Array(1 << 18).fill(1)); k.exp(x); console.log(k.threads);';
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
    timeout: 60000,
  });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), '3');
  assert.ok(Date.now() - t0 < 60000);
});

test.run();
