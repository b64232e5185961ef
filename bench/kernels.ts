// Kernel benchmark: wasm (WebAssembly SIMD on all cores), cpu (TypeScript reference) and gpu
// (gpu.js: webgpu where an adapter answers, else webasm) at ViT shapes, in one run: matmul
// [3200×64]·[64×192] (the qkv projection of a B=32, N=100, D=64 block) and 512³, softmax and
// layerNorm over [3200, 64], float32; plus matmul 2048³ on webgpu only (≥ 1 TFLOP/s asked
// there, on device-resident data); and PyTorch's matmul on the same two shapes in the same run
// (torch_dino.py matmul, 2 threads). Inputs are uploaded once; each iteration runs the kernel
// and releases its output (webgpu: and waits for the device). GFLOP/s counts 2·M·K·N for matmul
// and a nominal 5 (softmax: max, sub, exp, sum, scale) or 8 (layerNorm) flops per element.
// Usage: npm run bench:kernels [-- --backends wasm,cpu,gpu] [--mode webgpu|webasm|cpu]
// [--time MS] [--no-torch] [--json]

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import type { Backend, Storage } from '../src/tensor/backend.js';
import { cpu } from '../src/tensor/cpu/index.js';
import type { GpuBackend, GpuMode } from '../src/tensor/gpu/index.js';
import { createGpuBackend } from '../src/tensor/gpu/mode.js';
import { Generator } from '../src/tensor/random.js';
import { wasmDefault } from '../src/tensor/select.js';
import { torchEnv, torchReference } from './reference.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const which = (arg('backends') ?? 'wasm,cpu,gpu').split(',');
const time = Number(arg('time') ?? 500);
const json = process.argv.includes('--json');
const log = json ? (s: string) => process.stderr.write(s + '\n') : (s: string) => console.log(s);

interface Case {
  name: string;
  flops: number;
  inputs: number[];
  run(k: Backend, s: Storage[]): Storage[];
  webgpuOnly?: boolean;
}

const mm = (M: number, K: number, N: number, webgpuOnly = false): Case => ({
  name: `matmul [${M}x${K}]x[${K}x${N}]`,
  flops: 2 * M * K * N,
  inputs: [M * K, K * N],
  webgpuOnly,
  run: (k, [a, b]) => [
    k.matmul(
      { data: a, offset: 0, batchStrides: [0, 0], rowStride: K, colStride: 1 },
      { data: b, offset: 0, batchStrides: [0, 0], rowStride: N, colStride: 1 },
      { batch: [1, 1], M, K, N, alpha: 1 },
      null,
    ),
  ],
});
const CASES: Case[] = [
  mm(3200, 64, 192),
  mm(512, 512, 512),
  {
    name: 'softmax [3200x64]',
    flops: 5 * 3200 * 64,
    inputs: [3200 * 64],
    run: (k, [x]) => [k.softmax(x, 3200, 64)],
  },
  {
    name: 'layerNorm [3200x64]',
    flops: 8 * 3200 * 64,
    inputs: [3200 * 64, 64, 64],
    run: (k, [x, w, b]) => {
      const o = k.layerNorm(x, w, b, 3200, 64, 1e-5);
      return [o.y, o.mean, o.rstd];
    },
  },
  mm(2048, 2048, 2048, true),
];

const backends: { label: string; k: Backend; gpu?: GpuBackend }[] = [];
if (which.includes('wasm')) backends.push({ label: 'wasm', k: (await wasmDefault()) as Backend });
if (which.includes('cpu')) backends.push({ label: 'cpu', k: cpu as unknown as Backend });
if (which.includes('gpu')) {
  const g = await createGpuBackend({ mode: arg('mode') as GpuMode | undefined });
  backends.push({ label: `gpu (${g.mode})`, k: g as unknown as Backend, gpu: g });
}

const gen = new Generator(0);
interface Timing {
  median_ms: number;
  gflops: number;
}
const results: Record<string, Record<string, { ms: number; gflops: number }>> = {};
for (const c of CASES) {
  results[c.name] = {};
  for (const { label, k, gpu } of backends) {
    if (c.webgpuOnly && gpu?.mode !== 'webgpu') continue;
    const ins = c.inputs.map((n) =>
      k.upload(
        Float32Array.from({ length: n }, () => gen.normal()),
        false,
      ),
    );
    const bench = new Bench({ time, warmup: true });
    bench.add(c.name, async () => {
      const outs = c.run(k, ins);
      if (gpu) await gpu.sync();
      for (const o of outs) k.release(o);
    });
    await bench.run();
    const r = bench.tasks[0].result as { latency?: { mean: number } };
    const ms = r.latency?.mean ?? NaN;
    results[c.name][label] = { ms, gflops: c.flops / ms / 1e6 };
    for (const s of ins) k.release(s);
  }
}

// PyTorch's matmul, same shapes, same machine, same run
const torchScript = torchReference();
if (!process.argv.includes('--no-torch') && torchScript) {
  const out = join(mkdtempSync(join(tmpdir(), 'mini-dino-torch-')), 'r.jsonl');
  const p = spawnSync(
    '/usr/bin/python3',
    [torchScript, 'matmul', '--steps', '50', '--threads', '2', '--json-out', out],
    { env: torchEnv(), encoding: 'utf8' },
  );
  if (p.status === 0 && existsSync(out)) {
    for (const line of readFileSync(out, 'utf8').trim().split('\n')) {
      const r = (JSON.parse(line) as { matmul: { m: number; k: number; n: number } & Timing })
        .matmul;
      const name = `matmul [${r.m}x${r.k}]x[${r.k}x${r.n}]`;
      if (results[name])
        results[name]['pytorch (2 threads)'] = { ms: r.median_ms, gflops: r.gflops };
    }
  } else {
    log(`PyTorch matmul did not run: ${(p.stderr || '').split('\n').slice(-3).join(' ')}`);
  }
}

const rows = Object.entries(results).map(([name, byBackend]) => {
  const row: Record<string, string> = { kernel: name };
  for (const [label, r] of Object.entries(byBackend))
    row[label] = `${r.ms.toFixed(3)} ms, ${r.gflops.toFixed(2)} GFLOP/s`;
  const torch = byBackend['pytorch (2 threads)'];
  if (torch && byBackend.wasm) row['wasm/pytorch'] = (byBackend.wasm.ms / torch.ms).toFixed(2);
  return row;
});
if (json) {
  console.error(rows);
  console.log(JSON.stringify({ backends: backends.map((b) => b.k.describe()), results }));
} else {
  log(`backends: ${backends.map((b) => b.k.describe()).join('; ')}`);
  console.table(rows);
}
