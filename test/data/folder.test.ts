// Image folders: PNG and JPEG files generated in a temp dir (class sub-folders and flat), grey vs
// RGB detection, alpha dropped, corrupt and unsupported files reported by name and skipped, empty
// folders as clear errors, and fuzzed image bytes giving a clear error, never a crash.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadDataset } from '../../src/data/dataset.js';
import { loadImageFolder } from '../../src/data/folder.js';
import { ImageDecodeError, decodeImage } from '../../src/data/image.js';

const tmp = mkdtempSync(join(tmpdir(), 'mini-dino-folder-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

type Px = (x: number, y: number) => [number, number, number, number];

function png(w: number, h: number, px: Px, colorType: 0 | 2 | 4 | 6 = 6): Buffer {
  const p = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) p.data.set(px(x, y), (y * w + x) * 4);
  return PNG.sync.write(p, { colorType });
}

function jpg(w: number, h: number, px: Px, quality = 95): Buffer {
  const data = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(px(x, y), (y * w + x) * 4);
  return jpeg.encode({ data, width: w, height: h }, quality).data;
}

const grey: Px = (x, y) => {
  const v = (x * 20 + y * 7) & 255;
  return [v, v, v, 255];
};
const colour: Px = (x, y) => [x * 30, y * 30, 128, 255];

function folder(files: Record<string, Buffer | string>): string {
  const dir = mkdtempSync(join(tmp, 'f-'));
  for (const [name, bytes] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  return dir;
}

function collect(): { warn: (m: string) => void; messages: string[] } {
  const messages: string[] = [];
  return { warn: (m) => messages.push(m), messages };
}

test('class sub-folders: labels, sorted class names, grey PNGs as 1 channel, sizes kept', () => {
  const dir = folder({
    'shoe/a.png': png(5, 4, grey, 0),
    'shoe/nested/b.png': png(6, 6, grey, 0),
    'bag/c.png': png(5, 4, grey, 6),
  });
  const w = collect();
  const ds = loadImageFolder(dir, w);
  assert.equal(w.messages, []);
  assert.equal(ds.classes, ['bag', 'shoe']);
  assert.equal(Array.from(ds.labels!), [0, 1, 1]);
  assert.is(ds.channels, 1);
  assert.is(ds.height, null, 'sizes differ');
  const a = ds.image(1);
  assert.equal([a.height, a.width, a.channels], [4, 5, 1]);
  assert.is(a.data[2 * 5 + 3], (3 * 20 + 2 * 7) & 255);
  assert.equal([ds.image(2).height, ds.image(2).width], [6, 6]);
});

test('one colour image makes the folder RGB (grey images replicated); alpha is dropped', () => {
  const dir = folder({
    'g.png': png(3, 2, grey, 0),
    'c.png': png(3, 2, (x, y) => [x * 30, y * 30, 128, x * 100], 6),
  });
  const ds = loadImageFolder(dir, collect());
  assert.is(ds.channels, 3);
  assert.is(ds.labels, undefined, 'flat folder: unlabelled');
  const c = ds.image(0); // c.png sorts first
  // pixel (2, 1), alpha 200 ignored
  assert.equal(Array.from(c.data.subarray(3 * 5, 3 * 6)), [60, 30, 128]);
  const g = ds.image(1);
  assert.equal([g.channels, g.data.length], [3, 18]);
  assert.equal(Array.from(g.data.subarray(3, 6)), [20, 20, 20]);
  assert.equal([ds.height, ds.width], [2, 3]);
});

test('JPEG files decode (lossy, close to the source); a grey JPEG is 1 channel', () => {
  const smooth: Px = (x, y) => {
    const v = 40 + x * 8 + y * 4;
    return [v, v, v, 255];
  };
  const dir = folder({ 'x/a.jpg': jpg(16, 8, smooth), 'x/b.JPEG': jpg(16, 8, smooth) });
  const ds = loadImageFolder(dir, collect());
  assert.equal([ds.length, ds.channels, ds.height, ds.width], [2, 1, 8, 16]);
  const d = ds.image(0).data;
  for (let y = 0; y < 8; y++)
    for (let x = 0; x < 16; x++) assert.ok(Math.abs(d[y * 16 + x] - (40 + x * 8 + y * 4)) <= 6);
  const rgb = decodeImage(jpg(16, 8, colour), 'c.jpg');
  assert.is(rgb.channels, 3);
});

test('corrupt and unsupported files are reported by name and skipped', () => {
  const good = png(4, 4, grey, 0);
  const broken = Buffer.from(good);
  broken[40] ^= 0xff; // inside IDAT: CRC mismatch
  const dir = folder({
    'cls/ok.png': good,
    'cls/broken.png': broken,
    'cls/truncated.jpg': jpg(8, 8, colour).subarray(0, 100),
    'cls/notes.txt': 'not an image',
    'cls/.DS_Store': 'hidden files are ignored silently',
    'stray.png': good,
  });
  const w = collect();
  const ds = loadImageFolder(dir, w);
  assert.is(ds.length, 1);
  assert.equal(ds.classes, ['cls']);
  const text = w.messages.join('\n');
  for (const name of ['broken.png', 'truncated.jpg', 'notes.txt', 'stray.png'])
    assert.ok(text.includes(name), `${name} reported in:\n${text}`);
  assert.not.ok(text.includes('.DS_Store'));
  assert.is(w.messages.length, 4);
  assert.ok(w.messages.find((m) => m.includes('notes.txt'))!.includes('unsupported format'));
});

test('an empty folder, or one without a decodable image, is an error naming the folder', () => {
  const empty = folder({});
  assert.throws(
    () => loadImageFolder(empty, collect()),
    (e: Error) => e.message.includes(empty) && e.message.includes('empty'),
  );
  const bad = folder({ 'a/x.png': 'garbage', 'a/y.txt': 'text' });
  const w = collect();
  assert.throws(
    () => loadImageFolder(bad, w),
    (e: Error) => e.message.includes(bad) && e.message.includes('2 file(s)'),
  );
  assert.is(w.messages.length, 3, 'two files and the empty class folder reported');
  assert.throws(() => loadImageFolder(join(tmp, 'absent'), collect()), /absent.*ENOENT/);
  assert.throws(
    () => loadDataset(empty, collect()),
    (e: Error) => e.message.includes(empty),
  );
});

test('loadDataset on an image folder returns it as train only', () => {
  const dir = folder({ 'a/1.png': png(2, 2, grey, 0), 'b/1.png': png(2, 2, grey, 0) });
  const d = loadDataset(dir, collect());
  assert.is(d.train.length, 2);
  assert.is(d.test, undefined);
});

test(
  'fuzz: mutated or truncated PNG/JPEG bytes decode or throw an ImageDecodeError ' +
    'naming the file',
  () => {
    const sources = [
      png(6, 5, colour, 6),
      png(6, 5, grey, 0),
      jpg(9, 7, colour, 80),
      jpg(9, 7, grey, 50),
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: sources.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.option(fc.nat()),
        (which, edits, cut) => {
          let bytes: Uint8Array = Uint8Array.from(sources[which]);
          for (const [pos, v] of edits) bytes[pos % bytes.length] = v;
          if (cut !== null) bytes = bytes.subarray(0, cut % bytes.length);
          try {
            const img = decodeImage(bytes, 'fuzz/file.img');
            assert.is(img.data.length, img.height * img.width * img.channels);
          } catch (e) {
            assert.instance(e, ImageDecodeError);
            assert.ok((e as Error).message.startsWith('fuzz/file.img: '), (e as Error).message);
          }
        },
      ),
      { numRuns: 400 },
    );
  },
);

test('a PNG header announcing a huge image is refused before decoding', () => {
  const bytes = Uint8Array.from(png(2, 2, grey, 0));
  new DataView(bytes.buffer).setUint32(16, 100000); // width
  new DataView(bytes.buffer).setUint32(20, 100000); // height
  assert.throws(() => decodeImage(bytes, 'huge.png'), /huge\.png: image too large/);
});

test.run();
