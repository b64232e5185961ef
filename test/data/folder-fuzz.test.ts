// Fuzzing image folders: random trees of class folders and nested folders holding valid PNG and
// JPEG images (grey and RGB, odd sizes), damaged ones, random bytes, empty and hidden files,
// symlinks (to files, to folders, to their own ancestors: loops, and dangling ones) and named
// pipes; loaded alone and as train/ + val/ pairs. Every outcome is a dataset whose images, labels
// and classes are consistent, or a one-line error naming the folder, within bounded time and
// memory: never another exception, a hang (a pipe read) or an explosion (a link loop).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { loadImageFolder, loadTrainValFolders } from '../../src/data/folder.js';
import type { ImageDataset } from '../../src/data/image-dataset.js';

const tmp = mkdtempSync(join(tmpdir(), 'mini-dino-folderfuzz-'));
const pipe = join(tmp, 'pipe');
execFileSync('mkfifo', [pipe]);

function png(w: number, h: number, rgb: boolean): Buffer {
  const p = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) p.data.set([i * 7, rgb ? i * 3 : i * 7, i * 7, 255], 4 * i);
  return PNG.sync.write(p, { colorType: rgb ? 2 : 0 });
}
const SOURCES = [
  png(3, 2, false),
  png(5, 7, true),
  png(1, 1, false),
  Buffer.from(jpeg.encode({ data: Buffer.alloc(6 * 4 * 4, 120), width: 6, height: 4 }, 80).data),
];

type Node =
  | { kind: 'image'; which: number; flips: [number, number][]; cut: number | null }
  | { kind: 'junk'; bytes: Uint8Array }
  | { kind: 'dir'; children: [string, Node][] }
  | { kind: 'link'; up: number; target: number }
  | { kind: 'pipe' };

const name = fc.constantFrom('a', 'b', 'c', 'x.png', 'y.jpg', '.hidden', 'z z', 'é');
const leaf: fc.Arbitrary<Node> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('image' as const),
      which: fc.nat(SOURCES.length - 1),
      flips: fc.oneof(
        { weight: 3, arbitrary: fc.constant([] as [number, number][]) },
        fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 3 }),
      ),
      cut: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, fc.nat()),
    }),
  },
  fc.record({ kind: fc.constant('junk' as const), bytes: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({ kind: fc.constant('link' as const), up: fc.nat(3), target: fc.nat() }),
  { weight: 1, arbitrary: fc.constant({ kind: 'pipe' as const }) },
);
const tree: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((t) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({
      kind: fc.constant('dir' as const),
      children: fc.uniqueArray(fc.tuple(name, t('node')), {
        maxLength: 4,
        selector: ([n]) => n,
      }),
    }),
  ),
})).node;
const root = fc.record({
  kind: fc.constant('dir' as const),
  children: fc.uniqueArray(fc.tuple(name, tree), {
    minLength: 1,
    maxLength: 5,
    selector: ([n]) => n,
  }),
});

/** Writes `node` at `path`; links point to an ancestor (`up` levels) or to one of its entries. */
function materialise(node: Node, path: string, ancestors: string[]): void {
  switch (node.kind) {
    case 'dir':
      mkdirSync(path);
      for (const [n, child] of node.children)
        materialise(child, join(path, n), [...ancestors, path]);
      return;
    case 'image': {
      let bytes: Uint8Array = Uint8Array.from(SOURCES[node.which]);
      for (const [pos, v] of node.flips) bytes[pos % bytes.length] = v;
      if (node.cut !== null) bytes = bytes.subarray(0, node.cut % (bytes.length + 1));
      writeFileSync(path, bytes);
      return;
    }
    case 'junk':
      writeFileSync(path, node.bytes);
      return;
    case 'link': {
      const base = ancestors[Math.max(0, ancestors.length - 1 - node.up)];
      const target = node.target % 3 === 0 ? join(base, 'missing') : base;
      symlinkSync(target, path);
      return;
    }
    case 'pipe':
      symlinkSync(pipe, path); // one named pipe for all (mkfifo per case is a process spawn)
  }
}

function consistent(ds: ImageDataset): void {
  assert.ok(ds.length >= 1);
  for (let i = 0; i < ds.length; i++) {
    const img = ds.image(i);
    assert.is(img.channels, ds.channels);
    assert.is(img.data.length, img.height * img.width * img.channels);
  }
  if (ds.labels) {
    assert.ok(ds.classes && ds.labels.length === ds.length);
    for (const l of ds.labels) assert.ok(l >= 0 && l < ds.classes!.length, `label ${l}`);
  }
}

let slowest = 0;
const counts = { loaded: 0, refused: 0 };
function attempt(dir: string, load: () => void): void {
  const t0 = performance.now();
  try {
    load();
    counts.loaded++;
  } catch (e) {
    const m = (e as Error).message;
    if (!m.startsWith(dir) || m.includes('\n'))
      throw new Error(`not a clear error naming ${dir}: ${(e as Error).stack}`, { cause: e });
    counts.refused++;
  } finally {
    slowest = Math.max(slowest, performance.now() - t0);
  }
}

test('random trees: a consistent dataset or an error naming the folder', () => {
  let k = 0;
  fc.assert(
    fc.property(root, root, (a, b) => {
      const dir = join(tmp, `t${k++}`);
      mkdirSync(dir);
      materialise(a, join(dir, 'train'), [dir]);
      materialise(b, join(dir, 'val'), [dir]);
      const quiet = { warn: () => {} };
      attempt(join(dir, 'train'), () => consistent(loadImageFolder(join(dir, 'train'), quiet)));
      attempt(dir, () => {
        const s = loadTrainValFolders(join(dir, 'train'), join(dir, 'val'), quiet);
        consistent(s.train);
        consistent(s.test);
        assert.is(s.train.channels, s.test.channels);
        assert.equal(s.test.classes, s.train.classes);
      });
      rmSync(dir, { recursive: true });
    }),
    { numRuns: 120, seed: 3 },
  );
  console.log(
    `  ${counts.loaded} loaded, ${counts.refused} refused; slowest ${slowest.toFixed(0)} ms`,
  );
  assert.ok(counts.loaded > 20 && counts.refused > 20, JSON.stringify(counts));
});

test('time and memory stay bounded', () => {
  // generous for a loaded machine: a hang never ends, the bombs took 51 s and more
  assert.ok(slowest < 10_000, `slowest load ${slowest} ms`);
  const peakMb = process.resourceUsage().maxRSS / 1024;
  assert.ok(peakMb < 1024, `peak RSS ${peakMb.toFixed(0)} MB`);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
