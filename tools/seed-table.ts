// Prints the README's seed table from the runs of tools/seed-sweep.sh: per seed the weighted
// k-NN@20 top-1 of the trained teacher, of the same ViT at random init (same seed) and the gain,
// the last epoch's teacher entropy h(P_t)/ln K and any stall warning from log.jsonl, then mean,
// standard deviation (n − 1) and range over the seeds.
// Needs: nothing but this repository. Usage: npx tsx tools/seed-table.ts [runs/seeds]

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensorsFileSync } from '../src/io/safetensors-file.js';

const root = process.argv[2] ?? 'runs/seeds';
const rows: { seed: number; dino: number; init: number; h: number; stalls: string; s: number }[] =
  [];
for (const name of readdirSync(root).sort((a, b) => seedOf(a) - seedOf(b))) {
  const file = join(root, name, 'result.json');
  if (!/^seed-\d+$/.test(name) || !existsSync(file)) continue;
  const r = JSON.parse(readFileSync(file, 'utf8')) as {
    top1: Record<string, number>;
    baselines: { randomInit: Record<string, number> };
    trainSeconds: number;
  };
  const log = readFileSync(join(root, name, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { train_teacher_entropy: number; stall?: string });
  const ckpt = readSafetensorsFileSync(join(root, name, 'checkpoint.safetensors'));
  const cfg = JSON.parse(ckpt.metadata.config) as { outDim: number };
  rows.push({
    seed: seedOf(name),
    dino: 100 * r.top1['20'],
    init: 100 * r.baselines.randomInit['20'],
    h: log[log.length - 1].train_teacher_entropy / Math.log(cfg.outDim),
    stalls: log.filter((l) => l.stall).length ? `${log.filter((l) => l.stall).length}` : '–',
    s: r.trainSeconds,
  });
}
if (rows.length === 0) throw new Error(`seed-table: no seed-N/result.json under ${root}`);

const stats = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return { m, sd, lo: Math.min(...xs), hi: Math.max(...xs) };
};
const f1 = (x: number) => x.toFixed(1);
console.log(
  '| seed | DINO k-NN@20 | random init | gain | h(P_t)/ln K, last epoch | stalled epochs ' +
    '| training |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.seed} | ${f1(r.dino)}% | ${f1(r.init)}% | +${f1(r.dino - r.init)} | ` +
      `${r.h.toFixed(2)} | ${r.stalls} | ${Math.round(r.s / 60)} min |`,
  );
for (const [name, xs] of [
  ['DINO', rows.map((r) => r.dino)],
  ['random init', rows.map((r) => r.init)],
  ['gain', rows.map((r) => r.dino - r.init)],
] as const) {
  const s = stats([...xs]);
  console.log(
    `${name}: mean ${s.m.toFixed(2)}, sd ${s.sd.toFixed(2)}, range ${f1(s.lo)}–${f1(s.hi)} ` +
      `(${rows.length} seeds)`,
  );
}

function seedOf(name: string): number {
  return Number(name.replace(/^seed-/, ''));
}
