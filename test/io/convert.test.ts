// Conversions between safetensors and mini-dino tensors (dtypes, shapes, exact float64 values,
// scopes), and the official checkpoint key prefixes (module., backbone., teacher./student.) as
// test/nn/vit.test.ts and the official utils.load_pretrained_weights describe them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  renameKeys,
  safetensorsFromTensors,
  safetensorsFromTensorsAsync,
  stripPrefixes,
  tensorsFromSafetensors,
} from '../../src/io/convert.js';
import { parseSafetensors, serializeSafetensors } from '../../src/io/safetensors.js';
import { cpu } from '../../src/tensor/cpu/index.js';
import { tensor } from '../../src/tensor/creation.js';
import { beginScope, endScope } from '../../src/tensor/tensor.js';

test('tensorsFromSafetensors: dtypes, shapes, values, names; ints become floats', () => {
  const st = parseSafetensors(
    serializeSafetensors({
      d: { shape: [2, 1], data: new Float64Array([0.1, -2]) },
      f: { shape: [3], data: new Float32Array([1.5, 2, 3]) },
      i: { dtype: 'I32', shape: [], data: [-4] },
      l: { dtype: 'I64', shape: [1], data: [2 ** 40] },
      e: { shape: [0, 2], data: new Float32Array(0) },
    }),
  );
  const t = tensorsFromSafetensors(st, { backend: cpu });
  assert.equal([...t.keys()], ['d', 'f', 'i', 'l', 'e']);
  assert.equal(
    [t.get('d')!.dtype, t.get('f')!.dtype, t.get('i')!.dtype, t.get('l')!.dtype],
    ['float64', 'float32', 'float32', 'float64'],
  );
  assert.equal(t.get('d')!.shape, [2, 1]);
  assert.equal(Array.from(t.get('d')!.dataSync()), [0.1, -2]);
  assert.equal(t.get('i')!.itemSync(), -4);
  assert.equal(Array.from(t.get('l')!.dataSync()), [2 ** 40]);
  assert.equal([t.get('e')!.shape, t.get('e')!.size], [[0, 2], 0]);
  assert.is(t.get('f')!.name, 'f');
  const as32 = tensorsFromSafetensors(st, { dtype: 'float32' });
  assert.is(as32.get('d')!.dtype, 'float32');
  assert.is(as32.get('d')!.dataSync()[0], Math.fround(0.1));
});

test('tensorsFromSafetensors keep: survives a scope; without keep it is disposed with it', () => {
  const st = parseSafetensors(serializeSafetensors({ w: { shape: [1], data: [1] } }));
  beginScope();
  const kept = tensorsFromSafetensors(st, { keep: true }).get('w')!;
  const plain = tensorsFromSafetensors(st).get('w')!;
  endScope();
  assert.not.ok(kept.isDisposed);
  assert.ok(plain.isDisposed);
});

test(
  'safetensorsFromTensors: float64 round trip is exact, Map or Record, ' + 'F32 on request',
  async () => {
    const w = tensor(
      [
        [1 / 3, -0.1],
        [1e-300, 7],
      ],
      { dtype: 'float64' },
    );
    const b = tensor([0.5, 0.25], { dtype: 'float32' });
    for (const entries of [
      safetensorsFromTensors({ w, b }),
      await safetensorsFromTensorsAsync(
        new Map([
          ['w', w],
          ['b', b],
        ]),
      ),
    ]) {
      const st = parseSafetensors(serializeSafetensors(entries));
      assert.equal([st.tensors.get('w')!.dtype, st.tensors.get('b')!.dtype], ['F64', 'F32']);
      assert.equal(Array.from(st.tensors.get('w')!.data), [1 / 3, -0.1, 1e-300, 7]);
      assert.equal(st.tensors.get('w')!.shape, [2, 2]);
    }
    const f32 = parseSafetensors(
      serializeSafetensors(safetensorsFromTensors({ w }, { dtype: 'F32' })),
    );
    assert.equal(Array.from(f32.tensors.get('w')!.data), [1 / 3, -0.1, 0, 7].map(Math.fround));
    assert.throws(() => safetensorsFromTensors({ x: [1] as never }), /'x' is not a Tensor/);
  },
);

const vit = ['cls_token', 'pos_embed', 'blocks.0.norm1.weight', 'norm.bias'];
const head = ['head.mlp.0.weight', 'head.last_layer.weight_g'];

test('stripPrefixes: a released backbone file has no prefixes', () => {
  const r = stripPrefixes(vit);
  assert.equal([...r.mapping.values()], vit);
  assert.equal([r.renamed, r.skipped, r.selected], [[], [], null]);
  assert.is(r.summary, 'no prefixes (4 keys kept as they are)');
});

test('stripPrefixes: a flattened training checkpoint takes the teacher, drops backbone.', () => {
  const keys = [
    ...vit.map((k) => `student.module.backbone.${k}`),
    ...head.map((k) => `student.module.${k}`),
    ...vit.map((k) => `teacher.backbone.${k}`),
    ...head.map((k) => `teacher.${k}`),
    'center',
    'epoch',
  ];
  const r = stripPrefixes(keys);
  assert.is(r.selected, 'teacher');
  assert.equal([...r.mapping.values()], [...vit, ...head]);
  assert.equal(r.renamed[0], { from: 'teacher.backbone.cls_token', to: 'cls_token' });
  assert.is(r.renamed.length, 6);
  assert.is(r.skipped.length, 8);
  assert.is(
    r.summary,
    "took 'teacher.' (6 keys); stripped 'backbone.' from 4 keys; skipped " +
      '8 other keys (student.module.backbone.cls_token, student.module.backbone.pos_embed, ' +
      'student.module.backbone.blocks.0.norm1.weight, …)',
  );
  const s = stripPrefixes(keys, { checkpointKey: 'student' });
  assert.equal([...s.mapping.values()], [...vit, ...head]);
  assert.match(s.summary, "stripped 'module.' from 6 keys; stripped 'backbone.' from 4 keys");
});

test('stripPrefixes: DDP keys (module.backbone.), student fallback, null keeps all', () => {
  const ddp = stripPrefixes(vit.map((k) => `module.backbone.${k}`));
  assert.equal([...ddp.mapping.values()], vit);
  assert.is(ddp.selected, null);
  const onlyStudent = stripPrefixes(vit.map((k) => `student.backbone.${k}`));
  assert.is(onlyStudent.selected, 'student');
  assert.match(onlyStudent.summary, "no 'teacher.' keys, so the student was taken");
  const all = stripPrefixes(['teacher.cls_token', 'student.cls_token', 'backbone.x'], {
    checkpointKey: null,
  });
  assert.equal([...all.mapping.values()], ['teacher.cls_token', 'student.cls_token', 'x']);
  // Only whole leading segments go: a key merely containing them is left alone.
  assert.equal(
    [...stripPrefixes(['blocks.0.module.w', 'modules.w']).mapping.values()],
    ['blocks.0.module.w', 'modules.w'],
  );
});

test(
  'stripPrefixes: collisions are an error naming both keys; renameKeys ' + 'applies a mapping',
  () => {
    assert.throws(
      () => stripPrefixes(['backbone.cls_token', 'cls_token']),
      /keys 'backbone.cls_token' and 'cls_token' both become 'cls_token'/,
    );
    const values = new Map([
      ['teacher.backbone.a', 1],
      ['teacher.head.b', 2],
      ['student.backbone.a', 3],
    ]);
    const renamed = renameKeys(values, stripPrefixes(values.keys()).mapping);
    assert.equal(
      [...renamed],
      [
        ['a', 1],
        ['head.b', 2],
      ],
    );
  },
);

test.run();
