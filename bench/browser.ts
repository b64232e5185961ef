// The demo page's training step against Node's on the same machine, as a ratio: the default
// recipe (or --config small) on the wasm backend (or --backend cpu), in headless Chromium
// (demo/chromium.ts) and in Node, both through the demo's own loop (demo/page/worker/session.ts),
// so the two run the same code on the same crops. Rounds alternate Node and the browser, so that
// a change in the machine's load shows in both; each round drops its first --warmup steps
// (compilation, pools).
// Usage: npm run bench:browser [-- --steps N] [--warmup N] [--rounds N] [--threads N]
//        [--config recipe|small] [--backend wasm|cpu] [--page-backend webgpu] [--json]
// --threads sets MINI_DINO_THREADS in Node and ?threads= on the page (default: all cores, at most
// 8, as the wasm backend's default). --page-backend webgpu runs the page on WebGPU (SwiftShader
// here) against Node on --backend.

import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemo } from '../demo/build.js';
import { launchChromium } from '../demo/chromium.js';
import type { StepReport } from '../demo/page/protocol.js';
import { TrainingSession } from '../demo/page/worker/session.js';
import { serveDemo } from '../demo/serve.js';
import { loadEmbeddedFashionMnist } from '../src/data/embedded.js';
import { type DinoConfig, defaultConfig } from '../src/dino/config.js';
import { kebab } from '../src/dino/config-field.js';
import { selectBackend } from '../src/tensor/select.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const steps = Number(arg('steps', '6'));
const warmup = Number(arg('warmup', '2'));
const rounds = Number(arg('rounds', '2'));
const threads = Number(arg('threads', String(Math.min(8, availableParallelism()))));
const configName = arg('config', 'recipe');
const nodeBackend = arg('backend', 'wasm') as 'wasm' | 'cpu';
const pageBackend = arg('page-backend', nodeBackend);
const json = process.argv.includes('--json');
const log = json ? (s: string) => process.stderr.write(s + '\n') : (s: string) => console.log(s);

/** `small`: the configuration test:browser runs on WebGPU (a step in seconds on SwiftShader). */
const CONFIGS: Record<string, Partial<DinoConfig>> = {
  recipe: {},
  small: { batchSize: 8, depth: 2, outDim: 256, localCropsNumber: 2 },
};
if (!(configName in CONFIGS)) throw new Error(`bench:browser: --config ${configName}?`);
const config = { ...defaultConfig(), ...CONFIGS[configName] };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

process.env.MINI_DINO_THREADS = String(threads);
const data = loadEmbeddedFashionMnist();
const backend = await selectBackend(nodeBackend);

async function nodeRound(): Promise<number[]> {
  const session = new TrainingSession(config, data as Required<typeof data>, backend);
  const seconds: number[] = [];
  for (let i = 0; i < warmup + steps; i++) seconds.push((await session.step()).report.seconds);
  return seconds.slice(warmup);
}

await buildDemo();
const server = await serveDemo();
const profile = mkdtempSync(join(tmpdir(), 'mini-dino-bench-'));
const browser = await launchChromium(profile);

async function browserRound(): Promise<{ seconds: number[]; description: string }> {
  const page = await browser.newPage();
  try {
    const query = `backend=${pageBackend}&threads=${threads}&pause-after=${warmup + steps}`;
    await page.goto(`${server.url}?${query}`);
    // expressions as strings: they run in the page, which this file's (Node) typings do not know
    await page.waitForFunction("document.body.dataset.state === 'ready'", { timeout: 60_000 });
    for (const [k, v] of Object.entries(CONFIGS[configName]))
      await page.locator(`#knob-${kebab(k as keyof DinoConfig)}`).fill(String(v));
    await page.locator('#start').click();
    // polled from here: a wait inside the page would hit the DevTools protocol's timeout
    for (;;) {
      const state = (await page.evaluate('document.body.dataset.state')) as string;
      if (state === 'paused') break;
      if (['done', 'stopped', 'failed'].includes(state))
        throw new Error(`bench:browser: the page is '${state}'`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const demo = (await page.evaluate('window.miniDinoDemo')) as {
      steps: StepReport[];
      backend: { description: string };
    };
    return {
      seconds: demo.steps.slice(warmup).map((s) => s.seconds),
      description: demo.backend.description,
    };
  } finally {
    await page.close();
  }
}

const node: number[] = [];
const page: number[] = [];
let description = '';
try {
  for (let r = 0; r < rounds; r++) {
    const n = await nodeRound();
    const b = await browserRound();
    description = b.description;
    node.push(...n);
    page.push(...b.seconds);
    log(
      `round ${r + 1}: Node ${(median(n) * 1000).toFixed(0)} ms/step, Chromium ` +
        `${(median(b.seconds) * 1000).toFixed(0)} ms/step`,
    );
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}

const result = {
  config: configName,
  batchSize: config.batchSize,
  threads,
  cpu: `${cpus()[0]?.model ?? '?'} (${availableParallelism()} cores)`,
  nodeBackend: backend.describe(),
  pageBackend: description,
  nodeMsPerStep: median(node) * 1000,
  pageMsPerStep: median(page) * 1000,
  ratio: median(page) / median(node),
};
if (json) console.log(JSON.stringify(result));
else {
  log(`${result.cpu}; ${configName}, batch ${config.batchSize}, ${threads} thread(s)`);
  log(`Node:     ${result.nodeMsPerStep.toFixed(0)} ms/step  (${result.nodeBackend})`);
  log(`Chromium: ${result.pageMsPerStep.toFixed(0)} ms/step  (${result.pageBackend})`);
  log(`Chromium / Node: ${result.ratio.toFixed(2)}`);
}
