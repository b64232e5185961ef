// Attention maps (visualize_attention.py / video_generation.py): a ViT whose last block's [CLS]
// attention is set by hand (qkv weights and the input pixels), checked against a float64
// reference; the 60% mask on hand-computed examples (ties included) and against its definition;
// PNG files decoded back; prepareImage's channel conversion and resize.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import {
  attentionMaps,
  convertChannels,
  prepareImage,
  thresholdMask,
  viridis,
} from '../../src/dino/attention-maps.js';
import { writeAttentionPngs } from '../../src/dino/attention-png.js';
import { VisionTransformer } from '../../src/nn/vit.js';
import { tensor } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/random.js';

const D = 4;
const EPS = 1e-6;

/**
 * depth 2, D 4, 2 heads (d 2), patch 2, 1 channel. Block 0 and the patch embedding's bias are
 * zero (block 0 is the identity); pos_embed and cls_token are zero, so token j = W·patch_j with
 * W chosen so that a patch [a, b, 0, 0] becomes [a, b, −a, −b] (mean 0). In the last block norm1
 * makes that r·[a, b, −a, −b] (r = 1/√((a² + b²)/2 + eps)); q = [G, 0] per head (a bias), and
 * k reads u[0] (head 0) and u[1] (head 1). The [CLS] token is 0, so its own logit is 0 and the
 * logits of patch j are scale·G·r·a_j (head 0) and scale·G·r·b_j (head 1). The patches' own
 * queries also read u (so their rows differ from the [CLS] row).
 */
function handSetViT(G: number, imgSize = 4): VisionTransformer {
  const vit = new VisionTransformer(
    { imgSize, patchSize: 2, inChans: 1, embedDim: D, depth: 2, numHeads: 2, mlpRatio: 1 },
    { generator: new Generator(1) },
  );
  const state = new Map(
    [...vit.stateDict()].map(([k, t]) => {
      const v = new Float32Array(t.size);
      if (
        k.startsWith('blocks.1.norm1.weight') ||
        k.startsWith('blocks.1.norm2.weight') ||
        k === 'norm.weight'
      )
        v.fill(1);
      if (k === 'patch_embed.proj.weight') {
        // [D, 1, 2, 2]: pixels (0,0) → a, (0,1) → b
        v[0 * 4 + 0] = 1;
        v[1 * 4 + 1] = 1;
        v[2 * 4 + 0] = -1;
        v[3 * 4 + 1] = -1;
      }
      if (k === 'blocks.1.attn.qkv.weight') {
        v[(D + 0) * D + 0] = 1; // k head 0, dim 0 ← u[0]
        v[(D + 2) * D + 1] = 1; // k head 1, dim 0 ← u[1]
        // the patches' queries differ from the [CLS] query (u = 0 there), so rows differ
        v[0 * D + 1] = 5;
        v[2 * D + 0] = -5;
      }
      if (k === 'blocks.1.attn.qkv.bias') {
        v[0] = G;
        v[2] = G;
      }
      return [k, tensor(v, { shape: t.shape })];
    }),
  );
  vit.loadStateDict(state);
  return vit;
}

/** An image [1, 1, 2·gh, 2·gw] whose patch j has a_j at (0,0) and b_j at (0,1). */
function patchImage(gh: number, gw: number, a: number[], b: number[]) {
  const H = 2 * gh,
    W = 2 * gw;
  const px = new Float32Array(H * W);
  for (let j = 0; j < gh * gw; j++) {
    const y = 2 * Math.floor(j / gw),
      x = 2 * (j % gw);
    px[y * W + x] = a[j];
    px[y * W + x + 1] = b[j];
  }
  return tensor(px, { shape: [1, 1, H, W] });
}

/** float64 reference: softmax over [CLS, patches] of the logits above, patch part, per head. */
function reference(G: number, a: number[], b: number[]): number[][] {
  const scale = (D / 2) ** -0.5;
  return [a, b].map((c) => {
    const logits = [
      0,
      ...c.map((cj, j) => (scale * G * cj) / Math.sqrt((a[j] ** 2 + b[j] ** 2) / 2 + EPS)),
    ];
    const m = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - m));
    const s = e.reduce((x, y) => x + y, 0);
    return e.slice(1).map((v) => v / s);
  });
}

const close = (got: ArrayLike<number>, want: number[], tol: number, what: string) => {
  assert.is(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++)
    assert.ok(Math.abs(got[i] - want[i]) <= tol, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
};

test(
  'uniform attention (G = 0): every patch 1/T, 60% mask keeps 3 of ' +
    '4 tied patches, the later ones',
  async () => {
    const vit = handSetViT(0);
    const m = await attentionMaps(vit, patchImage(2, 2, [1, 0, 1, 0], [0, 1, 0, 1]));
    assert.is(m.numHeads, 2);
    assert.equal([m.gridH, m.gridW, m.patchSize], [2, 2, 2]);
    for (const h of m.heads) close(h, [0.2, 0.2, 0.2, 0.2], 1e-7, 'head');
    close(m.mean, [0.2, 0.2, 0.2, 0.2], 1e-7, 'mean');
    // sorted ascending (stable) 0,1,2,3 → cumulative .25 .5 .75 1 → > 0.4 keeps 1, 2, 3
    for (const mask of m.masks) assert.equal(Array.from(mask), [0, 1, 1, 1]);
  },
);

test('one head attends to one patch, the other to two tied patches; mean and masks', async () => {
  const G = 20; // logits ≈ G·cos θ and G·sin θ (scale·r ≈ 1)
  const a = [1, 0, 0, -1]; // θ = 0, π/2, π/2, π
  const b = [0, 1, 1, 0];
  const m = await attentionMaps(handSetViT(G), patchImage(2, 2, a, b));
  const [r0, r1] = reference(G, a, b);
  close(m.heads[0], r0, 1e-6, 'head 0');
  close(m.heads[1], r1, 1e-6, 'head 1');
  assert.ok(
    m.heads[0][0] > 0.999 && m.heads[1][1] > 0.49 && Math.abs(m.heads[1][1] - m.heads[1][2]) < 1e-7,
  );
  close(
    m.mean,
    r0.map((v, j) => (v + r1[j]) / 2),
    1e-6,
    'mean',
  );
  assert.equal(Array.from(m.masks[0]), [1, 0, 0, 0]);
  assert.equal(Array.from(m.masks[1]), [0, 1, 1, 0]); // both tied patches are needed for 60%
});

test(
  'random angles and a non-square grid (interpolated zero pos_embed) ' +
    'match the float64 reference',
  async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }), {
          minLength: 6,
          maxLength: 6,
        }),
        fc.double({ min: 0, max: 6, noNaN: true }),
        async (theta, G) => {
          const a = theta.map(Math.cos);
          const b = theta.map(Math.sin);
          // 4×6 px: grid 2×3 (trained grid 2×2)
          const m = await attentionMaps(handSetViT(G), patchImage(2, 3, a, b));
          assert.equal([m.gridH, m.gridW], [2, 3]);
          const ref = reference(G, a, b);
          close(m.heads[0], ref[0], 2e-6, 'head 0');
          close(m.heads[1], ref[1], 2e-6, 'head 1');
          m.masks.forEach((mask, i) =>
            assert.equal(Array.from(mask), Array.from(thresholdMask(m.heads[i], 0.6))),
          );
        },
      ),
      { numRuns: 25 },
    );
  },
);

test('thresholdMask: hand-computed examples', () => {
  // normalised [.1 .2 .3 .4]: cumulative .1 .3 .6 1 → > 0.4 keeps .3 and .4 (70% of the mass)
  assert.equal(Array.from(thresholdMask([1, 2, 3, 4], 0.6)), [0, 0, 1, 1]);
  assert.equal(Array.from(thresholdMask([4, 3, 2, 1], 0.6)), [1, 1, 0, 0]);
  assert.equal(Array.from(thresholdMask([0.3, 0.4, 0.1, 0.2], 0.6)), [1, 1, 0, 0]);
  // one dominant entry holds more than 60% alone
  assert.equal(Array.from(thresholdMask([0.05, 0.7, 0.1, 0.15], 0.6)), [0, 1, 0, 0]);
  // ties: five equal values, cumulative .2 .4 .6 .8 1; "> 0.4" is strict, so three are kept, the
  // last three
  assert.equal(Array.from(thresholdMask([1, 1, 1, 1, 1], 0.6)), [0, 0, 1, 1, 1]);
  // ties at the boundary with a larger entry: [.5 .25 .25] → keep .5 and the later .25
  assert.equal(Array.from(thresholdMask([2, 1, 1], 0.6)), [1, 0, 1]);
  // t = 1 keeps every entry with mass, t = 0 none; zeros are never kept; an empty map gives nothing
  assert.equal(Array.from(thresholdMask([0, 1, 2], 1)), [0, 1, 1]);
  assert.equal(Array.from(thresholdMask([3, 1, 2], 0)), [0, 0, 0]);
  assert.equal(Array.from(thresholdMask([0, 0], 0.6)), [0, 0]);
  assert.throws(
    () => thresholdMask([1], 1.5),
    /threshold: expected a mass fraction in \[0, 1\], got 1.5/,
  );
  assert.throws(() => thresholdMask([1], NaN), /threshold/);
});

test('thresholdMask is the smallest set of highest entries holding at least t of the mass', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 60 }),
      fc.double({ min: 0.01, max: 1, noNaN: true }),
      (v, t) => {
        const total = v.reduce((x, y) => x + y, 0);
        const mask = thresholdMask(v, t);
        if (total === 0) return assert.ok(mask.every((x) => x === 0));
        const kept = v.filter((_, i) => mask[i]);
        const dropped = v.filter((_, i) => !mask[i]);
        const mass = kept.reduce((x, y) => x + y, 0) / total;
        assert.ok(mass >= t - 1e-9, `kept mass ${mass} < t ${t}`);
        assert.ok(
          mass - Math.min(...kept) / total < t + 1e-9,
          'not minimal: the smallest kept entry is not needed',
        );
        if (dropped.length > 0)
          assert.ok(
            Math.max(...dropped) <= Math.min(...kept),
            'a dropped entry is larger than a kept one',
          );
      },
    ),
    { numRuns: 300 },
  );
});

test('clear errors: batch, channels, size not a multiple of the patch', async () => {
  const vit = handSetViT(0);
  const msg = async (x: ReturnType<typeof tensor>) => {
    try {
      await attentionMaps(vit, x);
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  assert.match(
    await msg(tensor(new Float32Array(32), { shape: [2, 1, 4, 4] })),
    /one image \[1, 1, H, W\], got \[2, 1, 4, 4\]/,
  );
  assert.match(
    await msg(tensor(new Float32Array(48), { shape: [1, 3, 4, 4] })),
    /got \[1, 3, 4, 4\]/,
  );
  assert.match(
    await msg(tensor(new Float32Array(20), { shape: [1, 1, 4, 5] })),
    /4×5, not a multiple of the patch size 2/,
  );
  assert.match(await msg(tensor(new Float32Array(16), { shape: [1, 1, 4, 4] })), /no error/);
  assert.throws(() => thresholdMask([1], -0.1), /threshold/);
  assert.is(vit.training, true, 'training mode restored');
});

test(
  'PNG files: names, sizes (×patch, then ×scale to ≥ 224 px), decodable, ' + 'viridis ends',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attn-'));
    try {
      const m = await attentionMaps(
        handSetViT(20),
        patchImage(2, 3, [1, 0, 0, -1, 0, 1], [0, 1, 1, 0, 0, 0]),
      );
      const image = {
        data: Uint8Array.from({ length: 24 }, (_, i) => i * 10),
        height: 4,
        width: 6,
        channels: 1 as const,
      };
      const files = writeAttentionPngs(dir, m, { image });
      const names = files.map((f) => f.slice(dir.length + 1)).sort();
      assert.equal(names, [
        'attn-head0.png',
        'attn-head1.png',
        'attn-mask.png',
        'attn-mean.png',
        'image.png',
      ]);
      const scale = Math.ceil(224 / 6); // 38
      for (const f of files) {
        const png = PNG.sync.read(readFileSync(f));
        assert.equal([png.width, png.height], [6 * scale, 4 * scale], f);
      }
      // head 0 attends to patch 0 → brightest colour there, darkest where it is smallest
      const h0 = PNG.sync.read(readFileSync(join(dir, 'attn-head0.png')));
      assert.equal(Array.from(h0.data.subarray(0, 3)), viridis(1));
      // image.png is the input, nearest-neighbour: pixel (0, 1) of the image at (0, scale)
      const im = PNG.sync.read(readFileSync(join(dir, 'image.png')));
      assert.equal(Array.from(im.data.subarray(scale * 4, scale * 4 + 3)), [10, 10, 10]);
      // masks: head 0 keeps patches 0 and 5, head 1 patches 1 and 2; kept patches take the head's
      // colour half and half with the image, the others are dimmed to 30%
      assert.equal(Array.from(m.masks[0]), [1, 0, 0, 0, 0, 1]);
      assert.equal(Array.from(m.masks[1]), [0, 1, 1, 0, 0, 0]);
      const mk = PNG.sync.read(readFileSync(join(dir, 'attn-mask.png')));
      const px = (y: number, x: number) =>
        Array.from(
          mk.data.subarray(
            (y * scale * mk.width + x * scale) * 4,
            (y * scale * mk.width + x * scale) * 4 + 3,
          ),
        );
      assert.equal(px(0, 0), [16, 60, 90]); // image 0, head 0 colour (31, 119, 180)
      assert.equal(px(0, 2), [138, 74, 17]); // image 20, head 1 colour (255, 127, 14)
      assert.equal(px(2, 0), [36, 36, 36]); // image 120, patch 3 kept by no head
      // no image, explicit scale: masks over grey, no image.png; a mismatched image is refused
      const dir2 = join(dir, 'sub');
      const files2 = writeAttentionPngs(dir2, m, { scale: 3 });
      assert.is(files2.length, 4);
      assert.equal([PNG.sync.read(readFileSync(files2[0])).width], [18]);
      assert.throws(
        () => writeAttentionPngs(dir2, m, { image: { ...image, width: 5 } }),
        /image is 4×5 but the maps cover 4×6/,
      );
      assert.throws(
        () => writeAttentionPngs(dir2, m, { scale: 0 }),
        /scale must be a positive integer/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(viridis(0), [68, 1, 84]);
    assert.equal(viridis(1), [253, 231, 37]);
    assert.equal(viridis(0.5), [33, 145, 140]); // matplotlib viridis(0.5) ≈ #21918c
  },
);

test('prepareImage: grey → RGB replication, RGB → grey luma, bicubic resize, normalisation', () => {
  const rgb = {
    data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]),
    height: 2,
    width: 2,
    channels: 3 as const,
  };
  assert.equal(Array.from(convertChannels(rgb, 1).data), [76, 150, 29, 18]); // PIL convert('L')
  const grey = {
    data: Uint8Array.from([0, 51, 102, 255]),
    height: 2,
    width: 2,
    channels: 1 as const,
  };
  assert.equal(
    Array.from(convertChannels(grey, 3).data),
    [0, 0, 0, 51, 51, 51, 102, 102, 102, 255, 255, 255],
  );
  // same size: no resampling, exact normalisation (v/255 − mean)/std, laid out [1, C, S, S]
  const p = prepareImage(grey, { size: 2, channels: 3, mean: [0, 0.5, 0], std: [1, 0.5, 2] });
  assert.equal(p.input.shape, [1, 3, 2, 2]);
  close(
    p.input.dataSync(),
    [0, 0.2, 0.4, 1, -1, -0.6, -0.2, 1, 0, 0.1, 0.2, 0.5],
    1e-6,
    'normalised',
  );
  // upsampling a constant image stays constant; the returned image is what the model sees
  const flat = { data: new Uint8Array(5 * 7).fill(90), height: 5, width: 7, channels: 1 as const };
  const q = prepareImage(flat, { size: 28, channels: 1, mean: [0], std: [1] });
  assert.equal([q.image.height, q.image.width, q.image.channels], [28, 28, 1]);
  assert.ok(q.image.data.every((v) => v === 90));
  assert.throws(
    () => prepareImage(flat, { size: 0, channels: 1, mean: [0], std: [1] }),
    /size must be an integer/,
  );
  assert.throws(() => prepareImage(flat, { size: 4, channels: 1, mean: [0, 0], std: [1] }), /mean/);
});

test.run();
