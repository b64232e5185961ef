// Where a training step spends its time on the wasm backend: every kernel call of a few `recipe`
// (or `tiny`, `small`) steps is timed by wrapping the backend's kernel methods, and summed per
// kernel; the rest of the step (autograd bookkeeping, JavaScript around the kernels, garbage
// collection) is the step time minus the kernels. Thread utilisation comes from the worker pool's
// counters: the share of kernel time spent in calls that were split over the threads, and the
// share of the split work that the worker threads (not this thread) ran.
// Usage: npm run bench:profile [-- --config recipe|tiny|small] [--steps N] [--json]
// Timing every call adds a little overhead (performance.now() twice per kernel).

import { benchConfig, type BenchConfigName } from '../src/dino/bench-step.js';
import { buildDino } from '../src/dino/build.js';
import { hyperAt, trainStep } from '../src/dino/train-step.js';
import { randn } from '../src/tensor/creation.js';
import { Generator } from '../src/tensor/random.js';
import { selectBackend } from '../src/tensor/select.js';
import { keep } from '../src/tensor/tensor.js';
import type { WasmBackend } from '../src/tensor/wasm/index.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const name = (arg('config') ?? 'recipe') as BenchConfigName;
const steps = Number(arg('steps') ?? 10);
const json = process.argv.includes('--json');

const backend = (await selectBackend('wasm')) as WasmBackend;
const pool = backend.rt.pool;

// ---- wrap every kernel method: time per call, and whether the pool split it
interface Tally {
  calls: number;
  ms: number;
  splitMs: number;
}
const tally = new Map<string, Tally>();
let recording = false;
const NOT_KERNELS = new Set(['describe', 'supportsDtype', 'setThreads', 'constructor']);
const proto = Object.getPrototypeOf(backend) as Record<string, unknown>;
for (const key of Object.getOwnPropertyNames(proto)) {
  const f = proto[key];
  if (typeof f !== 'function' || NOT_KERNELS.has(key)) continue;
  const original = f as (...a: unknown[]) => unknown;
  (backend as unknown as Record<string, unknown>)[key] = function (...args: unknown[]) {
    if (!recording) return original.apply(backend, args);
    const tasks = pool?.tasks ?? 0;
    const t0 = performance.now();
    const out = original.apply(backend, args);
    const ms = performance.now() - t0;
    let t = tally.get(key);
    if (!t) tally.set(key, (t = { calls: 0, ms: 0, splitMs: 0 }));
    t.calls++;
    t.ms += ms;
    if ((pool?.tasks ?? 0) > tasks) t.splitMs += ms;
    return out;
  };
}

const { config, inChans } = benchConfig(name);
const run = buildDino(config, { inChans, itersPerEpoch: 1000 }, { backend });
const g = new Generator(1);
const B = config.batchSize;
const size = (i: number) => (i < 2 ? config.globalCropSize : config.localCropSize);
const crops = Array.from({ length: 2 + config.localCropsNumber }, (_, i) =>
  keep(randn([B, inChans, size(i), size(i)], { backend, generator: g })),
);
let it = 0;
for (let w = 0; w < 2; w++) await trainStep(run, crops, hyperAt(run, it, 0), 0, it++);

recording = true;
const units0 = { total: pool?.totalUnits ?? 0, main: pool?.mainUnits ?? 0 };
const t0 = performance.now();
for (let s = 0; s < steps; s++) await trainStep(run, crops, hyperAt(run, it, 0), 0, it++);
const stepMs = (performance.now() - t0) / steps;
recording = false;

const kernels = [...tally.entries()]
  .map(([kernel, t]) => ({ kernel, calls: t.calls / steps, ms: t.ms / steps, split: t.splitMs }))
  .sort((a, b) => b.ms - a.ms);
const kernelMs = kernels.reduce((s, k) => s + k.ms, 0);
const splitMs = kernels.reduce((s, k) => s + k.split, 0) / steps;
const totalUnits = (pool?.totalUnits ?? 0) - units0.total;
const workerShare = totalUnits ? 1 - ((pool?.mainUnits ?? 0) - units0.main) / totalUnits : 0;
const report = {
  config: name,
  backend: backend.describe(),
  steps,
  msPerStep: stepMs,
  kernels: kernels.map((k) => ({
    kernel: k.kernel,
    callsPerStep: k.calls,
    msPerStep: k.ms,
    share: k.ms / stepMs,
    splitShare: k.ms ? k.split / steps / k.ms : 0,
  })),
  outsideKernels: { msPerStep: stepMs - kernelMs, share: 1 - kernelMs / stepMs },
  threads: backend.threads,
  splitShareOfKernelTime: kernelMs ? splitMs / kernelMs : 0,
  workerShareOfSplitWork: workerShare,
};

if (json) console.log(JSON.stringify(report));
else {
  console.log(`${name} on ${report.backend}: ${stepMs.toFixed(1)} ms per step (${steps} steps)`);
  console.log('kernel              calls/step   ms/step   share   split over threads');
  for (const k of report.kernels)
    console.log(
      `${k.kernel.padEnd(20)}${k.callsPerStep.toFixed(0).padStart(10)}${k.msPerStep
        .toFixed(1)
        .padStart(10)}${(100 * k.share).toFixed(1).padStart(7)}%${(100 * k.splitShare)
        .toFixed(0)
        .padStart(8)}%`,
    );
  console.log(
    `outside kernels (autograd, JS, GC): ${report.outsideKernels.msPerStep.toFixed(1)} ms, ` +
      `${(100 * report.outsideKernels.share).toFixed(1)}%`,
  );
  console.log(
    `threads ${report.threads}: ${(100 * report.splitShareOfKernelTime).toFixed(0)}% of kernel ` +
      `time in split calls; workers ran ${(100 * workerShare).toFixed(0)}% of the split work`,
  );
}
