// Linear probe (eval_linear.py, scaled down): two SGD steps against a float64 reference (init,
// momentum, cosine lr), separable features → ~100%, random labels → chance, determinism, top-5,
// the concatenated last-n [CLS] features against the ViT's own forward, and clear errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type LabelledFeatures,
  extractProbeFeatures,
  linearProbe,
  trainLinearProbe,
} from '../../src/dino/linear-probe.js';
import { PackedImageDataset } from '../../src/data/image-dataset.js';
import { EvalTransform } from '../../src/dino/augment/index.js';
import { VisionTransformer } from '../../src/nn/vit.js';
import { Generator } from '../../src/tensor/random.js';

/** n points in `dim` dims, class i % C, around random centres at distance `sep` (unit noise). */
function blobs(
  n: number,
  dim: number,
  C: number,
  sep: number,
  seed: number,
  centresSeed = 99,
): LabelledFeatures {
  const gc = new Generator(centresSeed);
  const centres = Array.from({ length: C * dim }, () => (sep * gc.normal()) / Math.sqrt(dim));
  const g = new Generator(seed);
  const features = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % C;
    for (let j = 0; j < dim; j++) features[i * dim + j] = centres[labels[i] * dim + j] + g.normal();
  }
  return { features, labels, n, dim };
}

test(
  'two full-batch SGD steps match a float64 reference: N(0, 0.01²) ' +
    'init, momentum 0.9, cosine lr',
  async () => {
    const n = 7,
      F = 5,
      C = 3,
      lr = 0.5,
      seed = 11;
    const d = blobs(n, F, C, 3, 1);
    const r = await trainLinearProbe(d, d, { epochs: 2, batchSize: n, lr, seed });
    // reference: the same draws (C·F normals first), softmax cross-entropy gradient (P − Y)/n
    const g = new Generator(seed);
    const W = Array.from({ length: C * F }, () => Math.fround(0.01 * g.normal()));
    const bias = new Array(C).fill(0);
    const vW = new Array(C * F).fill(0);
    const vb = new Array(C).fill(0);
    for (let epoch = 0; epoch < 2; epoch++) {
      const lrE = (lr * (1 + Math.cos((Math.PI * epoch) / 2))) / 2; // lr, then lr/2
      const gW = new Array(C * F).fill(0);
      const gb = new Array(C).fill(0);
      for (let i = 0; i < n; i++) {
        const z = Array.from(
          { length: C },
          (_, c) =>
            bias[c] +
            Array.from({ length: F }, (_, j) => W[c * F + j] * d.features[i * F + j]).reduce(
              (a, b) => a + b,
            ),
        );
        const m = Math.max(...z);
        const e = z.map((v) => Math.exp(v - m));
        const s = e.reduce((a, b) => a + b);
        for (let c = 0; c < C; c++) {
          const dz = (e[c] / s - (d.labels[i] === c ? 1 : 0)) / n;
          gb[c] += dz;
          for (let j = 0; j < F; j++) gW[c * F + j] += dz * d.features[i * F + j];
        }
      }
      for (let k = 0; k < C * F; k++) {
        vW[k] = 0.9 * vW[k] + gW[k];
        W[k] -= lrE * vW[k];
      }
      for (let c = 0; c < C; c++) {
        vb[c] = 0.9 * vb[c] + gb[c];
        bias[c] -= lrE * vb[c];
      }
    }
    for (let k = 0; k < C * F; k++)
      assert.ok(Math.abs(r.weight[k] - W[k]) < 2e-6, `weight[${k}]: ${r.weight[k]} vs ${W[k]}`);
    for (let c = 0; c < C; c++)
      assert.ok(Math.abs(r.bias[c] - bias[c]) < 2e-6, `bias[${c}]: ${r.bias[c]} vs ${bias[c]}`);
    assert.equal(
      r.history.map((h) => h.lr),
      [lr, lr / 2 + (lr / 2) * Math.cos(Math.PI / 2)],
    );
  },
);

test('separable features: ~100% top-1; the loss falls', async () => {
  const train = blobs(600, 16, 4, 12, 1);
  const test = blobs(400, 16, 4, 12, 2);
  const r = await trainLinearProbe(train, test, { epochs: 20, batchSize: 64, seed: 3 });
  assert.ok(r.top1 >= 0.99, `top-1 ${r.top1}`);
  assert.is(r.top5, 1);
  assert.ok(
    r.history[19].loss < r.history[0].loss / 5,
    `loss ${r.history[0].loss} → ${r.history[19].loss}`,
  );
  assert.equal([r.numClasses, r.dim, r.weight.length, r.bias.length], [4, 16, 64, 4]);
  assert.equal(
    r.history.filter((h) => h.top1 !== undefined).map((h) => h.epoch),
    [9, 19],
  ); // evalEvery 10 and the last
  assert.ok(r.bestTop1 >= r.top1 && r.bestEpoch >= 0);
});

test('random labels: test accuracy stays near chance', async () => {
  const g = new Generator(5);
  const rand = (n: number): LabelledFeatures => ({
    features: Float32Array.from({ length: n * 32 }, () => g.normal()),
    labels: Int32Array.from({ length: n }, () => g.int(4)),
    n,
    dim: 32,
  });
  const r = await trainLinearProbe(rand(800), rand(2000), { epochs: 30, batchSize: 64, seed: 1 });
  assert.ok(Math.abs(r.top1 - 0.25) < 0.05, `top-1 ${r.top1} on random labels`);
});

test('determinism: same seed, same classifier; another seed differs', async () => {
  const train = blobs(300, 8, 3, 2, 1);
  const test = blobs(100, 8, 3, 2, 2);
  const opts = { epochs: 5, batchSize: 32, evalEvery: 1 };
  const a = await trainLinearProbe(train, test, { ...opts, seed: 7 });
  const b = await trainLinearProbe(train, test, { ...opts, seed: 7 });
  const c = await trainLinearProbe(train, test, { ...opts, seed: 8 });
  assert.equal(Array.from(a.weight), Array.from(b.weight));
  assert.equal(a.history, b.history);
  assert.not.equal(Array.from(a.weight), Array.from(c.weight));
});

test('top-5 with fewer than 5 classes is 1; ties go to the lower class', async () => {
  // all-zero features: every logit equals the bias; labels all 0 so the bias of class 0 grows
  const z = (n: number, label: number): LabelledFeatures => ({
    features: new Float32Array(n * 2),
    labels: new Int32Array(n).fill(label),
    n,
    dim: 2,
  });
  const r = await trainLinearProbe(z(10, 0), z(10, 0), { epochs: 1, batchSize: 10, numClasses: 3 });
  assert.equal([r.top1, r.top5], [1, 1]);
  const r2 = await trainLinearProbe(z(10, 0), z(10, 2), {
    epochs: 1,
    batchSize: 10,
    numClasses: 3,
  });
  assert.equal([r2.top1, r2.top5], [0, 1]);
  // balanced labels: the bias gradient mean(P − Y) is 0, every logit stays 0 → a tie, won by class
  // 0
  const bal: LabelledFeatures = {
    features: new Float32Array(12),
    labels: Int32Array.from([0, 1, 2, 0, 1, 2]),
    n: 6,
    dim: 2,
  };
  const t0 = await trainLinearProbe(bal, z(4, 0), { epochs: 2, batchSize: 6 });
  const t1 = await trainLinearProbe(bal, z(4, 1), { epochs: 2, batchSize: 6 });
  assert.equal([t0.top1, t1.top1, t1.top5], [1, 0, 1]);
});

test('NaN features never count as correct; NaN training features stop with a clear error', async () => {
  const train = blobs(200, 4, 2, 8, 1);
  const test1 = blobs(100, 4, 2, 8, 2);
  const clean = await trainLinearProbe(train, test1, { epochs: 3, evalEvery: 1 });
  assert.ok(clean.top1 > 0.9, `${clean.top1}`);
  // every row of the test set NaN: a NaN logit is never "above" the label's, so all were right
  const nan = { ...test1, features: new Float32Array(test1.features.length).fill(NaN) };
  const r = await trainLinearProbe(train, nan, { epochs: 3, evalEvery: 1 });
  assert.is(r.top1, 0);
  assert.is(r.top5, 0);
  const bad = { ...train, features: Float32Array.from(train.features) };
  bad.features[5] = NaN;
  try {
    await trainLinearProbe(bad, test1, { epochs: 3 });
    assert.unreachable('trained on NaN');
  } catch (e) {
    assert.match((e as Error).message, /^linear probe: the loss is NaN in epoch 1 \(non-finite/);
  }
});

test('clear errors naming the argument', async () => {
  const d = blobs(10, 4, 2, 1, 1);
  const e = { ...blobs(10, 3, 2, 1, 1) };
  const msg = async (f: () => Promise<unknown>) =>
    f().then(
      () => 'no error',
      (x: Error) => x.message,
    );
  assert.match(
    await msg(() => trainLinearProbe(d, e)),
    /train features have 4 dims but test features 3/,
  );
  assert.match(
    await msg(() => trainLinearProbe(d, d, { lr: 0 })),
    /^lr: expected a finite number > 0, got 0/,
  );
  assert.match(
    await msg(() => trainLinearProbe(d, d, { epochs: 1.5 })),
    /^epochs: expected an integer ≥ 1/,
  );
  assert.match(await msg(() => trainLinearProbe(d, d, { momentum: 1 })), /^momentum: expected/);
  assert.match(
    await msg(() => trainLinearProbe(d, d, { numClasses: 1 })),
    /^numClasses: expected an integer above the largest label 1, got 1/,
  );
  assert.match(
    await msg(() => trainLinearProbe({ ...d, labels: new Int32Array(10).fill(-1) }, d)),
    /unlabelled/,
  );
  assert.match(
    await msg(() =>
      trainLinearProbe({ ...d, n: 0, features: new Float32Array(0), labels: new Int32Array(0) }, d),
    ),
    /train split is empty/,
  );
});

// a tiny dataset: 8×8 grey images, two classes (dark / bright with noise)
function tinyDataset(n: number, seed: number): PackedImageDataset {
  const g = new Generator(seed);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
  const data = Uint8Array.from({ length: n * 64 }, (_, k) =>
    Math.min(255, Math.max(0, (labels[Math.floor(k / 64)] ? 170 : 70) + 40 * g.normal())),
  );
  return new PackedImageDataset('tiny', data, 8, 8, 1, labels);
}
const tinyVit = () =>
  new VisionTransformer(
    { imgSize: 8, patchSize: 4, inChans: 1, embedDim: 8, depth: 3, numHeads: 2 },
    { generator: new Generator(4) },
  );

test(
  'features: the last n final-norm [CLS] tokens concatenated, the deepest ' + 'equal to forward()',
  async () => {
    const ds = tinyDataset(10, 1);
    const vit = tinyVit();
    const opts = { size: 8, mean: [0.5], std: [0.25], batch: 4 };
    const f = await extractProbeFeatures(vit, ds, opts); // default n = min(4, depth 3) = 3
    assert.equal([f.n, f.dim], [10, 24]);
    assert.is(vit.training, true, 'training mode restored');
    vit.eval();
    const x = new EvalTransform({ size: 8, mean: [0.5], std: [0.25] }, 1).applyTensor(
      Array.from({ length: 10 }, (_, i) => ds.image(i)),
    );
    const cls = vit.forward(x).dataSync(); // [10, 8]
    for (let i = 0; i < 10; i++)
      for (let j = 0; j < 8; j++)
        assert.ok(Math.abs(f.features[i * 24 + 16 + j] - cls[i * 8 + j]) < 1e-5);
    const shallow = vit.getIntermediateLayers(x, 3)[0].dataSync(); // [10, T, 8], token 0
    const T = 5;
    for (let i = 0; i < 10; i++)
      for (let j = 0; j < 8; j++)
        assert.ok(Math.abs(f.features[i * 24 + j] - shallow[i * T * 8 + j]) < 1e-5);
    const f1 = await extractProbeFeatures(vit, ds, { ...opts, nLastBlocks: 1 });
    assert.equal(Array.from(f1.features), Array.from(f.features.filter((_, k) => k % 24 >= 16)));
    const fail = await extractProbeFeatures(vit, ds, { ...opts, nLastBlocks: 4 }).then(
      () => 'no error',
      (e: Error) => e.message,
    );
    assert.match(fail, /^nLastBlocks: expected an integer in \[1, 3\] \(the depth\), got 4/);
  },
);

test('linearProbe end to end on a tiny two-class dataset', async () => {
  const r = await linearProbe(
    tinyVit(),
    { train: tinyDataset(64, 1), test: tinyDataset(32, 2) },
    { size: 8, mean: [0.5], std: [0.25], epochs: 30, batchSize: 16 },
  );
  assert.equal([r.nLastBlocks, r.dim, r.numClasses], [3, 24, 2]);
  assert.ok(r.top1 > 0.8, `top-1 ${r.top1}`);
});

test.run();
