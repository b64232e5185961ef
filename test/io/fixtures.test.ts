// The checked-in PyTorch parity fixtures (test/fixtures/README.md, format mini-dino-oracle-v1):
// each loads, holds the configuration tools/make-fixtures.sh wrote, the expected number of
// tensors with shapes implied by its config, and the semantics the README promises (teacher =
// student and center 0 for the initial one; the EMA and center update relations after the
// step; clipping exercised). Also: clear errors for wrong formats and missing tensors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import {
  type OracleConfig,
  OracleFixtureError,
  loadOracleFixture,
  loadOracleFixtureSync,
  parseOracleFixture,
} from '../../src/io/oracle.js';
import { parseSafetensors, serializeSafetensors } from '../../src/io/safetensors.js';
import type { Tensor } from '../../src/tensor/tensor.js';

const common = {
  patch: 4,
  dim: 16,
  depth: 2,
  mlpRatio: 4,
  headHidden: 32,
  headBottleneck: 16,
  globalCrops: 2,
  studentTemp: 0.1,
  centerMomentum: 0.9,
  ema: 0.996,
  lr: 5e-4,
  wd: 0.04,
};
const fixtures: [string, Partial<OracleConfig>, { pre: boolean }][] = [
  [
    'initial-1ch',
    {
      ...common,
      inChans: 1,
      img: 16,
      heads: 2,
      outDim: 64,
      batch: 2,
      localCrops: 2,
      localImg: 16,
      clipGrad: 0,
      teacherTemp: 0.04,
    },
    { pre: false },
  ],
  [
    'prestep-3ch-clip',
    {
      ...common,
      inChans: 3,
      img: 16,
      heads: 4,
      outDim: 96,
      batch: 3,
      localCrops: 2,
      localImg: 8,
      clipGrad: 1,
      teacherTemp: 0.04,
    },
    { pre: true },
  ],
  [
    'multicrop-1ch-interp',
    {
      ...common,
      inChans: 1,
      img: 28,
      heads: 2,
      outDim: 64,
      batch: 2,
      localCrops: 3,
      localImg: 12,
      clipGrad: 3,
      teacherTemp: 0.07,
    },
    { pre: true },
  ],
];

const values = (t: Tensor): number[] => Array.from(t.dataSync());
const maxAbsDiff = (a: number[], b: number[]): number =>
  a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
const norm = (a: number[]): number => Math.sqrt(a.reduce((s, x) => s + x * x, 0));

for (const [name, want, { pre }] of fixtures) {
  test(`fixture ${name}: config, tensor count and shapes, semantics`, () => {
    const f = loadOracleFixtureSync(`test/fixtures/${name}.safetensors`);
    const c = f.config;
    assert.equal({ ...c, ...want }, c, 'config as written by tools/make-fixtures.sh');
    assert.is(f.metadata.pre_steps, pre ? '1' : '0');
    // 14 + 12·depth state-dict keys; 4 copies (student, teacher, both after); grads for all but
    // weight_g.
    const P = 14 + 12 * c.depth;
    const nCrops = c.globalCrops + c.localCrops;
    assert.is(f.tensors.size, 4 * P + (P - 1) + nCrops + 13);
    assert.is(f.group('student.').size, P);
    assert.equal(f.get('student.blocks.1.attn.qkv.weight').shape, [3 * c.dim, c.dim]);
    assert.equal(f.get('grad.blocks.0.mlp.fc1.weight').shape, [c.dim * c.mlpRatio, c.dim]);
    assert.equal(f.get('teacher.head.mlp.0.weight').shape, [c.headHidden, c.dim]);
    assert.equal(f.get('student.head.last_layer.weight_g').shape, [c.outDim, 1]);
    assert.equal(
      f.crops().map((t) => t.shape[2]),
      [...Array(c.globalCrops).fill(c.img), ...Array(c.localCrops).fill(c.localImg)],
    );
    assert.ok(f.tensors.get('loss')!.dtype === 'float64' && f.get('loss').backend.name === 'cpu');

    const student = values(f.get('student.blocks.0.attn.qkv.weight'));
    const teacher = values(f.get('teacher.blocks.0.attn.qkv.weight'));
    const center = values(f.get('center'));
    if (pre) {
      assert.ok(
        maxAbsDiff(student, teacher) > 1e-6,
        'teacher differs from student after a pre-step',
      );
      assert.ok(norm(center) > 1e-3, 'center is not 0 after a pre-step');
    } else {
      for (const [k, t] of f.group('student.'))
        assert.equal(values(t), values(f.get(`teacher.${k}`)), k);
      assert.ok(center.every((x) => x === 0));
    }
    // EMA: teacher_after = m·teacher + (1 − m)·student_after, for every key.
    for (const k of f.group('student.').keys()) {
      const [t, s, ta] = [
        values(f.get(`teacher.${k}`)),
        values(f.get(`student_after.${k}`)),
        values(f.get(`teacher_after.${k}`)),
      ];
      assert.ok(
        maxAbsDiff(
          ta,
          t.map((x, i) => c.ema * x + (1 - c.ema) * s[i]),
        ) < 1e-15,
        k,
      );
    }
    // Center: center_after = μ·center + (1 − μ)·mean over rows of the teacher logits.
    const logits = values(f.get('out.teacher_logits'));
    const rows = c.batch * c.globalCrops;
    const mean = center.map(
      (_, j) =>
        Array.from({ length: rows }, (_, r) => logits[r * c.outDim + j]).reduce((a, b) => a + b) /
        rows,
    );
    assert.ok(
      maxAbsDiff(
        values(f.get('center_after')),
        center.map((x, j) => c.centerMomentum * x + (1 - c.centerMomentum) * mean[j]),
      ) < 1e-14,
    );
    assert.is(f.get('hparam.teacher_temp').itemSync(), c.teacherTemp);
    // Clipping: some but not all gradient tensors have a norm above clip_grad.
    if (c.clipGrad > 0) {
      const norms = [...f.group('grad.').values()].map((g) => norm(values(g)));
      const clipped = norms.filter((n) => n > c.clipGrad).length;
      assert.ok(clipped > 0 && clipped < norms.length, `${clipped} of ${norms.length} clipped`);
    }
    assert.ok(Number.isFinite(f.get('loss').itemSync()));
  });
}

test('the fixtures stay small (< 2 MB together) and load asynchronously too', async () => {
  const sizes = fixtures.map(([n]) => readFileSync(`test/fixtures/${n}.safetensors`).length);
  assert.ok(sizes.reduce((a, b) => a + b) < 2_000_000, `${sizes}`);
  const f = await loadOracleFixture('test/fixtures/initial-1ch.safetensors');
  assert.is(f.get('input.crop0').shape[1], 1);
});

/** The first fixture with a change applied to its tensors or metadata, re-serialized. */
function altered(
  edit: (
    t: Map<string, { dtype?: 'F64'; shape: number[]; data: ArrayLike<number> }>,
    m: Record<string, string>,
  ) => void,
): Uint8Array {
  const st = parseSafetensors(readFileSync('test/fixtures/initial-1ch.safetensors'));
  const tensors = new Map(
    [...st.tensors].map(([k, t]) => [k, { dtype: 'F64' as const, shape: t.shape, data: t.data }]),
  );
  const metadata = { ...st.metadata };
  edit(tensors, metadata);
  return serializeSafetensors(tensors, metadata);
}

test('clear errors naming the fixture: format, config, missing or mis-shaped tensor, get()', () => {
  const cases: [Uint8Array, string][] = [
    [
      altered((_, m) => (m.format = 'other-v2')),
      "unknown format 'other-v2' (expected 'mini-dino-oracle-v1')",
    ],
    [
      altered((_, m) => delete m.format),
      "no 'format' in the metadata (expected 'mini-dino-oracle-v1')",
    ],
    [
      altered((_, m) => (m.config = m.config.replace('"dim": 16', '"dim": "16"'))),
      `config field 'dim' must be a positive integer, got "16"`,
    ],
    [
      altered((_, m) => (m.config = m.config.replace(/"depth": 2, /, ''))),
      "config field 'depth' is missing",
    ],
    [altered((_, m) => (m.config = '{')), "the metadata 'config' is not valid JSON"],
    [altered((t) => t.delete('center_after')), "no tensor 'center_after'"],
    [
      altered((t) => t.delete('teacher_after.norm.bias')),
      "the 'teacher_after.' keys differ from the 'student.' keys (norm.bias)",
    ],
    [
      altered((t) => t.delete('grad.blocks.1.mlp.fc1.bias')),
      "no tensor 'grad.blocks.1.mlp.fc1.bias': every trainable student weight needs its gradient",
    ],
    [
      altered((t) => t.set('grad.norm.bias', { shape: [4, 4], data: new Float64Array(16) })),
      "tensor 'grad.norm.bias' has shape [4, 4], 'student.norm.bias' [16]",
    ],
    [
      altered((t) => t.set('center', { shape: [64], data: new Float64Array(64) })),
      "tensor 'center' has shape [64] but the config implies [1, 64]",
    ],
    [
      new Uint8Array(3),
      'not a valid safetensors file: safetensors: bad.safetensors: the file is 3 bytes',
    ],
  ];
  for (const [bytes, problem] of cases) {
    try {
      parseOracleFixture(bytes, 'bad.safetensors');
      assert.unreachable(`accepted: ${problem}`);
    } catch (e) {
      assert.instance(e, OracleFixtureError);
      assert.ok(
        (e as Error).message.startsWith(`oracle fixture bad.safetensors: ${problem}`),
        (e as Error).message,
      );
    }
  }
  const f = loadOracleFixtureSync('test/fixtures/initial-1ch.safetensors');
  assert.throws(
    () => f.get('student.blocks.0.attn.qkv.wieght'),
    /^oracle fixture test\/fixtures\/initial-1ch.safetensors: no tensor 'student.blocks.0.attn.qkv.wieght'/,
  );
  assert.throws(
    () => loadOracleFixtureSync('test/fixtures/none.safetensors'),
    /^oracle fixture test\/fixtures\/none.safetensors: cannot read the file/,
  );
});

test.run();
