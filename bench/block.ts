// One pre-LN ViT block forward + backward (B 32, N 100 tokens, D 64, 4 heads, MLP 256; the
// official vision_transformer.py Block), on each backend, and the same block in PyTorch (the
// Block class of tools/torch_dino.py) in the same run. The loss is Σ y ⊙ r for a
// fixed random r, so backward computes every gradient a training step would.
// Usage: npm run bench:block [-- --backends wasm,cpu] [--iterations N] [--threads T] [--no-torch]
//        [--json]

import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { Bench } from 'tinybench';
import { backward, mul, sum } from '../src/autograd/index.js';
import { Block } from '../src/nn/transformer.js';
import { randn } from '../src/tensor/creation.js';
import { Generator } from '../src/tensor/random.js';
import { selectBackend } from '../src/tensor/select.js';
import { tidy } from '../src/tensor/tensor.js';
import { torchEnv, torchReference } from './reference.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const backends = (arg('backends') ?? 'wasm').split(',') as ('cpu' | 'wasm' | 'gpu')[];
const iterations = Number(arg('iterations') ?? 20);
const json = process.argv.includes('--json');
const log = json ? (s: string) => process.stderr.write(s + '\n') : (s: string) => console.log(s);
const [B, N, D, H, HIDDEN] = [32, 100, 64, 4, 256];

const rows: { backend: string; ms: number }[] = [];
for (const name of backends) {
  const backend = await selectBackend(name);
  const g = new Generator(0);
  const block = new Block(D, H, { mlpRatio: HIDDEN / D, backend, generator: g });
  const x = randn([B, N, D], { backend, generator: g }).requiresGrad_();
  const r = randn([B, N, D], { backend, generator: g });
  const step = () =>
    tidy(() => {
      const loss = sum(mul(block.forward(x).x, r));
      backward(loss);
      block.parameters().forEach((p) => (p.grad = null));
      x.grad = null;
      return loss.itemSync(); // sync point
    });
  for (let i = 0; i < 3; i++) step();
  const bench = new Bench({ iterations, time: 0, warmup: false });
  bench.add(name, () => void step());
  await bench.run();
  const res = bench.tasks[0].result as { latency?: { p50?: number; mean: number } };
  const ms = res.latency?.p50 ?? res.latency?.mean ?? NaN;
  rows.push({ backend: backend.describe(), ms });
  log(`block fwd+bwd ${backend.describe().padEnd(60)} ${ms.toFixed(1).padStart(7)} ms`);
}

// PyTorch: the same block, same sizes, tuned as the reference's README says
const reference = torchReference();
if (!process.argv.includes('--no-torch') && reference) {
  const py = `
import sys, time, statistics, torch
sys.path.insert(0, ${JSON.stringify(dirname(reference))})
from torch_dino import Block
torch.manual_seed(0)
torch.set_num_threads(${Number(arg('threads') ?? 2)})
blk = Block(${D}, ${H}, mlp_ratio=${HIDDEN / D})
x = torch.randn(${B}, ${N}, ${D}, requires_grad=True)
r = torch.randn(${B}, ${N}, ${D})
def step():
    (blk(x) * r).sum().backward()
    blk.zero_grad(set_to_none=True); x.grad = None
for _ in range(3): step()
ts = []
for _ in range(${iterations}):
    t = time.perf_counter(); step(); ts.append(time.perf_counter() - t)
print(statistics.median(ts) * 1e3, torch.__version__, torch.get_num_threads())
`;
  const p = spawnSync('/usr/bin/python3', ['-c', py], { env: torchEnv(), encoding: 'utf8' });
  if (p.status === 0) {
    const [ms, version, threads] = p.stdout.trim().split(/\s+/);
    const label = `pytorch ${version} (${threads} threads)`;
    rows.push({ backend: label, ms: Number(ms) });
    log(`block fwd+bwd ${label.padEnd(60)} ${Number(ms).toFixed(1).padStart(7)} ms`);
    for (const r of rows.slice(0, -1))
      log(`${r.backend}: ${(r.ms / Number(ms)).toFixed(2)}× PyTorch's time`);
  } else {
    log(`PyTorch block did not run: ${p.stderr.split('\n').slice(-3).join(' ')}`);
  }
} else if (!process.argv.includes('--no-torch')) {
  log('PyTorch reference not run (needs /usr/bin/python3 with torch and torch_dino.py)');
}
if (json) console.log(JSON.stringify({ iterations, rows }));
