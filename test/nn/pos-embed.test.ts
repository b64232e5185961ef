// Position-embedding interpolation (official interpolate_pos_encoding;
// src/nn/pos-embed.ts):
// no interpolation at the training grid, constants preserved, output sizes for square and
// non-square targets (the +0.1 of official issues #8/#36), agreement with PyTorch's bicubic
// F.interpolate (fixture below) and the backward (the transpose of the resampling matrix).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backward, mul, sum } from '../../src/autograd/index.js';
import { bicubicMatrix, posEmbedInterpolationMatrix } from '../../src/nn/pos-embed.js';
import { VisionTransformer } from '../../src/nn/vit.js';
import { tensor } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/random.js';
import { assertClose } from '../autograd/helpers.js';

/** The grid value used for the fixture: exact rationals, so Python and TS see identical inputs. */
const gridValue = (c: number, i: number, j: number) => ((c * 31 + i * 7 + j * 13) % 17) / 4 - 2;

// Generated once with PyTorch 1.13 (float64), with gridValue as the [1, D, g0, g0] input:
//   /usr/bin/python3 -c "
//   import torch, torch.nn.functional as F
//   for g0, Hg, Wg, D in [(4, 3, 5, 2), (3, 7, 2, 1), (14, 6, 6, 1), (2, 1, 1, 1)]:
//       x = torch.zeros(1, D, g0, g0, dtype=torch.float64)
//       for c in range(D):
//           for i in range(g0):
//               for j in range(g0): x[0, c, i, j] = ((c * 31 + i * 7 + j * 13) % 17) / 4 - 2
// y = F.interpolate(x, scale_factor=((Hg + 0.1) / g0, (Wg + 0.1) / g0), mode='bicubic',
// align_corners=False)
//       print([g0, Hg, Wg, D], [repr(v) for v in y.flatten().tolist()])"
// Values are [1, D, Hg, Wg] in row-major order (channel outer).
const TORCH: { g0: number; Hg: number; Wg: number; D: number; values: number[] }[] = [
  {
    g0: 4,
    Hg: 3,
    Wg: 5,
    D: 2,
    values: [
      -1.9836721814126481, 0.1355517872964623, 1.087209109325244, 0.2338467254469208,
      -0.5215014976862395, 0.9739570230305677, -0.29279947140949364, 0.07905119802312914,
      0.9119310544549184, -0.048030587847696975, -0.23469085513802293, -1.2176193823394044,
      -0.3990158129127327, 0.6958182240092561, -0.3136125798922744, 1.2328722301897612,
      0.5192618106777744, -0.032316537931211205, -0.5288719516901834, -1.3301110366640512,
      -0.2249113719743131, -1.4526993052418107, -1.0317862300966634, 0.6757894215684835,
      1.4051720188842558, -1.1894232966411422, 0.598205769236142, 0.7940256300455705,
      -0.11181222141779336, 0.2059968191917196,
    ],
  },
  {
    g0: 3,
    Hg: 7,
    Wg: 2,
    D: 1,
    values: [
      -1.4452290572051323, 0.7861772267812422, -1.2833246390004462, 0.8074017592614228,
      -1.0811932560662971, 0.921738366169554, -0.5698595887599667, 0.8464010296625297,
      0.28751859776340366, 0.425693286646538, 1.0681311283908823, -0.05950969351109653,
      1.5325799068418025, -0.3311575750582909,
    ],
  },
  {
    // the official local-crop case: 224/16 → 96/16
    g0: 14,
    Hg: 6,
    Wg: 6,
    D: 1,
    values: [
      -1.0023727937877795, 0.7967627832773575, -0.5988138816094757, 0.307734617027926,
      -1.151336471471175, 0.11424881877603817, -1.969461595619817, 0.18854061977064726,
      -1.0815073838442584, 0.006493705992270906, 1.362189924569548, -0.5664558104301205,
      0.26737352813797066, -0.24479702347423202, 1.4125713029555396, -0.6456996420123721,
      0.7831980232469516, -1.0227070428783622, -0.46689272857017794, -0.2487040441944773,
      -0.058263358331319806, -1.0464496499051956, 1.4831793468506065, -1.1661199954308292,
      0.85777986529929, -0.6401353137934623, 2.1169739343993763, -0.6371822560015415,
      0.8344631762288932, -0.6238788599456156, 1.265698342088546, -0.901721874202742,
      1.361723778246852, -1.7080047066758843, 0.6502219927572446, -1.2489749026985393,
    ],
  },
  { g0: 2, Hg: 1, Wg: 1, D: 1, values: [-0.6830506070105691] },
];

/** A float64 ViT whose position grid is g0×g0 (patch p) and whose pos_embed is set from `fill`. */
function vitWithPosEmbed(
  g0: number,
  D: number,
  fill: (token: number, c: number) => number,
  p = 1,
): VisionTransformer {
  const vit = new VisionTransformer(
    { imgSize: g0 * p, patchSize: p, inChans: 1, embedDim: D, depth: 1, numHeads: 1 },
    { dtype: 'float64', generator: new Generator(0) },
  );
  const n = g0 * g0 + 1;
  const data = new Float64Array(n * D);
  for (let t = 0; t < n; t++) for (let c = 0; c < D; c++) data[t * D + c] = fill(t, c);
  vit.loadStateDict(
    new Map(
      [...vit.stateDict()].map(([k, v]) => [
        k,
        k === 'pos_embed' ? tensor(data, { shape: [1, n, D], dtype: 'float64' }) : v,
      ]),
    ),
  );
  return vit;
}

test(
  'at the training grid (same N, square input) pos_embed is returned ' + 'as is: no interpolation',
  () => {
    const vit = vitWithPosEmbed(4, 2, (t, c) => t + c / 10, 3);
    const out = vit.interpolatePosEncoding(16, 12, 12);
    assert.ok(out === vit.pos_embed, 'the very same tensor');
    // and a forward at the training size uses it unchanged: tokens − patch embedding − cls =
    // pos_embed
    const x = tensor(
      new Float64Array(2 * 12 * 12).map((_, i) => Math.sin(i)),
      { shape: [2, 1, 12, 12], dtype: 'float64' },
    );
    const tokens = vit.prepareTokens(x).dataSync();
    const patches = vit.patch_embed.forward(x).dataSync();
    const pos = vit.pos_embed.dataSync();
    const cls = vit.cls_token.dataSync();
    for (let b = 0; b < 2; b++) {
      for (let t = 0; t < 17; t++) {
        for (let c = 0; c < 2; c++) {
          const base = t === 0 ? cls[c] : patches[(b * 16 + t - 1) * 2 + c];
          assert.is(tokens[(b * 17 + t) * 2 + c], base + pos[t * 2 + c]);
        }
      }
    }
  },
);

test(
  'same number of patches but a non-square input is interpolated (official ' +
    'condition: npatch == N and w == h)',
  () => {
    const vit = vitWithPosEmbed(4, 1, (t) =>
      t === 0 ? 100 : gridValue(0, Math.floor((t - 1) / 4), (t - 1) % 4),
    );
    const out = vit.interpolatePosEncoding(16, 2, 8); // a 2×8 grid has 16 patches too
    assert.ok(out !== vit.pos_embed);
    assert.equal([...out.shape], [1, 17, 1]);
    const m = posEmbedInterpolationMatrix(4, 2, 8);
    const grid = Array.from({ length: 16 }, (_, k) => gridValue(0, Math.floor(k / 4), k % 4));
    const expected = [
      100,
      ...Array.from({ length: 16 }, (_, o) => grid.reduce((s, g, k) => s + m[o * 16 + k] * g, 0)),
    ];
    assertClose(out.dataSync(), expected, { atol: 1e-15, rtol: 1e-14 }, '2×8');
  },
);

test('a constant grid stays constant at every target size; the [CLS] row is kept', () => {
  for (const [g0, Hg, Wg] of [
    [4, 2, 2],
    [4, 7, 3],
    [14, 6, 6],
    [3, 1, 9],
    [5, 11, 8],
  ]) {
    const vit = vitWithPosEmbed(g0, 3, (t, c) => (t === 0 ? -7 - c : 0.25 + c));
    const out = vit.interpolatePosEncoding(Hg * Wg, Hg, Wg).dataSync();
    assert.is(out.length, (Hg * Wg + 1) * 3);
    for (let t = 0; t <= Hg * Wg; t++) {
      for (let c = 0; c < 3; c++) {
        const want = t === 0 ? -7 - c : 0.25 + c;
        // 16 weighted taps per output (weights sum to 1, Σ|w| ≈ 1.5): a few ulps of rounding
        assert.ok(
          Math.abs(out[t * 3 + c] - want) <= 1e-14 * Math.abs(want),
          `${g0}→${Hg}×${Wg} token ${t} channel ${c}: ${out[t * 3 + c]} vs ${want}`,
        );
      }
    }
  }
});

test(
  'the resampling rows sum to 1 and floor(g0·(g + 0.1)/g0) = g for ' + 'every g0 ≤ 40, g ≤ 100',
  () => {
    for (let g0 = 1; g0 <= 40; g0++) {
      for (let g = 1; g <= 100; g++) {
        const { out, m } = bicubicMatrix(g0, (g + 0.1) / g0);
        assert.is(out, g, `g0 ${g0}, target ${g}`);
        for (let o = 0; o < out; o += Math.max(1, Math.floor(out / 5))) {
          let s = 0;
          for (let i = 0; i < g0; i++) s += m[o * g0 + i];
          assert.ok(Math.abs(s - 1) <= 1e-14, `row ${o} of ${g0}→${g} sums to ${s}`);
        }
      }
    }
  },
);

test('output sizes: square and non-square grids, through the ViT (patch 4)', () => {
  for (const [g0, H, W] of [
    [3, 8, 8],
    [3, 8, 20],
    [3, 28, 4],
    [7, 12, 16],
    [7, 30, 31],
    [2, 4, 4],
  ]) {
    const vit = vitWithPosEmbed(g0, 2, (t, c) => t * 0.01 + c, 4);
    const Hg = Math.floor(H / 4);
    const Wg = Math.floor(W / 4);
    assert.is(posEmbedInterpolationMatrix(g0, Hg, Wg).length, Hg * Wg * g0 * g0);
    const x = tensor(new Float64Array(H * W), { shape: [1, 1, H, W], dtype: 'float64' });
    assert.equal([...vit.prepareTokens(x).shape], [1, Hg * Wg + 1, 2], `${g0} → ${H}×${W}`);
    assert.equal([...vit.forward(x).shape], [1, 2]);
  }
});

for (const c of TORCH) {
  test(
    `agrees with PyTorch F.interpolate(bicubic, scale (g + 0.1)/g0, align_corners ` +
      `False): ${c.g0}² → ${c.Hg}×${c.Wg}`,
    () => {
      const vit = vitWithPosEmbed(c.g0, c.D, (t, ch) =>
        t === 0 ? 42 + ch : gridValue(ch, Math.floor((t - 1) / c.g0), (t - 1) % c.g0),
      );
      const out = vit.interpolatePosEncoding(c.Hg * c.Wg, c.Hg, c.Wg);
      assert.equal([...out.shape], [1, c.Hg * c.Wg + 1, c.D]);
      const got = out.dataSync();
      // ours is [token, channel]; the fixture is [channel, row, column]
      const ours: number[] = [];
      for (let ch = 0; ch < c.D; ch++)
        for (let k = 0; k < c.Hg * c.Wg; k++) ours.push(got[(1 + k) * c.D + ch]);
      assertClose(ours, c.values, { atol: 1e-14, rtol: 1e-14 }, `${c.g0} → ${c.Hg}×${c.Wg}`);
      for (let ch = 0; ch < c.D; ch++) assert.is(got[ch], 42 + ch, 'the [CLS] row');
    },
  );
}

test(
  'backward: ∂L/∂pos_embed = Mᵀ·∂L/∂out for the grid rows, and the ' +
    '[CLS] row gets its own gradient',
  () => {
    const g0 = 4,
      Hg = 3,
      Wg = 5,
      D = 2;
    const vit = vitWithPosEmbed(g0, D, (t, c) => Math.cos(t + 3 * c));
    const r = new Generator(5);
    const R = Float64Array.from({ length: (Hg * Wg + 1) * D }, () => r.normal());
    const out = vit.interpolatePosEncoding(Hg * Wg, Hg, Wg);
    backward(sum(mul(out, tensor(R, { shape: [1, Hg * Wg + 1, D], dtype: 'float64' }))));
    const grad = vit.pos_embed.grad!.dataSync();
    const m = posEmbedInterpolationMatrix(g0, Hg, Wg);
    const expected = new Float64Array((g0 * g0 + 1) * D);
    for (let c = 0; c < D; c++) expected[c] = R[c];
    for (let o = 0; o < Hg * Wg; o++) {
      for (let k = 0; k < g0 * g0; k++)
        for (let c = 0; c < D; c++)
          expected[(1 + k) * D + c] += m[o * g0 * g0 + k] * R[(1 + o) * D + c];
    }
    assertClose(grad, expected, { atol: 1e-15, rtol: 1e-14 }, 'grad pos_embed');
  },
);

test.run();
