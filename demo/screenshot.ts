// The README's screenshot of the demo, and a speed measurement: builds and serves the page, trains
// the default recipe in headless Chromium until it pauses after --iterations (default 312, two
// epochs), prints the speed of every epoch, and saves a screenshot.
//   npx tsx demo/screenshot.ts [--iterations N] [--backend auto|cpu|webgpu] [--out docs/demo.png]
// It takes minutes (two epochs are about 10 minutes on one core here).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemo } from './build.js';
import { launchChromium } from './chromium.js';
import { serveDemo } from './serve.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const iterations = Number(arg('iterations', '312'));
const backend = arg('backend', 'auto');
const out = arg('out', join('docs', 'demo.png'));

interface Epoch {
  epoch: number;
  img_per_s: number;
  seconds: number;
  knn_top1?: Record<string, number>;
}

await buildDemo();
const server = await serveDemo();
const profile = mkdtempSync(join(tmpdir(), 'mini-dino-shot-'));
const browser = await launchChromium(profile);
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  page.on('console', (m) => {
    if (m.type() === 'error') console.error(`page: ${m.text()}`);
  });
  await page.goto(`${server.url}?backend=${backend}&pause-after=${iterations}`);
  // expressions as strings: they run in the page, which this file's (Node) typings do not know
  await page.waitForFunction("document.body.dataset.state === 'ready'", { timeout: 60_000 });
  await page.locator('#start').click();
  const t0 = Date.now();
  // polled from here: a wait inside the page would hit the DevTools protocol's timeout
  for (;;) {
    const state = await page.evaluate('document.body.dataset.state');
    if (['paused', 'done', 'stopped', 'failed'].includes(state as string)) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  const demo = (await page.evaluate('window.miniDinoDemo')) as {
    backend: unknown;
    epochs: Epoch[];
  };
  console.log(`${iterations} iterations in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(JSON.stringify(demo.backend));
  for (const e of demo.epochs)
    console.log(
      `epoch ${e.epoch + 1}: ${e.img_per_s.toFixed(1)} img/s, ${e.seconds.toFixed(0)} s, ` +
        `k-NN ${JSON.stringify(e.knn_top1)}`,
    );
  await page.screenshot({ path: out as `${string}.png` });
  console.log(`saved ${out}`);
} finally {
  await browser.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}
