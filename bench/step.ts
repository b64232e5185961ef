// One full DINO training step (teacher forward, student forward, loss, backward, clip, AdamW,
// EMA, center) for the configurations `tiny`, `small` and the README `recipe`, on
// each backend, and the same configurations through the PyTorch reference's `bench` mode in the
// same run (tools/torch_dino.py, tuned as its header says), reported as ratios.
// Also where our time goes: teacher forward, student forward, loss, backward, update.
// Usage: npm run bench:step [-- --configs tiny,small,recipe] [--backends wasm,cpu,gpu] [--steps N]
//        [--no-torch] [--json]
// tinybench times each step; the phase split comes from a timePhases observer (exact on cpu).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { benchConfig, type BenchConfigName } from '../src/dino/bench-step.js';
import { buildDino } from '../src/dino/build.js';
import { hyperAt, type StepTimings, timePhases, trainStep } from '../src/dino/train-step.js';
import { randn } from '../src/tensor/creation.js';
import { Generator } from '../src/tensor/random.js';
import { selectBackend } from '../src/tensor/select.js';
import { keep } from '../src/tensor/tensor.js';
import { torchEnv, torchReference } from './reference.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const configs = (arg('configs') ?? 'tiny,small,recipe').split(',') as BenchConfigName[];
const backends = (arg('backends') ?? 'wasm').split(',') as ('cpu' | 'wasm' | 'gpu')[];
const steps = Number(arg('steps') ?? 5);
const json = process.argv.includes('--json');
const log = json ? (s: string) => process.stderr.write(s + '\n') : (s: string) => console.log(s);

interface Row {
  config: string;
  backend: string;
  msPerStep: number;
  imgPerSec: number;
  phases?: StepTimings;
}
const rows: Row[] = [];

for (const backendName of backends) {
  const backend = await selectBackend(backendName);
  for (const name of configs) {
    const { config, inChans } = benchConfig(name);
    const run = buildDino(config, { inChans, itersPerEpoch: 1000 }, { backend });
    const g = new Generator(1);
    const B = config.batchSize;
    const crops = [
      ...[0, 1].map(() =>
        randn([B, inChans, config.globalCropSize, config.globalCropSize], {
          backend,
          generator: g,
        }),
      ),
      ...Array.from({ length: config.localCropsNumber }, () =>
        randn([B, inChans, config.localCropSize, config.localCropSize], { backend, generator: g }),
      ),
    ].map((t) => keep(t));
    let it = 0;
    const phases: StepTimings = { teacher: 0, student: 0, loss: 0, backward: 0, update: 0 };
    // warm-up
    for (let w = 0; w < 2; w++) await trainStep(run, crops, hyperAt(run, it, 0), 0, it++);
    const bench = new Bench({ iterations: steps, time: 0, warmup: false });
    bench.add(`${name} ${backendName}`, async () => {
      await trainStep(run, crops, hyperAt(run, it, 0), 0, it++, timePhases(phases));
    });
    await bench.run();
    const r = bench.tasks[0].result as { latency?: { p50?: number; mean: number } };
    const ms = r.latency?.p50 ?? r.latency?.mean ?? NaN;
    const n = bench.tasks[0].runs || steps;
    for (const k of Object.keys(phases) as (keyof StepTimings)[]) phases[k] /= n;
    rows.push({
      config: name,
      backend: backend.describe(),
      msPerStep: ms,
      imgPerSec: (1000 * B) / ms,
      phases,
    });
    log(
      `${name.padEnd(6)} ${backend.describe().padEnd(40)} ${ms.toFixed(0).padStart(7)} ` +
        `ms/step  ${((1000 * B) / ms).toFixed(1).padStart(7)} img/s  ` +
        Object.entries(phases)
          .map(([k, v]) => `${k} ${v.toFixed(0)}`)
          .join(', '),
    );
    for (const c of crops) c.dispose();
  }
}

// The PyTorch yardstick, same configurations, same machine, same run.
const torchScript = torchReference();
const torchFlags: Record<BenchConfigName, string[]> = {
  tiny: [
    '--img',
    '28',
    '--patch',
    '4',
    '--dim',
    '64',
    '--depth',
    '4',
    '--heads',
    '4',
    '--out-dim',
    '1024',
    '--head-hidden',
    '2048',
    '--head-bottleneck',
    '256',
    '--batch',
    '32',
    '--local-crops',
    '4',
    '--local-img',
    '12',
  ],
  small: [
    '--img',
    '32',
    '--patch',
    '4',
    '--dim',
    '192',
    '--depth',
    '6',
    '--heads',
    '3',
    '--out-dim',
    '4096',
    '--head-hidden',
    '2048',
    '--head-bottleneck',
    '256',
    '--batch',
    '64',
    '--local-crops',
    '6',
    '--local-img',
    '16',
  ],
  recipe: [
    '--in-chans',
    '1',
    '--img',
    '28',
    '--patch',
    '7',
    '--dim',
    '64',
    '--depth',
    '4',
    '--heads',
    '4',
    '--out-dim',
    '1024',
    '--head-hidden',
    '256',
    '--head-bottleneck',
    '64',
    '--batch',
    '64',
    '--local-crops',
    '4',
    '--local-img',
    '14',
    '--clip-grad',
    '3.0',
  ],
};
if (!process.argv.includes('--no-torch') && torchScript) {
  const env = torchEnv();
  for (const name of configs) {
    const out = join(mkdtempSync(join(tmpdir(), 'mini-dino-torch-')), 'r.jsonl');
    const p = spawnSync(
      '/usr/bin/python3',
      [
        torchScript,
        'bench',
        ...torchFlags[name],
        '--steps',
        String(steps),
        '--json-out',
        out,
        '--fwd-steps',
        '0',
      ],
      { env, encoding: 'utf8' },
    );
    if (p.status !== 0 || !existsSync(out)) {
      log(
        `PyTorch reference (${name}) did not run: ` +
          (p.stderr || p.error?.message || '').split('\n').slice(-3).join(' '),
      );
      continue;
    }
    const r = JSON.parse(readFileSync(out, 'utf8').trim().split('\n').pop()!) as {
      step_ms: number;
      images_per_s: number;
      fwd_ms: number;
      bwd_ms: number;
      upd_ms: number;
      torch: string;
      threads: number;
    };
    rows.push({
      config: name,
      backend: `pytorch ${r.torch} (${r.threads} threads)`,
      msPerStep: r.step_ms,
      imgPerSec: r.images_per_s,
    });
    log(
      `${name.padEnd(6)} ${`pytorch ${r.torch} (${r.threads} threads)`.padEnd(40)} ` +
        `${r.step_ms.toFixed(0).padStart(7)} ms/step  ${r.images_per_s.toFixed(1).padStart(7)} ` +
        `img/s  forward ${r.fwd_ms.toFixed(0)}, backward ${r.bwd_ms.toFixed(0)}, ` +
        `update ${r.upd_ms.toFixed(0)}`,
    );
  }
  for (const name of configs) {
    const torch = rows.find((r) => r.config === name && r.backend.startsWith('pytorch'));
    if (!torch) continue;
    for (const r of rows.filter((x) => x.config === name && !x.backend.startsWith('pytorch'))) {
      log(
        `${name}: ${r.backend} takes ${(r.msPerStep / torch.msPerStep).toFixed(2)}× ` +
          `PyTorch's time per step`,
      );
    }
  }
} else {
  log('PyTorch reference not run (needs /usr/bin/python3 with python3-torch)');
}
if (json) console.log(JSON.stringify({ steps, rows }));
