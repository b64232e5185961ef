// The demo's server (demo/serve.ts): the page and the embedded data with the cross-origin
// isolation headers on every response (SharedArrayBuffer and WebAssembly threads need them),
// nothing outside its two folders, GET and HEAD only.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ISOLATION_HEADERS, serveDemo } from '../../demo/serve.js';
import { embeddedDataDir } from '../../src/data/embedded.js';

const outDir = mkdtempSync(join(tmpdir(), 'demo-serve-'));
writeFileSync(join(outDir, 'index.html'), '<!doctype html><title>t</title>');
writeFileSync(join(outDir, 'main.js'), 'export {};');

test('the page, the data and the isolation headers; nothing else', async () => {
  const server = await serveDemo({ outDir });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const get = (path: string, init?: RequestInit) => fetch(new URL(path, server.url), init);
    const page = await get('/');
    assert.is(page.status, 200);
    assert.is(await page.text(), '<!doctype html><title>t</title>');
    assert.is(page.headers.get('content-type'), 'text/html; charset=utf-8');
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) assert.is(page.headers.get(k), v, k);
    assert.is(
      (await get('/main.js')).headers.get('content-type'),
      'text/javascript; charset=utf-8',
    );

    const name = 'train-labels-idx1-ubyte.gz';
    const data = await get(`/data/${name}`);
    assert.is(data.status, 200);
    assert.is(data.headers.get('cross-origin-embedder-policy'), 'require-corp');
    const bytes = new Uint8Array(await data.arrayBuffer());
    assert.ok(Buffer.from(bytes).equals(readFileSync(join(embeddedDataDir(), name))));

    for (const path of ['/missing.js', '/%2e%2e/package.json', '/data/%2e%2e/README.md']) {
      const r = await get(path);
      assert.is(r.status, 404, path);
      assert.is(r.headers.get('cross-origin-opener-policy'), 'same-origin', path);
    }
    assert.is((await get('/', { method: 'POST' })).status, 405);
    assert.is((await get('/', { method: 'HEAD' })).status, 200);
  } finally {
    await server.close();
  }
});

test.after(() => rmSync(outDir, { recursive: true, force: true }));

test.run();
