// mini-dino/browser bundles for browsers: esbuild (platform browser, the options of the demo)
// bundles src/browser/index.ts with no Node built-in and no external import (the wasm backend's
// threads are Web Workers there, started through the platform seam), and every name it exports is
// the Node entry's own object (no forked copies), except the few that exist only for browsers.
// The demo page's script holds none of the engine.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { ROOT, browserBuildOptions } from '../../demo/build.js';
import * as browser from '../../src/browser/index.js';
import * as node from '../../src/index.js';

async function bundle(entry: string) {
  const result = await esbuild.build({
    ...browserBuildOptions(),
    entryPoints: [join(ROOT, entry)],
    outdir: join(ROOT, 'out', 'bundle-test'),
    write: false,
    sourcemap: false,
  });
  return result.metafile!;
}

test('src/browser/index.ts bundles with no Node built-in', async () => {
  const meta = await bundle('src/browser/index.ts');
  const inputs = Object.keys(meta.inputs);
  assert.ok(inputs.includes('src/tensor/cpu/index.ts'), 'the cpu backend is in the bundle');
  assert.ok(inputs.includes('src/tensor/gpu/index.ts'), 'the gpu backend is in the bundle');
  assert.ok(inputs.includes('src/tensor/wasm/index.ts'), 'the wasm backend is in the bundle');
  const nodeBuiltins = inputs.filter((p) => /^node:|(^|:)node:/.test(p));
  assert.equal(nodeBuiltins, []);
  for (const [file, out] of Object.entries(meta.outputs))
    assert.equal(
      out.imports.filter((i) => i.external),
      [],
      `${file} imports nothing from outside the bundle`,
    );
  for (const p of inputs)
    assert.not.match(p, /(^|\/)(fs|path|zlib|os|url|crypto|pngjs|jpeg-js)(\/|\.|$)/, p);
});

test('the demo page script does not hold the engine (it runs in the Worker)', async () => {
  const meta = await bundle('demo/page/ui/main.ts');
  // the form reads the config table and checks it: the config modules, which hold no kernels
  const engine = Object.keys(meta.inputs).filter(
    (p) => p.startsWith('src/') && !/^src\/dino\/config(-(field|arch|validate))?\.ts$/.test(p),
  );
  assert.equal(engine, []);
});

const BROWSER_ONLY: Record<string, readonly string[]> = {
  '': ['browserPlatform', 'platform', 'setPlatform'],
  data: ['fetchEmbeddedFashionMnist'],
};

test('mini-dino/browser exports the Node entry’s objects under the same names', () => {
  const check = (b: Record<string, unknown>, n: Record<string, unknown>, ns: string) => {
    for (const [name, value] of Object.entries(b)) {
      if (BROWSER_ONLY[ns]?.includes(name)) continue;
      if (ns === '' && ['nn', 'dino', 'io', 'data'].includes(name)) continue;
      assert.ok(name in n, `${ns || 'mini-dino'}.${name} exists in the Node entry`);
      assert.ok(n[name] === value, `${ns || 'mini-dino'}.${name} is the same object`);
    }
  };
  const b = browser as unknown as Record<string, Record<string, unknown>>;
  const n = node as unknown as Record<string, Record<string, unknown>>;
  check(b, n, '');
  for (const ns of ['nn', 'dino', 'io', 'data']) check(b[ns], n[ns], ns);
  // what a browser needs in place of files
  for (const name of ['checkpointBytes', 'checkpointFromSafetensors', 'backboneFromSafetensors'])
    assert.type(browser.dino[name as keyof typeof browser.dino], 'function', name);
  assert.type(browser.io.parseSafetensors, 'function');
  assert.type(browser.data.fetchEmbeddedFashionMnist, 'function');
  assert.type(browser.dino.trainStep, 'function');
  assert.not.ok('trainDino' in browser.dino, 'the CLI loop (files) is not in the browser entry');
});

test.run();
