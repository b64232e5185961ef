// Remakes docs/demo.png, the README's picture of the demo page: builds and serves the page
// (demo/build.ts, demo/serve.ts, cross-origin isolated so the wasm backend gets Web Worker
// threads), opens it in Debian's Chromium at 1280×800, trains the default recipe for two epochs
// (`?pause-after=` the steps of two epochs) and screenshots the page with its curves, k-NN
// points and attention grid. Prints the backend the page chose and each epoch's speed and k-NN.
// Needs: Debian's chromium (CHROMIUM overrides the path). Takes a few minutes on 2 cores.
// Usage: npx tsx tools/demo-screenshot.ts [--epochs N] [--out docs/demo.png]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemo, ROOT } from '../demo/build.js';
import { launchChromium } from '../demo/chromium.js';
import { serveDemo } from '../demo/serve.js';
import { defaultConfig } from '../src/dino/config.js';
import { loadEmbeddedFashionMnist } from '../src/data/embedded.js';

interface PageRecord {
  state: string;
  backend: { kind: string; description: string; threads: number } | null;
  epochs: {
    epoch: number;
    img_per_s: number;
    seconds: number;
    knn_top1?: Record<string, number>;
  }[];
  errors: string[];
}
interface PageGlobals {
  miniDinoDemo: PageRecord;
  scrollTo(x: number, y: number): void;
  document: { body: { dataset: Record<string, string | undefined> } };
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const epochs = Number(arg('epochs', '2'));
if (!Number.isInteger(epochs) || epochs < 1)
  throw new Error(`demo-screenshot: --epochs must be a positive integer, got ${arg('epochs', '')}`);
const out = join(ROOT, arg('out', join('docs', 'demo.png')));
const config = defaultConfig();
const itersPerEpoch = Math.floor(loadEmbeddedFashionMnist().train.length / config.batchSize);

const profile = mkdtempSync(join(tmpdir(), 'mini-dino-shot-'));
await buildDemo();
const server = await serveDemo();
const browser = await launchChromium(profile);
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  await page.goto(`${server.url}?pause-after=${epochs * itersPerEpoch}`);
  const record = () => page.evaluate(() => (globalThis as unknown as PageGlobals).miniDinoDemo);
  await page.waitForFunction(
    () => (globalThis as unknown as PageGlobals).document.body.dataset.state === 'ready',
    { timeout: 60_000 },
  );
  await page.locator('#start').click();
  // The epoch's record (with its k-NN) arrives after the pause; wait for both.
  await page.waitForFunction(
    (n: number) => {
      const r = (globalThis as unknown as PageGlobals).miniDinoDemo;
      return r.epochs.length >= n || r.errors.length > 0;
    },
    { timeout: 30 * 60_000, polling: 1000 },
    epochs,
  );
  const r = await record();
  if (r.errors.length > 0) throw new Error(`demo-screenshot: the page failed: ${r.errors}`);
  console.log(`backend: ${r.backend?.description} (${r.backend?.threads} thread(s))`);
  for (const e of r.epochs)
    console.log(
      `epoch ${e.epoch + 1}: ${e.img_per_s.toFixed(0)} img/s, ${e.seconds.toFixed(0)} s, ` +
        `k-NN@20 ${e.knn_top1 ? (100 * e.knn_top1['20']).toFixed(1) + '%' : '–'}`,
    );
  await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 0));
  await page.screenshot({ path: out });
  console.log(`saved ${out}`);
} finally {
  await browser.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}
