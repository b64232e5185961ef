// The demo page in a real browser: Debian's Chromium, headless, driven by puppeteer-core (no
// browser download), serving the page built by demo/build.ts from demo/serve.ts. Checks that
//  - the page picks the wasm backend by itself (SwiftShader, the only WebGPU adapter here, is
//    software) and runs it on more than one thread (Web Workers over shared memory: the page is
//    cross-origin isolated); three steps of the default recipe there give the losses of
//    `mini-dino train` in Node on the cpu backend (the reference kernels) for the same seed (so
//    the same crops), within float32 tolerance;
//  - the curves and the attention grid are drawn, and nothing is logged as an error;
//  - Save downloads the checkpoint Node writes after those steps (same tensors and metadata);
//    loading it and pressing Resume gives the loss of Node's resumed fourth step; loading a ViT
//    with the official released key names (no mini-dino metadata) gives Node's k-NN on it;
//  - three steps of a small configuration on WebGPU (SwiftShader, Chromium's software adapter;
//    the default recipe takes about 45 s a step there) give Node's losses within float32
//    tolerance;
//  - at phone width nothing overflows sideways.
// Screenshots and downloads go to out/browser-test/ (git-ignored). Run: npm run test:browser.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { ROOT, buildDemo } from '../../demo/build.js';
import { launchChromium } from '../../demo/chromium.js';
import { type DemoServer, serveDemo } from '../../demo/serve.js';
import { loadEmbeddedFashionMnist } from '../../src/data/embedded.js';
import { loadBackbone } from '../../src/dino/checkpoint-file.js';
import { type DinoConfig, defaultConfig } from '../../src/dino/config.js';
import { kebab } from '../../src/dino/config-field.js';
import { normalizationOf } from '../../src/data/stats.js';
import { backboneKnn } from '../../src/dino/knn.js';
import { FLOAT32_TOLERANCES } from '../../src/dino/parity.js';
import { trainDino } from '../../src/dino/trainer.js';
import { safetensorsFromTensors } from '../../src/io/convert.js';
import { parseSafetensors, serializeSafetensors } from '../../src/io/safetensors.js';
import { VisionTransformer } from '../../src/nn/vit.js';
import { cpu } from '../../src/tensor/cpu/index.js';
import { Generator } from '../../src/tensor/random.js';

const OUT = join(ROOT, 'out', 'browser-test');
const STEPS = 3;
/** For WebGPU on SwiftShader: the default recipe's step takes ~45 s there, this one ~3 s. */
const SMALL: Partial<DinoConfig> = { batchSize: 8, depth: 2, outDim: 256, localCropsNumber: 2 };
const KNN_SUBSET = 200;
/** A ViT saved with bare keys, as the official released backbones (dino_deitsmall16_pretrain). */
const OFFICIAL_FILE = 'vit-official-keys.safetensors';

/** What window.miniDinoDemo holds (demo/page/ui/main.ts). */
interface DemoRecord {
  state: string;
  backend: { kind: string; description: string; reason: string; threads: number } | null;
  steps: { iteration: number; metrics: { loss: number } }[];
  knn: { source: string; top1: Record<string, number> }[];
  attention: { title: string; width: number; height: number } | null;
  checkpoints: string[];
  errors: string[];
}

/** The browser globals the page.evaluate callbacks use (this file is typed for Node). */
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}
interface PageGlobals {
  miniDinoDemo: DemoRecord;
  scrollTo(x: number, y: number): void;
  document: {
    body: { dataset: Record<string, string | undefined> };
    documentElement: { scrollWidth: number; clientWidth: number };
    getElementById(id: string): unknown;
  };
}

const ctx: {
  data: ReturnType<typeof loadEmbeddedFashionMnist>;
  server: DemoServer;
  browser: Browser;
  ref: {
    losses: number[];
    checkpoint: string;
    resumedLoss: number;
    checkpointKnn: Record<string, number>;
    smallLosses: number[];
    officialKnn: Record<string, number>;
  };
  /** Console errors, page errors and Worker errors, per page. */
  problems: string[];
  downloads: string;
  savedName: string;
} = {} as never;

/** Losses of `steps` steps of `mini-dino train` (the CLI's loop) on the cpu backend. */
async function nodeLosses(config: DinoConfig, steps: number, outDir: string, resume = false) {
  const losses: number[] = [];
  await trainDino({
    config,
    data: ctx.data,
    outDir,
    backend: cpu,
    resume,
    shouldStop: () => losses.length >= steps,
    onStep: (p) => losses.push(p.metrics.loss),
  });
  return losses;
}

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
}

function assertLosses(got: number[], want: number[], what: string) {
  assert.is(got.length, want.length, `${what}: number of steps`);
  got.forEach((g, i) =>
    assert.ok(
      relErr(g, want[i]) <= FLOAT32_TOLERANCES.loss,
      `${what}: step ${i + 1} loss ${g} vs Node ${want[i]} (relative error ${relErr(g, want[i])})`,
    ),
  );
}

async function openPage(query: string, width = 1280, height = 800): Promise<Page> {
  ctx.problems = [];
  const page = await ctx.browser.newPage();
  await page.setViewport({ width, height });
  page.on('console', (m) => {
    if (m.type() === 'error') ctx.problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => ctx.problems.push(`page: ${(e as Error).message}`));
  page.on('workercreated', (w) => {
    w.on('console', (m) => {
      if (m.type() === 'error') ctx.problems.push(`worker console: ${m.text()}`);
    });
    w.on('error', (e) => ctx.problems.push(`worker: ${e.message}`));
  });
  const cdp = await page.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', {
    behavior: 'allow',
    downloadPath: ctx.downloads,
  });
  await page.goto(`${ctx.server.url}?${query}`);
  await waitState(page, ['ready'], 60_000);
  return page;
}

/** What the page has received so far (window.miniDinoDemo, a copy). */
const record = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as PageGlobals).miniDinoDemo);

async function waitState(page: Page, states: string[], timeout: number): Promise<void> {
  try {
    await page.waitForFunction(
      (s: string[]) =>
        s.includes((globalThis as unknown as PageGlobals).document.body.dataset.state ?? ''),
      { timeout, polling: 250 },
      states,
    );
  } catch (e) {
    const r = await record(page);
    throw new Error(
      `waiting for ${states.join('/')}: the page is '${r.state}', errors ` +
        `${JSON.stringify(r.errors)}, problems ${JSON.stringify(ctx.problems)}`,
      { cause: e },
    );
  }
}

async function setKnob(page: Page, key: keyof DinoConfig, value: unknown) {
  const v = Array.isArray(value) ? value.join(',') : String(value);
  await page.locator(`#knob-${kebab(key)}`).fill(v);
}

/** Pixels of `canvas` (by id): how many differ from white and how many are near `rgb`. */
function canvasPixels(page: Page, id: string, rgb: [number, number, number]) {
  return page.evaluate(
    (id: string, rgb: number[]) => {
      const doc = (globalThis as unknown as PageGlobals).document;
      const c = doc.getElementById(id) as Canvas;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let inked = 0;
      let near = 0;
      const colours = new Set<number>();
      for (let i = 0; i < d.length; i += 4) {
        if (d[i] !== 255 || d[i + 1] !== 255 || d[i + 2] !== 255) inked++;
        const dist =
          Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]);
        if (dist < 60) near++;
        colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      }
      return { inked, near, colours: colours.size, width: c.width, height: c.height };
    },
    id,
    rgb,
  );
}

async function waitForFile(path: string, timeout = 30_000): Promise<Uint8Array> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeout) {
    if (existsSync(path) && !existsSync(`${path}.crdownload`)) return readFileSync(path);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no download ${path} after ${timeout} ms`);
}

async function loadFile(page: Page, path: string, name: string) {
  await setKnob(page, 'knnSubset', KNN_SUBSET); // the k-NN of a loaded file takes it from here
  const input = await page.$('#load');
  await input!.uploadFile(path);
  try {
    await page.waitForFunction(
      (n: string) =>
        (globalThis as unknown as PageGlobals).miniDinoDemo.knn.some((k) => k.source === n),
      { timeout: 60_000, polling: 250 },
      name,
    );
  } catch (e) {
    const r = await record(page);
    throw new Error(
      `loading ${name}: no k-NN; the page is '${r.state}', errors ${JSON.stringify(r.errors)}`,
      { cause: e },
    );
  }
  await waitState(page, ['paused', 'ready', 'done'], 30_000);
}

test.before(async () => {
  ctx.data = loadEmbeddedFashionMnist();
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  ctx.downloads = join(OUT, 'downloads');
  mkdirSync(ctx.downloads);
  const work = mkdtempSync(join(tmpdir(), 'mini-dino-browser-'));

  // Node's side: the CLI's loop for 3 steps (checkpoint), then resumed for one more
  const runDir = join(work, 'run');
  const losses = await nodeLosses(defaultConfig(), STEPS, runDir);
  const checkpoint = join(work, 'node-step3.safetensors');
  copyFileSync(join(runDir, 'checkpoint.safetensors'), checkpoint);
  const [resumedLoss] = await nodeLosses(defaultConfig(), 1, runDir, true);
  const train = ctx.data.train;
  const norm = normalizationOf(train);
  const knnConfig = { ...defaultConfig(), knnSubset: KNN_SUBSET };
  const teacher = (await loadBackbone(checkpoint, { backend: cpu })).model;
  const checkpointKnn = backboneKnn(
    teacher,
    train,
    ctx.data.test,
    knnConfig,
    norm,
    cpu,
    KNN_SUBSET,
  ).top1;
  const smallLosses = await nodeLosses(
    { ...defaultConfig(), ...SMALL },
    STEPS,
    join(work, 'small'),
  );

  // a ViT with the official released key names: bare keys, no metadata, head dim 64
  const vitConfig = {
    imgSize: 28,
    patchSize: 7,
    inChans: 1,
    embedDim: 64,
    depth: 2,
    numHeads: 1,
    mlpRatio: 4,
    qkvBias: true,
    dropPathRate: 0,
  };
  const vit = new VisionTransformer(vitConfig, { backend: cpu, generator: new Generator(7) });
  writeFileSync(
    join(work, OFFICIAL_FILE),
    serializeSafetensors(safetensorsFromTensors(vit.stateDict())),
  );
  const officialKnn = backboneKnn(
    vit.eval(),
    train,
    ctx.data.test,
    knnConfig,
    norm,
    cpu,
    KNN_SUBSET,
  ).top1;
  ctx.ref = { losses, checkpoint, resumedLoss, checkpointKnn, smallLosses, officialKnn };
  (ctx as { work?: string }).work = work;

  await buildDemo();
  ctx.server = await serveDemo();
  ctx.browser = await launchChromium(join(work, 'chromium-profile'));
});

test.after(async () => {
  await ctx.browser?.close();
  await ctx.server?.close();
  const work = (ctx as { work?: string }).work;
  if (work) rmSync(work, { recursive: true, force: true });
});

test("wasm backend, threads: 3 steps of the default recipe give mini-dino train's losses", async () => {
  const page = await openPage(`pause-after=${STEPS}`);
  const before = await record(page);
  assert.is(before.backend?.kind, 'wasm', JSON.stringify(before.backend));
  assert.match(before.backend!.reason, /swiftshader \(software\)/);
  assert.match(before.backend!.description, /^wasm \(WebAssembly SIMD/);
  assert.ok(before.backend!.threads > 1, `${before.backend!.threads} thread(s)`);
  assert.match(before.backend!.description, new RegExp(`${before.backend!.threads} threads`));
  await page.locator('#start').click();
  await waitState(page, ['paused'], 120_000);
  const r = await record(page);
  assertLosses(
    r.steps.map((s) => s.metrics.loss),
    ctx.ref.losses,
    'wasm',
  );

  // the curves and the attention grid are drawn
  const loss = await canvasPixels(page, 'chart-loss', [0x1a, 0x5f, 0xb4]);
  assert.ok(loss.near > 20, `the loss curve is drawn (${loss.near} pixels of its colour)`);
  for (const id of ['chart-entropy', 'chart-kl', 'chart-knn']) {
    const c = await canvasPixels(page, id, [0, 0, 0]);
    assert.ok(c.inked > 500, `${id} has axes and labels (${c.inked} inked pixels)`);
  }
  assert.is(r.attention?.title, 'random init');
  const grid = await canvasPixels(page, 'attention-canvas', [0, 0, 0]);
  assert.ok(grid.colours > 200, `the attention grid is drawn (${grid.colours} colours)`);
  assert.is(grid.height, 18 + 5 * 84, 'a row for the images and one per head (4)');

  // Save: the checkpoint Node writes after the same steps
  await page.locator('#save').click();
  await page.waitForFunction(
    () => (globalThis as unknown as PageGlobals).miniDinoDemo.checkpoints.length > 0,
  );
  ctx.savedName = (await record(page)).checkpoints[0];
  const saved = parseSafetensors(await waitForFile(join(ctx.downloads, ctx.savedName)));
  const node = parseSafetensors(readFileSync(ctx.ref.checkpoint));
  assert.equal([...saved.tensors.keys()].sort(), [...node.tensors.keys()].sort());
  // The key third of qkv's bias is left out: its gradient is zero in exact arithmetic (a bias on
  // the keys adds q·b_k to every logit of a query's row, which the softmax ignores), so what it
  // gets is rounding noise that AdamW scales up to steps of the full learning rate, of either
  // sign, on any two backends that round differently (the wasm page against Node's cpu here).
  const embedDim = defaultConfig().embedDim;
  const isKeyBias = (key: string, i: number) =>
    /attn\.qkv\.bias(\.|$)/.test(key) && i >= embedDim && i < 2 * embedDim;
  for (const [key, t] of node.tensors) {
    const s = saved.tensors.get(key)!;
    assert.equal(s.shape, t.shape, key);
    let maxAbs = 0;
    let maxDiff = 0;
    for (let i = 0; i < t.data.length; i++) {
      if (isKeyBias(key, i)) continue;
      maxAbs = Math.max(maxAbs, Math.abs(Number(t.data[i])));
      maxDiff = Math.max(maxDiff, Math.abs(Number(s.data[i]) - Number(t.data[i])));
    }
    assert.ok(maxDiff <= FLOAT32_TOLERANCES.after * maxAbs, `${key}: ${maxDiff} vs max ${maxAbs}`);
  }
  for (const k of ['format', 'epoch', 'iteration', 'in_chans', 'config', 'optimizer_steps', 'rng'])
    assert.is(saved.metadata[k], node.metadata[k], `metadata ${k}`);
  const partial = (md: Record<string, string>) => {
    const { seconds: _, ...sums } = JSON.parse(md.partial) as Record<string, number>;
    return sums;
  };
  // the schedules' sums exactly; the measured ones (loss, entropy, KL) to float32 tolerance
  const [got, want] = [partial(saved.metadata), partial(node.metadata)];
  assert.equal(Object.keys(got).sort(), Object.keys(want).sort(), 'the partial epoch');
  for (const [k, v] of Object.entries(want)) {
    if (['loss', 'entropy', 'kl'].includes(k))
      assert.ok(relErr(got[k], v) <= FLOAT32_TOLERANCES.loss, `partial ${k}: ${got[k]} vs ${v}`);
    else assert.is(got[k], v, `partial ${k}`);
  }
  assert.equal(ctx.problems, [], 'no console error, page error or unhandled rejection');
  assert.equal(r.errors, []);
  await page.screenshot({ path: join(OUT, 'wasm-3-steps.png') });
  (ctx as { page?: Page }).page = page;
});

test('wasm backend: load the saved checkpoint and resume; load official key names', async () => {
  const page = (ctx as { page?: Page }).page!;
  // the page's own download: restored, k-NN and attention on its teacher, Resume = Node's step 4
  await loadFile(page, join(ctx.downloads, ctx.savedName), ctx.savedName);
  let r = await record(page);
  assert.is(r.state, 'paused');
  assert.equal(r.knn.find((k) => k.source === ctx.savedName)!.top1, ctx.ref.checkpointKnn);
  assert.is(r.attention?.title, ctx.savedName);
  assert.equal(r.steps, [], 'the curves start afresh from a loaded checkpoint');
  await page.locator('#resume').click(); // pause-after (3) is behind: one step, then paused
  await page.waitForFunction(
    () => (globalThis as unknown as PageGlobals).miniDinoDemo.steps.length >= 1,
    { timeout: 120_000, polling: 250 },
  );
  await waitState(page, ['paused'], 60_000);
  r = await record(page);
  assert.equal(
    r.steps.map((s) => s.iteration),
    [STEPS + 1],
    'one step after the restored iteration',
  );
  assertLosses([r.steps[0].metrics.loss], [ctx.ref.resumedLoss], 'resumed');

  // a ViT with the official released key names: k-NN and attention, no run to resume
  // (64 wide, not an official width: its head count comes from the Heads knob)
  const work = (ctx as { work?: string }).work!;
  await setKnob(page, 'numHeads', 1);
  await loadFile(page, join(work, OFFICIAL_FILE), OFFICIAL_FILE);
  r = await record(page);
  assert.is(r.state, 'ready');
  assert.equal(r.knn.find((k) => k.source === OFFICIAL_FILE)!.top1, ctx.ref.officialKnn);
  assert.is(r.attention?.title, OFFICIAL_FILE);
  const grid = await canvasPixels(page, 'attention-canvas', [0, 0, 0]);
  assert.is(grid.height, 18 + 2 * 84, 'one head: the image row and one head row');
  assert.equal(ctx.problems, [], 'no console error, page error or unhandled rejection');
  assert.equal(r.errors, []);
  await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 0));
  await page.screenshot({ path: join(OUT, 'demo-1280x800.png') });

  // phone width: one column, nothing wider than the screen
  await page.setViewport({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => {
    const { documentElement: e } = (globalThis as unknown as PageGlobals).document;
    return e.scrollWidth - e.clientWidth;
  });
  assert.is(overflow, 0, 'no horizontal scrolling at 390 px');
  await page.screenshot({ path: join(OUT, 'demo-390.png'), fullPage: true });
  await page.close();
});

test('WebGPU (SwiftShader): 3 steps give the losses of mini-dino train', async () => {
  const page = await openPage(`backend=webgpu&pause-after=${STEPS}`);
  const before = await record(page);
  assert.is(before.backend?.kind, 'webgpu');
  assert.match(before.backend!.description, /webgpu mode/);
  for (const [k, v] of Object.entries(SMALL)) await setKnob(page, k as keyof DinoConfig, v);
  // Start, Pause as soon as the first step is reported (the run pauses after the step it is in),
  // then Resume until pause-after stops it: the same losses as without the pause
  await page.locator('#start').click();
  await page.waitForFunction(
    () => (globalThis as unknown as PageGlobals).miniDinoDemo.steps.length >= 1,
    { timeout: 240_000, polling: 100 },
  );
  await page.locator('#pause').click();
  await waitState(page, ['paused'], 120_000);
  const paused = (await record(page)).steps.length;
  if (paused < STEPS) {
    await page.locator('#resume').click();
    await page.waitForFunction(
      (n: number) => (globalThis as unknown as PageGlobals).miniDinoDemo.steps.length >= n,
      { timeout: 240_000, polling: 250 },
      STEPS,
    );
    await waitState(page, ['paused'], 120_000);
  }
  const r = await record(page);
  assert.is(r.steps.length, Math.max(paused, STEPS), `paused after ${paused} steps, then resumed`);
  assertLosses(
    r.steps.map((s) => s.metrics.loss),
    ctx.ref.smallLosses,
    'webgpu',
  );
  const loss = await canvasPixels(page, 'chart-loss', [0x1a, 0x5f, 0xb4]);
  assert.ok(loss.near > 20, `the loss curve is drawn (${loss.near} pixels of its colour)`);
  const grid = await canvasPixels(page, 'attention-canvas', [0, 0, 0]);
  assert.ok(grid.colours > 200, `the attention grid is drawn (${grid.colours} colours)`);
  assert.equal(ctx.problems, [], 'no console error, page error or unhandled rejection');
  assert.equal(r.errors, []);
  await page.screenshot({ path: join(OUT, 'webgpu-3-steps.png') });
  await page.close();
});

test.run();
