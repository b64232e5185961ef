// Fuzzing the idx reader (Fashion-MNIST files): random magic, element type, dimension counts and
// sizes (0, huge, overflowing), data of the wrong length, gzip or not, truncated gzip streams and
// gzip bombs (a small stream that inflates past the limit), and whole folders of four fuzzed files.
// Every outcome is a result whose data matches its dimensions or a one-line error naming the
// file (or the folder), within bounded time and memory; never another exception.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { IDX_FILES, idxImages, idxLabels, loadIdxDirectory, parseIdx } from '../../src/data/idx.js';

const tmp = mkdtempSync(join(tmpdir(), 'mini-dino-idxfuzz-'));
let slowest = 0;

const idxBytes = fc
  .record({
    magic: fc.oneof(
      { weight: 8, arbitrary: fc.constant([0, 0]) },
      fc.tuple(fc.nat(255), fc.nat(255)),
    ),
    type: fc.oneof({ weight: 6, arbitrary: fc.constant(8) }, fc.nat(255)),
    dims: fc.array(
      fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 0, max: 12 }) },
        fc.constantFrom(2 ** 32 - 1, 2 ** 20),
      ),
      { maxLength: 4 },
    ),
    ndimsLie: fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, fc.nat(255)),
    extra: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, fc.integer({ min: -3, max: 3 })),
    gzip: fc.boolean(),
    cut: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, fc.nat()),
  })
  .map((c) => {
    const count = c.dims.reduce((a, b) => a * b, 1);
    const n = count <= 4096 ? Math.max(0, count + c.extra) : 64;
    const head = new Uint8Array(4 + 4 * c.dims.length);
    head.set([...c.magic, c.type, c.ndimsLie ?? c.dims.length]);
    c.dims.forEach((d, i) => new DataView(head.buffer).setUint32(4 + 4 * i, d, false));
    let bytes = new Uint8Array(head.length + n);
    bytes.set(head);
    for (let i = 0; i < n; i++) bytes[head.length + i] = (i * 37) & 255;
    if (c.gzip) bytes = new Uint8Array(gzipSync(bytes));
    if (c.cut !== null) bytes = bytes.subarray(0, c.cut % (bytes.length + 1));
    return bytes;
  });

function clear(e: unknown, name: string): void {
  const m = (e as Error).message;
  if (!(e instanceof Error) || !m.startsWith(`${name}: `) || m.includes('\n'))
    throw new Error(`not a clear error naming ${name}: ${(e as Error)?.stack ?? String(e)}`);
}

test('parseIdx, idxImages, idxLabels: a matching result or an error naming the file', () => {
  let ok = 0;
  fc.assert(
    fc.property(idxBytes, (bytes) => {
      const t0 = performance.now();
      try {
        const r = parseIdx(bytes, 'f.idx', { maxBytes: 1 << 20 });
        assert.is(
          r.data.length,
          r.dims.reduce((a, b) => a * b, 1),
        );
        ok++;
        for (const view of [() => idxImages(r, 'f.idx'), () => idxLabels(r, 'f.idx')]) {
          try {
            view();
          } catch (e) {
            clear(e, 'f.idx');
          }
        }
      } catch (e) {
        clear(e, 'f.idx');
      } finally {
        slowest = Math.max(slowest, performance.now() - t0);
      }
    }),
    { numRuns: 1500, seed: 7 },
  );
  console.log(`  ${ok} of 1500 parsed`);
  assert.ok(ok > 100, `${ok} parsed`);
});

test('a gzip bomb stops at the limit with a clear error', () => {
  const raw = new Uint8Array(8 + (4 << 20));
  raw.set([0, 0, 8, 1]);
  new DataView(raw.buffer).setUint32(4, 4 << 20, false);
  const bomb = gzipSync(raw, { level: 9 }); // 4 MiB of zeros in ~4 KB
  assert.ok(bomb.length < 10_000);
  assert.throws(
    () => parseIdx(bomb, 'bomb.gz', { maxBytes: 1 << 20 }),
    (e: Error) =>
      e.message === 'bomb.gz: decompresses to more than 1048576 bytes, the limit for an idx file',
  );
  assert.is(parseIdx(bomb, 'bomb.gz', { maxBytes: 8 << 20 }).data.length, 4 << 20);
});

test('folders of four fuzzed idx files: splits or an error naming a file or the folder', () => {
  let k = 0;
  let loaded = 0;
  fc.assert(
    fc.property(fc.array(idxBytes, { minLength: 4, maxLength: 4 }), fc.nat(15), (files, which) => {
      const dir = join(tmp, `d${k++}`);
      const names = Object.values(IDX_FILES);
      // keep some valid pairs: an image file [n, 2, 2] and a label file [n]
      const valid = [
        Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, ...new Array(8).fill(9)),
        Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 2, 3, 1),
      ];
      mkdirSync(dir);
      names.forEach((n, i) =>
        writeFileSync(join(dir, n), which & (1 << i) ? valid[i % 2] : files[i]),
      );
      const t0 = performance.now();
      try {
        const s = loadIdxDirectory(dir);
        assert.is(s.train.labels!.length, s.train.length);
        assert.is(s.test.labels!.length, s.test.length);
        loaded++;
      } catch (e) {
        const m = (e as Error).message;
        assert.ok(m.startsWith(dir) && !m.includes('\n'), (e as Error).stack);
      } finally {
        slowest = Math.max(slowest, performance.now() - t0);
      }
      rmSync(dir, { recursive: true });
    }),
    { numRuns: 200, seed: 8 },
  );
  console.log(`  ${loaded} of 200 folders loaded`);
  assert.ok(loaded > 5, `${loaded} folders loaded`);
});

test('time and memory stay bounded', () => {
  // generous for a loaded machine: a hang never ends, a gzip bomb takes seconds per 100 MB
  assert.ok(slowest < 10_000, `slowest case ${slowest} ms`);
  const peakMb = process.resourceUsage().maxRSS / 1024;
  assert.ok(peakMb < 1024, `peak RSS ${peakMb.toFixed(0)} MB`);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
