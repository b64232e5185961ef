// Headless Chromium for the demo's test and screenshot: Debian's package (/usr/bin/chromium, or
// $CHROMIUM) driven by puppeteer-core, which downloads no browser. WebGPU runs on SwiftShader,
// Chromium's software adapter, when no GPU is there (--enable-unsafe-webgpu and
// --enable-unsafe-swiftshader); --no-sandbox because CI runs as root in a container.

import puppeteer, { type Browser } from 'puppeteer-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Chromium with a fresh profile in `userDataDir`. */
export function launchChromium(userDataDir: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // a page's wait (waitForFunction) is one DevTools call: let it last as long as a slow step
    protocolTimeout: 600_000,
    args: [
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--disable-gpu-sandbox',
      '--enable-unsafe-webgpu',
      '--enable-unsafe-swiftshader',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${userDataDir}`,
    ],
  });
}
