// VisionTransformer (official vision_transformer.py): parameter counts of the factories
// (the official README's table), the ViT-S/16 state-dict keys, shapes and order, the
// initialisation (_init_weights), strict and non-strict loadStateDict, getLastSelfAttention against
// a naive computation, getIntermediateLayers, and drop path (train mode only).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { select } from '../../src/autograd/index.js';
import { Module } from '../../src/nn/module.js';
import {
  VisionTransformer,
  vit_base,
  vit_small,
  vit_tiny,
  type ViTConfig,
} from '../../src/nn/vit.js';
import { tensor } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../autograd/helpers.js';

const shapesOf = (m: Module) =>
  [...m.stateDict()].map(([k, t]) => [k, [...t.shape]] as [string, number[]]);

function images(shape: number[], seed: number): Tensor {
  const g = new Generator(seed);
  return tensor(
    Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => g.normal()),
    { shape, dtype: 'float64' },
  );
}

/** A small float64 ViT for behaviour tests. */
function smallVit(config: Partial<ViTConfig> = {}, seed = 0): VisionTransformer {
  return new VisionTransformer(
    {
      imgSize: 12,
      patchSize: 4,
      inChans: 1,
      embedDim: 8,
      depth: 2,
      numHeads: 2,
      mlpRatio: 2,
      ...config,
    },
    { dtype: 'float64', generator: new Generator(seed) },
  );
}

// ViT-S/16 is built once (1.5 s) and shared by the key, count and init tests.
const vits16 = vit_small({ patchSize: 16 }, { generator: new Generator(1) });

test(
  'parameter counts at patch 16 equal the spec table (5 524 416 / 21 ' + '665 664 / 85 798 656)',
  () => {
    assert.is(vit_tiny({ patchSize: 16 }).numParameters(), 5_524_416);
    assert.is(vits16.numParameters(), 21_665_664);
    assert.is(vit_base({ patchSize: 16 }).numParameters(), 85_798_656);
  },
);

test(
  'parameter counts at patch 8 equal the spec table (5 526 720 / 21 ' + '670 272 / 85 807 872)',
  () => {
    assert.is(vit_tiny({ patchSize: 8 }).numParameters(), 5_526_720);
    // Only patch_embed and pos_embed depend on the patch size; the depth-12 stack of ViT-S/B is the
    // same as at patch 16, so for speed the patch-8 counts of those two are taken from depth-1
    // builds
    // plus the 11 other blocks counted in the full patch-16 model.
    const blocks11 = (m: VisionTransformer) =>
      m.blocks.slice(1).reduce((n, b) => n + b.numParameters(), 0);
    const small1 = vit_small({ patchSize: 8, depth: 1 });
    assert.is(small1.numParameters() + blocks11(vits16), 21_670_272);
    const base16 = vit_base({ patchSize: 16, depth: 2 });
    const base8 = vit_base({ patchSize: 8, depth: 1 });
    assert.is(base8.numParameters() + 11 * base16.blocks[1].numParameters(), 85_807_872);
    // and the factories are depth 12, 4× MLP, qkv bias, LayerNorm eps 1e-6, heads of 64 dims
    for (const [m, D, h] of [
      [vits16, 384, 6],
      [vit_tiny({ depth: 1 }), 192, 3],
      [base8, 768, 12],
    ] as const) {
      assert.is(m.config.embedDim, D);
      assert.is(m.config.numHeads, h);
      assert.is(m.config.mlpRatio, 4);
      assert.ok(m.config.qkvBias);
      assert.is(m.blocks[0].attn.scale, 0.125);
      assert.is(m.blocks[0].norm1.eps, 1e-6);
      assert.is(m.norm.eps, 1e-6);
    }
    assert.is(vits16.blocks.length, 12);
  },
);

test('ViT-S/16 state-dict keys, order and shapes equal the official ones', () => {
  const expected: [string, number[]][] = [
    ['cls_token', [1, 1, 384]],
    ['pos_embed', [1, 197, 384]],
    ['patch_embed.proj.weight', [384, 3, 16, 16]],
    ['patch_embed.proj.bias', [384]],
  ];
  for (let i = 0; i < 12; i++) {
    const b = `blocks.${i}.`;
    expected.push(
      [`${b}norm1.weight`, [384]],
      [`${b}norm1.bias`, [384]],
      [`${b}attn.qkv.weight`, [1152, 384]],
      [`${b}attn.qkv.bias`, [1152]],
      [`${b}attn.proj.weight`, [384, 384]],
      [`${b}attn.proj.bias`, [384]],
      [`${b}norm2.weight`, [384]],
      [`${b}norm2.bias`, [384]],
      [`${b}mlp.fc1.weight`, [1536, 384]],
      [`${b}mlp.fc1.bias`, [1536]],
      [`${b}mlp.fc2.weight`, [384, 1536]],
      [`${b}mlp.fc2.bias`, [384]],
    );
  }
  expected.push(['norm.weight', [384]], ['norm.bias', [384]]);
  assert.equal(shapesOf(vits16), expected);
  // no buffers in the ViT: parameters are the same list, and all are trainable
  assert.equal(
    vits16.namedParameters().map(([k]) => k),
    expected.map(([k]) => k),
  );
  assert.ok(vits16.parameters().every((p) => p.requiresGrad));
});

test(
  'initialisation (_init_weights): trunc-normal 0.02 Linears, zero biases, ' +
    'LayerNorm 1/0, PyTorch-default patch conv',
  () => {
    const stats = (t: Tensor) => {
      const d = t.dataSync();
      let s = 0,
        s2 = 0,
        mx = 0;
      for (const v of d) {
        s += v;
        s2 += v * v;
        mx = Math.max(mx, Math.abs(v));
      }
      const mean = s / d.length;
      return { mean, std: Math.sqrt(s2 / d.length - mean * mean), max: mx, n: d.length };
    };
    const sd = vits16.stateDict();
    for (const key of [
      'blocks.0.attn.qkv.weight',
      'blocks.5.mlp.fc1.weight',
      'blocks.11.attn.proj.weight',
      'pos_embed',
    ]) {
      const s = stats(sd.get(key)!);
      // standard error of the mean; the std estimate is within ~5/√(2n)
      const se = 0.02 / Math.sqrt(s.n);
      assert.ok(Math.abs(s.mean) < 5 * se, `${key} mean ${s.mean}`);
      assert.ok(Math.abs(s.std / 0.02 - 1) < 5 / Math.sqrt(2 * s.n) + 1e-3, `${key} std ${s.std}`);
    }
    for (const [k, t] of sd) {
      if (k.endsWith('.bias') && !k.startsWith('patch_embed'))
        assert.ok(stats(t).max === 0, `${k} is 0`);
      if (/norm\d?\.weight$/.test(k))
        assert.ok(
          t.dataSync().every((v) => v === 1),
          `${k} is 1`,
        );
    }
    // Conv2d default: U(−1/√768, 1/√768) for weight and bias; std of U(−a, a) is a/√3
    const a = 1 / Math.sqrt(3 * 16 * 16);
    const w = stats(sd.get('patch_embed.proj.weight')!);
    assert.ok(w.max <= a && w.max > 0.99 * a, `patch weight bound ${w.max} vs ${a}`);
    assert.ok(Math.abs(w.std / (a / Math.sqrt(3)) - 1) < 0.01, `patch weight std ${w.std}`);
    const pb = stats(sd.get('patch_embed.proj.bias')!);
    assert.ok(pb.max <= a && pb.max > 0.8 * a, `patch bias bound ${pb.max}`);
    // cls_token: 384 draws of N(0, 0.02²)
    assert.ok(stats(vits16.cls_token).max < 0.1 && stats(vits16.cls_token).std > 0.015);
    // seeded: the same generator seed gives the same weights
    const a1 = smallVit({}, 3).stateDict();
    const a2 = smallVit({}, 3).stateDict();
    const a3 = smallVit({}, 4).stateDict();
    for (const [k, t] of a1) assert.equal([...t.dataSync()], [...a2.get(k)!.dataSync()], k);
    assert.not.equal(
      [...a1.get('blocks.0.attn.qkv.weight')!.dataSync()],
      [...a3.get('blocks.0.attn.qkv.weight')!.dataSync()],
    );
  },
);

test(
  'loadStateDict strict: one error listing every missing, unexpected ' +
    'and mis-shaped key; nothing loaded',
  () => {
    const target = smallVit({}, 1);
    const source = smallVit({}, 2).stateDict();
    source.delete('norm.bias');
    source.delete('blocks.1.attn.qkv.weight');
    source.set('head.weight', tensor([1, 2, 3], { dtype: 'float64' }));
    source.set(
      'pos_embed',
      tensor(new Float64Array(4 * 8), { shape: [1, 4, 8], dtype: 'float64' }),
    );
    const before = [...target.cls_token.dataSync()];
    let msg = '';
    try {
      target.loadStateDict(source);
    } catch (e) {
      msg = (e as Error).message;
    }
    assert.match(msg, /^loadStateDict: /);
    assert.match(msg, 'missing keys: blocks.1.attn.qkv.weight, norm.bias');
    assert.match(msg, 'unexpected keys: head.weight');
    assert.match(msg, 'pos_embed expects [1, 10, 8] but got [1, 4, 8]');
    assert.equal([...target.cls_token.dataSync()], before, 'a failed strict load changes nothing');
  },
);

test(
  'loadStateDict non-strict: loads the matching keys, returns the report; ' +
    'converts float64 → float32',
  () => {
    const target = new VisionTransformer(
      { imgSize: 12, patchSize: 4, inChans: 1, embedDim: 8, depth: 2, numHeads: 2, mlpRatio: 2 },
      { dtype: 'float32', generator: new Generator(1) },
    );
    const src = smallVit({}, 2);
    const state = src.stateDict();
    state.delete('norm.bias');
    state.set('extra', tensor([1], { dtype: 'float64' }));
    const posBefore = [...target.pos_embed.dataSync()];
    state.set('pos_embed', tensor(new Float64Array(8), { shape: [1, 1, 8], dtype: 'float64' }));
    const report = target.loadStateDict(state, { strict: false });
    assert.equal(report.missing, ['norm.bias']);
    assert.equal(report.unexpected, ['extra']);
    assert.equal(report.mismatched, [{ key: 'pos_embed', expected: [1, 10, 8], got: [1, 1, 8] }]);
    assert.is(report.loaded.length, [...target.stateDict().keys()].length - 2);
    assert.equal([...target.pos_embed.dataSync()], posBefore, 'the mis-shaped key is left alone');
    const w = target.blocks[1].mlp.fc2.weight;
    assert.is(w.dtype, 'float32');
    assert.equal(
      [...w.dataSync()],
      [...Float32Array.from(src.blocks[1].mlp.fc2.weight.dataSync())],
    );
  },
);

test(
  'getLastSelfAttention: [B, h, T, T], rows are distributions, equal ' +
    'to a naive softmax(q·kᵀ/√d) of the last block',
  () => {
    const vit = smallVit({ depth: 2, numHeads: 2, embedDim: 8 }, 7);
    for (const [H, W] of [
      [12, 12],
      [8, 12],
    ]) {
      const x = images([3, 1, H, W], 11);
      const attn = vit.getLastSelfAttention(x);
      const T = (H / 4) * (W / 4) + 1;
      assert.equal([...attn.shape], [3, 2, T, T]);
      const a = attn.dataSync();
      for (let r = 0; r < 3 * 2 * T; r++) {
        let s = 0;
        for (let j = 0; j < T; j++) {
          assert.ok(a[r * T + j] >= 0);
          s += a[r * T + j];
        }
        assert.ok(Math.abs(s - 1) < 1e-14, `row ${r} sums to ${s}`);
      }
      // naive: tokens after block 0 → norm1 of block 1 → qkv; q = head j's slice of the first D
      // outputs, k of the second D, scale d^-0.5 on the logits
      const t1 = vit.blocks[0].forward(vit.prepareTokens(x)).x;
      // [B, T, 3D]
      const qkv = vit.blocks[1].attn.qkv.forward(vit.blocks[1].norm1.forward(t1)).dataSync();
      const D = 8,
        d = 4;
      const expected = new Float64Array(3 * 2 * T * T);
      for (let b = 0; b < 3; b++) {
        for (let h = 0; h < 2; h++) {
          for (let i = 0; i < T; i++) {
            const logits = Array.from({ length: T }, (_, j) => {
              let s = 0;
              for (let k = 0; k < d; k++)
                s +=
                  qkv[(b * T + i) * 3 * D + h * d + k] * qkv[(b * T + j) * 3 * D + D + h * d + k];
              return s / Math.sqrt(d);
            });
            const m = Math.max(...logits);
            const e = logits.map((l) => Math.exp(l - m));
            const z = e.reduce((p, q) => p + q, 0);
            e.forEach((v, j) => (expected[((b * 2 + h) * T + i) * T + j] = v / z));
          }
        }
      }
      assertClose(a, expected, { atol: 1e-15, rtol: 1e-12 }, `attention ${H}×${W}`);
    }
  },
);

test(
  'getIntermediateLayers: n outputs [B, T, D] through the final norm, ' +
    "shallow to deep; the last one's [CLS] is forward()",
  () => {
    const vit = smallVit({ depth: 3 }, 8);
    // a non-trivial final norm, so that "through the norm" is visible
    vit.loadStateDict(
      new Map(
        [...vit.stateDict()].map(([k, v]) => [
          k,
          k.startsWith('norm.')
            ? tensor(
                v.dataSync().map((_, i) => 0.5 + i / 10),
                { shape: v.shape, dtype: 'float64' },
              )
            : v,
        ]),
      ),
    );
    const x = images([2, 1, 12, 12], 3);
    const outs = vit.getIntermediateLayers(x, 3);
    assert.is(outs.length, 3);
    for (const o of outs) assert.equal([...o.shape], [2, 10, 8]);
    assert.equal(
      [...select(outs[2], 1, 0).dataSync()],
      [...vit.forward(x).dataSync()],
      'deepest [CLS] = forward',
    );
    let t = vit.prepareTokens(x);
    for (let i = 0; i < 3; i++) {
      t = vit.blocks[i].forward(t).x;
      assert.equal([...outs[i].dataSync()], [...vit.norm.forward(t).dataSync()], `layer ${i}`);
    }
    const one = vit.getIntermediateLayers(x, 1);
    assert.is(one.length, 1);
    assert.equal([...one[0].dataSync()], [...outs[2].dataSync()]);
    assert.equal(
      vit.getIntermediateLayers(x, 2).map((o) => [...o.dataSync()]),
      [[...outs[1].dataSync()], [...outs[2].dataSync()]],
    );
  },
);

test('drop path: rates linspace(0, r, depth); random in train mode, off in eval mode', () => {
  const vit = smallVit({ depth: 3, dropPathRate: 0.5 }, 9);
  assert.equal(
    vit.blocks.map((b) => b.dropPathRate),
    [0, 0.25, 0.5],
  );
  const x = images([16, 1, 12, 12], 4);
  vit.train();
  const y1 = [...vit.forward(x).dataSync()];
  const y2 = [...vit.forward(x).dataSync()];
  assert.not.equal(y1, y2, 'two training forwards draw different masks');
  vit.eval();
  const e1 = [...vit.forward(x).dataSync()];
  const e2 = [...vit.forward(x).dataSync()];
  assert.equal(e1, e2);
  // eval output = the same weights without drop path
  const plain = smallVit({ depth: 3, dropPathRate: 0 }, 10);
  plain.loadStateDict(vit.stateDict());
  plain.train();
  assert.equal([...plain.forward(x).dataSync()], e1);
  assert.ok(
    vit.modules().every((m) => !m.training),
    'eval() reaches every sub-module',
  );
  vit.train();
  assert.ok(vit.modules().every((m) => m.training));
});

test(
  'patch embedding: inputs with the wrong channel count or smaller ' +
    'than a patch are clear errors',
  () => {
    const vit = smallVit();
    assert.throws(
      () => vit.forward(images([1, 3, 12, 12], 0)),
      /PatchEmbed: expected images \[B, 1, H, W\], got \[1, 3, 12, 12\]/,
    );
    assert.throws(() => vit.forward(images([1, 1, 3, 12], 0)), /smaller than one 4×4 patch/);
  },
);

test.run();
