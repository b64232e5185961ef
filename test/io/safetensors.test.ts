// safetensors reader and writer: random round trips, every readable dtype from hand-made bytes,
// a file from torch_dino.py's own writer, and the exact text of the errors for malformed files.
// Format: https://github.com/huggingface/safetensors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MAX_HEADER_KEYS,
  SafetensorsError,
  type TensorEntry,
  parseSafetensors,
  parseSafetensorsHeader,
  serializeSafetensors,
} from '../../src/io/safetensors.js';
import {
  readSafetensorsFile,
  readSafetensorsFileSync,
  writeSafetensorsFile,
} from '../../src/io/safetensors-file.js';
import { halfToFloat } from '../../src/io/safetensors-dtypes.js';
import { entryArb, metadataArb, rawFile } from './helpers.js';

const sameValue = (a: number, b: number): boolean =>
  Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

test('round trip: serialize then parse gives the same tensors, order and metadata', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(fc.string({ unit: 'binary', maxLength: 12 }), entryArb), {
        selector: ([n]) => n,
        maxLength: 6,
      }),
      metadataArb,
      fc.boolean(),
      (list, metadata, flip) => {
        const entries = list.filter(([n]) => n !== '__metadata__');
        const bytes = serializeSafetensors(entries, metadata);
        const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
        assert.is(headerLen % 8, 0);
        // A pooled Node Buffer (non-zero byteOffset, and a .slice() that is a view) reads the same.
        const st = parseSafetensors(flip ? Buffer.from(bytes) : bytes);
        assert.equal(
          [...st.tensors.keys()],
          entries.map(([n]) => n),
        );
        for (const [name, e] of entries) {
          const got = st.tensors.get(name)!;
          assert.is(got.dtype, e.dtype);
          assert.equal(got.shape, [...e.shape]);
          assert.is(got.data.length, e.data.length);
          const want = e.dtype === 'F32' ? Float32Array.from(e.data) : e.data;
          for (let i = 0; i < want.length; i++)
            if (!sameValue(got.data[i], want[i]))
              assert.unreachable(`${name}[${i}]: ${got.data[i]} != ${want[i]}`);
        }
        assert.equal({ ...st.metadata }, Object.keys(metadata).length > 0 ? { ...metadata } : {});
      },
    ),
    { numRuns: 150 },
  );
});

test('F16, BF16 and integer dtypes decode to the right values (little-endian, unaligned)', () => {
  const u16 = (xs: number[]) => new Uint8Array(new Uint16Array(xs).buffer);
  const f16 = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x7c00, 0xfc00, 0x8000, 0x3555];
  const bf16 = [0x3f80, 0xc040, 0x7f80, 0x0001, 0x4049];
  const parts: [string, string, number[], Uint8Array][] = [
    ['b', 'BOOL', [3], new Uint8Array([0, 1, 7])], // odd offsets: everything after is unaligned
    ['h', 'F16', [f16.length], u16(f16)],
    ['bf', 'BF16', [bf16.length], u16(bf16)],
    ['i8', 'I8', [2], new Uint8Array([0xff, 0x7f])],
    ['u8', 'U8', [2], new Uint8Array([0xff, 0])],
    ['i16', 'I16', [2], u16([0xffff, 0x7fff])],
    ['u16', 'U16', [1], u16([0xffff])],
    ['u32', 'U32', [1], new Uint8Array(new Uint32Array([0xffffffff]).buffer)],
    ['i64', 'I64', [2], new Uint8Array(new BigInt64Array([-(2n ** 53n) + 1n, 5n]).buffer)],
    ['u64', 'U64', [1], new Uint8Array(new BigUint64Array([2n ** 53n - 1n]).buffer)],
    ['i32', 'I32', [1, 1], new Uint8Array(new Int32Array([-7]).buffer)],
    ['f64', 'F64', [], new Uint8Array(new Float64Array([Math.PI]).buffer)],
  ];
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const [name, dtype, shape, b] of parts) {
    header[name] = { dtype, shape, data_offsets: [off, off + b.length] };
    off += b.length;
  }
  const data = new Uint8Array(off);
  off = 0;
  for (const [, , , b] of parts) {
    data.set(b, off);
    off += b.length;
  }
  const st = parseSafetensors(rawFile(header, data));
  const get = (n: string) => Array.from(st.tensors.get(n)!.data);
  assert.equal(get('b'), [0, 1, 1]);
  assert.equal(get('h'), [
    1,
    -2,
    65504,
    2 ** -24,
    1023 * 2 ** -24,
    Infinity,
    -Infinity,
    -0,
    Math.fround(halfToFloat(0x3555)),
  ]);
  assert.ok(Math.abs(get('h')[8] - 1 / 3) < 1e-3);
  assert.equal(get('bf').slice(0, 3), [1, -3, Infinity]);
  assert.is(get('bf')[3], new Float32Array(new Uint32Array([0x00010000]).buffer)[0]);
  assert.ok(Math.abs(get('bf')[4] - Math.PI) < 0.01);
  assert.equal(get('i8'), [-1, 127]);
  assert.equal(get('u8'), [255, 0]);
  assert.equal(get('i16'), [-1, 32767]);
  assert.equal(get('u16'), [65535]);
  assert.equal(get('u32'), [4294967295]);
  assert.equal(get('i64'), [-(2 ** 53) + 1, 5]);
  assert.equal(get('u64'), [2 ** 53 - 1]);
  assert.equal(get('i32'), [-7]);
  assert.equal(st.tensors.get('i32')!.shape, [1, 1]);
  assert.equal(get('f64'), [Math.PI]);
  assert.ok(
    st.tensors.get('u32')!.data instanceof Float64Array &&
      st.tensors.get('i8')!.data instanceof Int32Array,
  );
});

test(
  'reads a file written by torch_dino.py save_safetensors (F64, F32, ' +
    'I64, I32, scalar, empty, unicode)',
  () => {
    const st = readSafetensorsFileSync('test/fixtures/torch-writer-dtypes.safetensors');
    assert.equal(st.metadata, { format: 'torch-writer-test', note: 'ünïcode ✓' });
    assert.equal(
      [...st.tensors.keys()],
      ['f64.matrix', 'f32.vector', 'i64.ids', 'i32.scalar', 'f32.empty', 'näme.名前'],
    );
    const t = (n: string) => st.tensors.get(n)!;
    assert.equal(t('f64.matrix').shape, [2, 3]);
    assert.equal(
      Array.from(t('f64.matrix').data),
      [0, 1, 2, 3, 4, 5].map((i) => i / 8 - 0.25),
    );
    assert.equal(Array.from(t('f32.vector').data), [1.5, -2.25, Math.fround(3e-8), 65504]);
    assert.equal(Array.from(t('i64.ids').data), [-(2 ** 40), 0, 7]);
    assert.equal([t('i32.scalar').shape, Array.from(t('i32.scalar').data)], [[], [42]]);
    assert.equal([t('f32.empty').shape, t('f32.empty').data.length], [[0, 3], 0]);
    assert.equal(Array.from(t('näme.名前').data), [-1]);
  },
);

const F32x4 = { dtype: 'F32', shape: [2, 2] };
const malformed: [string, Uint8Array, string][] = [
  ['4 bytes', new Uint8Array(4), 'the file is 4 bytes, too short for the 8-byte header length'],
  [
    'header length 1',
    rawFile('{', 0, 1),
    "the header length is 1 bytes; the smallest header, '{}', is 2",
  ],
  [
    'header length past the end',
    rawFile('{}', 0, 100),
    'the header length is 100 bytes but the file has only 2 bytes after the length field',
  ],
  [
    'header length 2^40',
    rawFile('{}', 0, 2 ** 40),
    'the header length is 1099511627776 bytes, more than the 100000000-byte limit',
  ],
  [
    'not UTF-8',
    rawFile(new Uint8Array([0x7b, 0xff, 0x7d, 0x20]), 0),
    'the header is not valid UTF-8',
  ],
  ['an array', rawFile('[1,2]', 0), 'the header must be a JSON object, got [1,2]'],
  [
    'unknown dtype',
    rawFile({ x: { ...F32x4, dtype: 'F7', data_offsets: [0, 16] } }, 16),
    `tensor 'x' has unknown dtype "F7" (supported: F64, F32, F16, BF16, ` +
      `I64, I32, I16, I8, U64, U32, U16, U8, BOOL)`,
  ],
  [
    'float8',
    rawFile({ x: { ...F32x4, dtype: 'F8_E4M3', data_offsets: [0, 4] } }, 4),
    `tensor 'x' has dtype F8_E4M3, which mini-dino does not read (supported: ` +
      `F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL)`,
  ],
  [
    'negative dim',
    rawFile({ x: { ...F32x4, shape: [2, -2], data_offsets: [0, 16] } }, 16),
    `tensor 'x' has shape [2,-2], which is not an array of non-negative integers`,
  ],
  ['no offsets', rawFile({ x: F32x4 }, 16), `tensor 'x' has no data_offsets`],
  [
    'begin > end',
    rawFile({ x: { ...F32x4, data_offsets: [16, 0] } }, 16),
    `tensor 'x' has data_offsets [16, 0] with begin > end`,
  ],
  [
    'past the data',
    rawFile({ x: { ...F32x4, data_offsets: [0, 16] } }, 12),
    `tensor 'x' has data_offsets [0, 16] beyond the data section, which is 12 bytes`,
  ],
  [
    'wrong size',
    rawFile({ x: { ...F32x4, data_offsets: [0, 12] } }, 12),
    `tensor 'x' has data_offsets [0, 12] but shape [2, 2] of F32 needs 16 bytes`,
  ],
  [
    'absurd shape',
    rawFile({ x: { ...F32x4, shape: [2 ** 40, 2 ** 40], data_offsets: [0, 16] } }, 16),
    `tensor 'x' has data_offsets [0, 16] but shape [1099511627776, 1099511627776] ` +
      `of F32 needs more than 9007199254740991 bytes`,
  ],
  [
    'overlap',
    rawFile({ a: { ...F32x4, data_offsets: [0, 16] }, b: { ...F32x4, data_offsets: [8, 24] } }, 24),
    `tensors 'a' [0, 16] and 'b' [8, 24] overlap`,
  ],
  [
    'hole',
    rawFile(
      { a: { ...F32x4, data_offsets: [0, 16] }, b: { ...F32x4, data_offsets: [20, 36] } },
      36,
    ),
    'the data section has a hole: bytes [16, 20) belong to no tensor',
  ],
  [
    'trailing bytes',
    rawFile({ a: { ...F32x4, data_offsets: [0, 16] } }, 20),
    'the data section has a hole: bytes [16, 20) at its end belong to no tensor',
  ],
  [
    'metadata number',
    rawFile({ __metadata__: { epoch: 3 } }, 0),
    `__metadata__ value 'epoch' must be a string, got 3`,
  ],
  [
    'I64 beyond 2^53',
    rawFile(
      { i: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } },
      new Uint8Array(new BigInt64Array([2n ** 60n]).buffer),
    ),
    `tensor 'i': element 0 of I64 is 1152921504606846976, beyond the ` +
      `±2^53 that a JS number holds exactly`,
  ],
];

for (const [what, bytes, problem] of malformed) {
  test(`malformed file (${what}): exact message`, () => {
    try {
      parseSafetensors(bytes, 'model.safetensors');
      assert.unreachable('parsed');
    } catch (e) {
      assert.instance(e, SafetensorsError);
      assert.is((e as Error).message, `safetensors: model.safetensors: ${problem}`);
    }
  });
}

test('serialize rejects bad entries with a message naming the tensor', () => {
  const bad: [Record<string, TensorEntry>, Record<string, string> | undefined, string][] = [
    [
      { w: { shape: [2, 3], data: new Float32Array(5) } },
      undefined,
      "tensor 'w' has 5 elements but shape [2, 3] needs 6",
    ],
    [
      { n: { dtype: 'I32', shape: [1], data: [0.5] } },
      undefined,
      "tensor 'n': element 0 is 0.5, not an integer in [-2147483648, 2147483647] as I32 needs",
    ],
    [
      { __metadata__: { shape: [], data: [1] } },
      undefined,
      'a tensor cannot be named __metadata__ (the key is reserved)',
    ],
    [{}, { epoch: 3 as unknown as string }, "metadata value 'epoch' must be a string, got 3"],
  ];
  for (const [entries, meta, problem] of bad) {
    assert.throws(
      () => serializeSafetensors(entries, meta, 'ckpt.safetensors'),
      (e: Error) =>
        e instanceof SafetensorsError && e.message === `safetensors: ckpt.safetensors: ${problem}`,
    );
  }
});

test(
  'an empty file set is valid; defaults: Float32Array -> F32, Float64Array ' + 'and arrays -> F64',
  () => {
    assert.equal(parseSafetensors(serializeSafetensors({})), { tensors: new Map(), metadata: {} });
    const st = parseSafetensors(
      serializeSafetensors({
        a: { shape: [1], data: new Float32Array([1]) },
        b: { shape: [1], data: [2] },
      }),
    );
    assert.equal([st.tensors.get('a')!.dtype, st.tensors.get('b')!.dtype], ['F32', 'F64']);
  },
);

test('parseSafetensorsHeader lists tensors in data order without decoding them', () => {
  const bytes = rawFile(
    {
      b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
      a: { dtype: 'F64', shape: [], data_offsets: [0, 8] },
    },
    12,
  );
  const h = parseSafetensorsHeader(bytes);
  assert.equal(
    h.entries.map((e) => [e.name, e.begin, e.end]),
    [
      ['a', 0, 8],
      ['b', 8, 12],
    ],
  );
  assert.is(h.dataStart, bytes.length - 12);
  assert.equal([...parseSafetensors(bytes).tensors.keys()], ['a', 'b']);
});

test('a header of 200 000 empty entries is refused before JSON.parse (which takes seconds)', () => {
  // 50 001 zero-size tensors: 200 004 keys. JSON.parse alone of 200 000 such entries took 3 s.
  const parts = Array.from(
    { length: 50_001 },
    (_, i) => `"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`,
  );
  // colons inside strings do not count: a metadata value full of them is fine
  const md = `"__metadata__":{"note":"${':'.repeat(300_000)}"}`;
  assert.throws(
    () => parseSafetensors(rawFile(`{${parts.join(',')}}`, 0), 'many.safetensors'),
    (e: Error) =>
      e.message ===
      `safetensors: many.safetensors: the header has 200004 JSON keys, more than the ` +
        `${MAX_HEADER_KEYS} accepted (about 50000 tensors)`,
  );
  const ok = parseSafetensors(rawFile(`{${md},${parts.slice(0, 1000).join(',')}}`, 0));
  assert.is(ok.tensors.size, 1000);
});

test(
  'files: write then read (async and sync), missing file is a safetensors ' + 'error naming it',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mini-dino-st-'));
    try {
      const path = join(dir, 'w.safetensors');
      await writeSafetensorsFile(
        path,
        { w: { shape: [2], data: new Float64Array([1, 2]) } },
        { epoch: '1' },
      );
      const st = await readSafetensorsFile(path);
      assert.equal(Array.from(st.tensors.get('w')!.data), [1, 2]);
      assert.equal(st.metadata, { epoch: '1' });
      assert.equal(readdirSync(dir), ['w.safetensors']);
      const missing = join(dir, 'nope.safetensors');
      assert.throws(
        () => readSafetensorsFileSync(missing),
        (e: Error) =>
          e instanceof SafetensorsError &&
          e.message.startsWith(`safetensors: ${missing}: cannot read the file (ENOENT`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test.run();
