// What one DINO training step asks of the gpu backend: kernel launches (dispatches), host→device
// copies and readbacks, counted by the gpu runtime (src/tensor/gpu/runtime.ts, GpuCounters) for
// the bench configurations (src/dino/bench-step.ts), with the kernels that launch most. On a real
// GPU each dispatch costs a submit whatever its size, so for the small models of this project the
// count, more than the arithmetic, sets the step time; readbacks stall the queue.
// Usage: npm run bench:dispatches [-- --configs recipe,small] [--steps N] [--top N] [--profile]
//        [--null] [--json]
// The mode is MINI_DINO_GPU_MODE (webgpu on SwiftShader: see README "Running on a GPU"); the
// counts are the same in every mode, only the time differs. --profile (webgpu) waits for every
// kernel on its own and lists the kernels that take longest (the step is much slower then).

import { benchConfig, type BenchConfigName } from '../src/dino/bench-step.js';
import { buildDino } from '../src/dino/build.js';
import { hyperAt, trainStep } from '../src/dino/train-step.js';
import { randn, tensor } from '../src/tensor/creation.js';
import { cpu } from '../src/tensor/cpu/index.js';
import type { GpuBackend } from '../src/tensor/gpu/index.js';
import { Generator } from '../src/tensor/random.js';
import { selectBackend } from '../src/tensor/select.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const configs = (arg('configs') ?? 'recipe,small').split(',') as BenchConfigName[];
const steps = Number(arg('steps') ?? 2);
const top = Number(arg('top') ?? 12);
const json = process.argv.includes('--json');
const profile = process.argv.includes('--profile');
// Dawn's null backend: webgpu mode whose kernels compile but never run, so the counts of a
// config too slow for SwiftShader come in seconds (identical to a real run's: nothing a step
// launches depends on the values; the times are meaningless)
const nullDevice = process.argv.includes('--null');
const log = json ? (s: string) => process.stderr.write(s + '\n') : (s: string) => console.log(s);

const gpu = (await selectBackend(
  'gpu',
  nullDevice ? { mode: 'webgpu', webgpuFlags: ['backend=null'], profile } : { profile },
)) as GpuBackend;
log(`backend: ${gpu.describe()}`);
const rows: object[] = [];

for (const name of configs) {
  const { config, inChans } = benchConfig(name);
  const run = buildDino(config, { inChans, itersPerEpoch: 1000 }, { backend: gpu });
  const g = new Generator(1);
  const B = config.batchSize;
  const sizes = [
    ...[0, 1].map(() => config.globalCropSize),
    ...Array.from({ length: config.localCropsNumber }, () => config.localCropSize),
  ];
  const rt = gpu.rt;
  const c = rt.counters;
  // host crops, uploaded inside each measured step as the trainer does
  const cropData = sizes.map((s) => randn([B, inChans, s, s], { generator: g, backend: cpu }));
  let it = 0;
  const once = async () => {
    const crops = cropData.map((d) =>
      tensor(d.dataSync() as Float32Array, { shape: d.shape, backend: gpu }),
    );
    await trainStep(run, crops, hyperAt(run, it, 0), 0, it++);
    for (const t of crops) t.dispose();
  };
  await once(); // warm-up: kernels are built, the optimizer state is created
  await gpu.sync();
  rt.profile?.clear();
  const before = { ...c };
  const built = rt.kernelsBuilt;
  const byKernel = new Map(rt.dispatchesByKernel);
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) await once();
  await gpu.sync();
  const ms = (performance.now() - t0) / steps;
  const per = (k: keyof typeof c) => (c[k] - before[k]) / steps;
  const kernels = [...rt.dispatchesByKernel]
    .map(([k, n]) => [k, (n - (byKernel.get(k) ?? 0)) / steps] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const row = {
    config: name,
    mode: gpu.mode,
    adapter: nullDevice ? "Dawn's null backend (counts only)" : gpu.adapter,
    dispatches: per('dispatches'),
    uploads: per('uploads'),
    bytesUploaded: per('bytesUploaded'),
    reads: per('reads'),
    bytesRead: per('bytesRead'),
    msPerStep: ms,
    kernelsBuilt: (rt.kernelsBuilt - built) / steps,
    kernelsCached: rt.kernelsCached,
    rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    kernels: Object.fromEntries(kernels),
  };
  rows.push(row);
  log(
    `${name}: ${row.dispatches} dispatches, ${row.uploads} uploads (${row.bytesUploaded} B), ` +
      `${row.reads} reads (${row.bytesRead} B) per step; ${ms.toFixed(0)} ms/step, ` +
      `${row.kernelsBuilt} kernels built per step (${row.kernelsCached} cached), ` +
      `${row.rssMB} MB resident`,
  );
  log(
    '  most launched: ' +
      kernels
        .slice(0, top)
        .map(([k, n]) => `${k} ${n}`)
        .join(', '),
  );
  if (rt.profile) {
    const slow = [...rt.profile].sort((a, b) => b[1] - a[1]).slice(0, top);
    log(
      '  slowest (ms per step): ' +
        slow.map(([k, t]) => `${k} ${(t / steps).toFixed(1)}`).join(', '),
    );
  }
}
if (json) console.log(JSON.stringify(rows, null, 2));
