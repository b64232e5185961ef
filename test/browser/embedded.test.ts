// The embedded Fashion-MNIST fetched as a browser does (src/browser/embedded.ts: fetch,
// DecompressionStream, idx-format.ts) is loadEmbeddedFashionMnist() to the last byte; plain idx
// files work too; a missing file and a corrupt gzip are errors that name the URL.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type FetchBytes, fetchEmbeddedFashionMnist } from '../../src/browser/embedded.js';
import { embeddedDataDir, loadEmbeddedFashionMnist } from '../../src/data/embedded.js';
import type { ImageDataset } from '../../src/data/image-dataset.js';

const BASE = 'http://127.0.0.1:1/data/';

/** A fetch that serves the embedded folder at BASE, passing the bytes through `edit`. */
function fetchFrom(edit: (name: string, bytes: Uint8Array) => Uint8Array | null): FetchBytes {
  return async (url) => {
    const name = url.slice(BASE.length);
    const bytes = edit(name, readFileSync(join(embeddedDataDir(), name)));
    return {
      ok: bytes !== null,
      status: bytes ? 200 : 404,
      statusText: bytes ? 'OK' : 'Not Found',
      arrayBuffer: async () => new Uint8Array(bytes ?? []).buffer,
    };
  };
}

function assertSame(got: ImageDataset, want: ImageDataset) {
  assert.is(got.name, want.name);
  assert.is(got.length, want.length);
  assert.is(got.channels, want.channels);
  assert.is(got.height, want.height);
  assert.is(got.width, want.width);
  assert.equal(got.classes, want.classes);
  assert.ok(Buffer.from(got.labels!.buffer).equals(Buffer.from(want.labels!.buffer)), 'labels');
  for (const i of [0, 1, got.length >> 1, got.length - 1])
    assert.equal(got.image(i), want.image(i), `image ${i}`);
}

test('the fetched embedded data equals loadEmbeddedFashionMnist()', async () => {
  const want = loadEmbeddedFashionMnist();
  const got = await fetchEmbeddedFashionMnist(
    BASE,
    fetchFrom((_, b) => b),
  );
  assertSame(got.train, want.train);
  assertSame(got.test, want.test);
  const pixels = (ds: ImageDataset) => {
    const out = new Uint8Array(ds.length * 784);
    for (let i = 0; i < ds.length; i++) out.set(ds.image(i).data, i * 784);
    return out;
  };
  assert.ok(Buffer.from(pixels(got.train)).equals(Buffer.from(pixels(want.train))), 'train pixels');
  assert.ok(Buffer.from(pixels(got.test)).equals(Buffer.from(pixels(want.test))), 'test pixels');
});

test('a server that already gunzipped the files (Content-Encoding) is fine', async () => {
  const got = await fetchEmbeddedFashionMnist(
    BASE,
    fetchFrom((_, b) => gunzipSync(b)),
  );
  assert.is(got.train.length, 10000);
  assert.equal(got.test.image(3), loadEmbeddedFashionMnist().test.image(3));
});

test('a missing file and a corrupt gzip name the URL', async () => {
  const missing = fetchFrom((n, b) => (n.startsWith('t10k-labels') ? null : b));
  try {
    await fetchEmbeddedFashionMnist(BASE, missing);
    assert.unreachable('a missing file must fail');
  } catch (e) {
    assert.match((e as Error).message, `${BASE}t10k-labels-idx1-ubyte.gz: HTTP 404 Not Found`);
  }
  const corrupt = fetchFrom((n, b) => (n.startsWith('train-labels') ? b.subarray(0, 40) : b));
  try {
    await fetchEmbeddedFashionMnist(BASE, corrupt);
    assert.unreachable('a corrupt gzip must fail');
  } catch (e) {
    assert.match((e as Error).message, `${BASE}train-labels-idx1-ubyte.gz: not a valid gzip file`);
  }
});

test.run();
