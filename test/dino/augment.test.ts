// DataAugmentationDINO: shapes, normalisation, determinism, the statistics of every random step
// with many samples (crop scale and ratio, flip, jitter, grayscale, per-crop blur, solarization on
// crop 2 only), the pixels agreeing with what each record says, identity resizes, 1- and
// 3-channel paths, the eval transform and option validation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Image } from '../../src/data/image.js';
import {
  BicubicResizer,
  DataAugmentationDINO,
  EvalTransform,
  OFFICIAL_AUGMENT,
  bicubicCoeffs,
  randomResizedCropBox,
  type AugmentOptions,
  type CropRecord,
} from '../../src/dino/augment/index.js';
import { Generator } from '../../src/tensor/random.js';

/** The default recipe of this project (README) on 28 px Fashion-MNIST-like images. */
const RECIPE: AugmentOptions = {
  ...OFFICIAL_AUGMENT,
  globalCropSize: 28,
  localCropSize: 14,
  localCropsNumber: 4,
  saturation: 0,
  hue: 0,
  blurSigma: [0.1, 1.0],
  mean: [0.286],
  std: [0.353],
};
/** The official pipeline, scaled down for speed (RGB). */
const RGB: AugmentOptions = {
  ...OFFICIAL_AUGMENT,
  globalCropSize: 24,
  localCropSize: 12,
  localCropsNumber: 3,
};
/** Every crop = the whole image, unchanged by size; only the steps switched on below act. */
const IDENTITY: AugmentOptions = {
  ...RECIPE,
  globalCropsScale: [1, 1],
  localCropsScale: [1, 1],
  cropRatio: [1, 1],
  localCropSize: 28,
  flipProb: 0,
  colorJitterProb: 0,
  grayscaleProb: 0,
  blurProbGlobal1: 0,
  blurProbGlobal2: 0,
  blurProbLocal: 0,
  solarizeProb: 0,
};

function noise(h: number, w: number, c: 1 | 3, seed: number): Image {
  const g = new Generator(seed);
  return {
    data: Uint8Array.from({ length: h * w * c }, () => g.int(256)),
    height: h,
    width: w,
    channels: c,
  };
}

function constant(h: number, w: number, values: number[]): Image {
  const c = values.length as 1 | 3;
  return {
    data: Uint8Array.from({ length: h * w * c }, (_, i) => values[i % c]),
    height: h,
    width: w,
    channels: c,
  };
}

/** Records of many augmented batches. */
function sample(opts: AugmentOptions, channels: 1 | 3, batches: number, B = 64): CropRecord[] {
  const aug = new DataAugmentationDINO(opts, channels);
  const g = new Generator(123);
  const images = Array.from({ length: B }, (_, i) => noise(28, 28, channels, i));
  const records: CropRecord[] = [];
  for (let i = 0; i < batches; i++) aug.apply(images, g, { records });
  return records;
}

const rate = (rs: CropRecord[], f: (r: CropRecord) => boolean) => rs.filter(f).length / rs.length;
const close = (x: number, want: number, tol: number, what: string) =>
  assert.ok(Math.abs(x - want) <= tol, `${what}: ${x} vs ${want} ± ${tol}`);

const records1 = sample(RECIPE, 1, 40); // 40 x 64 images x 6 crops
const records3 = sample(RGB, 3, 8); // 8 x 64 images x 5 crops

test('output: official crop order and sizes, [B, C, S, S] float32, records image-major', () => {
  const aug = new DataAugmentationDINO(RECIPE, 1);
  assert.equal(aug.cropSizes, [28, 28, 14, 14, 14, 14]);
  const images = [noise(28, 28, 1, 1), noise(28, 28, 1, 2), noise(28, 28, 1, 3)];
  const records: CropRecord[] = [];
  const out = aug.apply(images, new Generator(0), { records });
  assert.equal(
    out.map((a) => a.length),
    [3 * 784, 3 * 784, 3 * 196, 3 * 196, 3 * 196, 3 * 196],
  );
  assert.ok(out.every((a) => a instanceof Float32Array));
  assert.equal(
    records.map((r) => r.crop),
    [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5],
  );
  const tensors = aug.applyTensors(images, new Generator(0));
  assert.equal(
    tensors.map((t) => t.shape),
    [
      [3, 1, 28, 28],
      [3, 1, 28, 28],
      [3, 1, 14, 14],
      [3, 1, 14, 14],
      [3, 1, 14, 14],
      [3, 1, 14, 14],
    ],
  );
  assert.equal(
    Array.from(tensors[2].dataSync()),
    Array.from(out[2]),
    'same seed, same crops as apply',
  );
  const again = aug.apply(images, new Generator(5), { out });
  assert.ok(
    again.every((a, v) => a === out[v]),
    'output arrays reused',
  );
});

test('determinism: the same seed gives the same crops, another seed other crops', () => {
  const aug = new DataAugmentationDINO(RGB, 3);
  const images = [noise(30, 40, 3, 1), noise(17, 23, 3, 2)];
  const a = aug.apply(images, new Generator(42));
  const b = new DataAugmentationDINO(RGB, 3).apply(images, new Generator(42));
  const c = aug.apply(images, new Generator(43));
  assert.equal(
    a.map((x) => Array.from(x)),
    b.map((x) => Array.from(x)),
  );
  assert.not.equal(Array.from(a[0]), Array.from(c[0]));
  const g = new Generator(42);
  const first = aug.apply(images, g);
  const second = aug.apply(images, g);
  assert.not.equal(Array.from(first[2]), Array.from(second[2]), 'the generator advances');
});

test(
  'normalisation: a constant image maps to (v/255 − mean)/std in every ' +
    'crop (1 and 3 channels)',
  () => {
    // blur and resize keep a constant image
    const opts1 = { ...RECIPE, colorJitterProb: 0, solarizeProb: 0 };
    const out1 = new DataAugmentationDINO(opts1, 1).apply(
      [constant(28, 28, [77])],
      new Generator(1),
    );
    const want1 = (77 / 255 - 0.286) / 0.353;
    for (const crop of out1) for (const x of crop) close(x, want1, 1e-6, 'grey');
    const opts3 = { ...RGB, colorJitterProb: 0, grayscaleProb: 0, solarizeProb: 0 };
    const out3 = new DataAugmentationDINO(opts3, 3).apply(
      [constant(31, 26, [10, 128, 250]), constant(20, 20, [0, 255, 3])],
      new Generator(2),
    );
    const vals = [
      [10, 128, 250],
      [0, 255, 3],
    ];
    out3.forEach((crop, v) => {
      const S = v < 2 ? 24 : 12;
      for (let b = 0; b < 2; b++)
        for (let c = 0; c < 3; c++) {
          const want = (vals[b][c] / 255 - RGB.mean[c]) / RGB.std[c];
          for (let p = 0; p < S * S; p++)
            close(crop[(b * 3 + c) * S * S + p], want, 1e-6, `crop ${v} image ${b} channel ${c}`);
        }
    });
  },
);

test(
  'crop scale: RandomResizedCrop areas lie in the range and their mean ' +
    'matches the accept-reject law',
  () => {
    // A large square image, so that rounding w and h does not matter.
    const g = new Generator(7);
    const L = Math.log(4 / 3);
    for (const [lo, hi] of [
      [0.4, 1],
      [0.05, 0.4],
    ] as const) {
      let sum = 0,
        sumLogR = 0,
        sumAbsLogR = 0;
      const n = 20000;
      for (let i = 0; i < n; i++) {
        const b = randomResizedCropBox(1000, 1000, [lo, hi], [3 / 4, 4 / 3], g);
        const s = (b.width * b.height) / 1e6;
        assert.ok(s >= lo - 0.002 && s <= hi + 0.002, `scale ${s}`);
        assert.ok(
          b.top >= 0 && b.left >= 0 && b.top + b.height <= 1000 && b.left + b.width <= 1000,
        );
        const lr = Math.log(b.width / b.height);
        assert.ok(Math.abs(lr) <= L + 0.003, `ratio ${b.width / b.height}`);
        sum += s;
        sumLogR += lr;
        sumAbsLogR += Math.abs(lr);
      }
      // E[s | accepted]: s ~ U(lo, hi), t = log r ~ U(−L, L), a square accepts iff s ≤ e^{−|t|}.
      let num = 0,
        den = 0;
      for (let i = 0; i < 400; i++)
        for (let j = 0; j < 400; j++) {
          const s = lo + ((i + 0.5) / 400) * (hi - lo);
          const t = ((j + 0.5) / 400) * L;
          if (s <= Math.exp(-t)) {
            num += s;
            den += 1;
          }
        }
      close(sum / n, num / den, 0.005, `mean scale for [${lo}, ${hi}]`);
      close(sumLogR / n, 0, 0.01, 'mean log ratio');
      if (hi < 0.75) close(sumAbsLogR / n, L / 2, 0.01, 'log-uniform ratio: mean |log r| = L/2');
    }
  },
);

test('crop scale through the pipeline on 28 px images (rounding tolerance)', () => {
  for (const [crops, lo, hi] of [
    [[0, 1], 0.4, 1],
    [[2, 3, 4, 5], 0.05, 0.4],
  ] as const) {
    const rs = records1.filter((r) => (crops as readonly number[]).includes(r.crop));
    const scales = rs.map((r) => (r.box.width * r.box.height) / 784);
    assert.ok(
      scales.every((s) => s >= lo - 0.04 && s <= hi + 0.04),
      `scales in [${lo}, ${hi}]`,
    );
    const mean = scales.reduce((a, b) => a + b, 0) / scales.length;
    assert.ok(mean > lo + 0.25 * (hi - lo) && mean < lo + 0.6 * (hi - lo), `mean scale ${mean}`);
  }
});

test('flip rate ≈ 0.5, jitter rate ≈ 0.8 with factors in range, grayscale ≈ 0.2 (RGB only)', () => {
  close(
    rate(records1, (r) => r.flipped),
    0.5,
    0.02,
    'flip',
  );
  close(
    rate(records1, (r) => r.jitter !== null),
    0.8,
    0.02,
    'jitter',
  );
  assert.ok(
    records1.every((r) => !r.grayscale),
    'no grayscale on 1 channel',
  );
  const orders1 = new Set(
    records1.filter((r) => r.jitter).map((r) => r.jitter!.map((j) => j.op).join(',')),
  );
  assert.equal(
    [...orders1].sort(),
    ['brightness,contrast', 'contrast,brightness'],
    '1 channel: brightness and contrast, both orders',
  );
  for (const r of records1)
    for (const j of r.jitter ?? [])
      assert.ok(j.factor >= 0.6 && j.factor <= 1.4, `${j.op} ${j.factor}`);
  close(
    rate(records3, (r) => r.grayscale),
    0.2,
    0.03,
    'grayscale',
  );
  close(
    rate(records3, (r) => r.flipped),
    0.5,
    0.03,
    'flip rgb',
  );
  const orders3 = new Map<string, number>();
  for (const r of records3)
    if (r.jitter)
      orders3.set(
        r.jitter.map((j) => j.op).join(','),
        (orders3.get(r.jitter.map((j) => j.op).join(',')) ?? 0) + 1,
      );
  assert.is(orders3.size, 24, 'all 24 orders of the four adjustments');
  for (const r of records3)
    for (const j of r.jitter ?? []) {
      const [lo, hi] =
        j.op === 'hue' ? [-0.1, 0.1] : j.op === 'saturation' ? [0.8, 1.2] : [0.6, 1.4];
      assert.ok(j.factor >= lo && j.factor <= hi, `${j.op} ${j.factor}`);
    }
});

test(
  'blur probabilities per crop: global 1 always, global 2 ≈ 0.1, locals ' + '≈ 0.5; sigma in range',
  () => {
    const blurred = (crops: number[]) =>
      rate(
        records1.filter((r) => crops.includes(r.crop)),
        (r) => r.blurSigma !== null,
      );
    assert.is(blurred([0]), 1);
    close(blurred([1]), 0.1, 0.02, 'global 2');
    close(blurred([2, 3, 4, 5]), 0.5, 0.02, 'local');
    for (const r of records1)
      if (r.blurSigma !== null) assert.ok(r.blurSigma >= 0.1 && r.blurSigma <= 1.0);
  },
);

test('solarization happens on crop 2 only, at ≈ p', () => {
  assert.ok(records1.every((r) => r.crop === 1 || !r.solarized));
  close(
    rate(
      records1.filter((r) => r.crop === 1),
      (r) => r.solarized,
    ),
    0.2,
    0.025,
    'solarize',
  );
  close(
    rate(
      records3.filter((r) => r.crop === 1),
      (r) => r.solarized,
    ),
    0.2,
    0.05,
    'solarize rgb',
  );
});

test('the pixels agree with the records: flip, solarize, blur, grayscale', () => {
  const img = noise(28, 28, 1, 9);
  const mirror = (d: Uint8Array) =>
    Uint8Array.from(d, (_, i) => d[Math.floor(i / 28) * 28 + 27 - (i % 28)]);
  const g = new Generator(3);
  const rec = {} as CropRecord;
  // Identity crop: the output is the input.
  assert.equal(
    Array.from(new DataAugmentationDINO(IDENTITY, 1).cropUint8(img, 3, g)),
    Array.from(img.data),
  );
  const flip = new DataAugmentationDINO({ ...IDENTITY, flipProb: 0.5 }, 1);
  const sol = new DataAugmentationDINO({ ...IDENTITY, solarizeProb: 0.5 }, 1);
  const blur = new DataAugmentationDINO(
    { ...IDENTITY, blurProbLocal: 0.5, blurSigma: [0.8, 1] },
    1,
  );
  const seen = { flip: [0, 0], sol: [0, 0], blur: [0, 0] };
  for (let i = 0; i < 40; i++) {
    const f = flip.cropUint8(img, i % 6, g, undefined, rec);
    assert.equal(Array.from(f), Array.from(rec.flipped ? mirror(img.data) : img.data));
    seen.flip[+rec.flipped]++;
    const s = sol.cropUint8(img, 1, g, undefined, rec);
    assert.equal(
      Array.from(s),
      Array.from(rec.solarized ? img.data.map((v) => (v >= 128 ? 255 - v : v)) : img.data),
    );
    seen.sol[+rec.solarized]++;
    const b = blur.cropUint8(img, 2, g, undefined, rec);
    const same = b.every((v, k) => v === img.data[k]);
    assert.is(same, rec.blurSigma === null);
    seen.blur[+(rec.blurSigma !== null)]++;
  }
  assert.ok(
    Object.values(seen).every(([no, yes]) => no > 5 && yes > 5),
    JSON.stringify(seen),
  );
  // Grayscale on RGB: R = G = B exactly when the record says so.
  const rgb = noise(28, 28, 3, 4);
  const grey = new DataAugmentationDINO(
    { ...IDENTITY, mean: [0, 0, 0], std: [1, 1, 1], grayscaleProb: 0.5 },
    3,
  );
  let greys = 0;
  for (let i = 0; i < 30; i++) {
    const d = grey.cropUint8(rgb, 0, g, undefined, rec);
    let allEqual = true;
    for (let p = 0; p < d.length; p += 3)
      if (d[p] !== d[p + 1] || d[p] !== d[p + 2]) allEqual = false;
    assert.is(allEqual, rec.grayscale);
    greys += +rec.grayscale;
  }
  assert.ok(greys > 3 && greys < 27);
});

test(
  'bicubic resize of an identity-size box returns the input; constant ' +
    'stays constant at any size',
  () => {
    const r = new BicubicResizer();
    const img = noise(20, 30, 3, 5);
    const out = new Uint8Array(20 * 30 * 3);
    r.resize(img.data, 30, 3, 0, 0, 20, 30, out, 20, 30);
    assert.equal(Array.from(out), Array.from(img.data));
    const sub = new Uint8Array(7 * 9 * 3); // a box of the same size as the output: the sub-image
    r.resize(img.data, 30, 3, 4, 11, 7, 9, sub, 7, 9);
    for (let y = 0; y < 7; y++)
      for (let x = 0; x < 9; x++)
        for (let c = 0; c < 3; c++) {
          assert.is(sub[(y * 9 + x) * 3 + c], img.data[((4 + y) * 30 + 11 + x) * 3 + c]);
        }
    const k = bicubicCoeffs(12, 12);
    for (let i = 0; i < 12; i++)
      for (let j = 0; j < k.count[i]; j++) {
        assert.is(k.weights[i * k.ksize + j], k.start[i] + j === i ? 1 << 22 : 0);
      }
    const flat = constant(13, 17, [200]);
    for (const [oh, ow] of [
      [5, 3],
      [40, 33],
      [13, 4],
    ]) {
      const o = new Uint8Array(oh * ow);
      r.resize(flat.data, 17, 1, 0, 0, 13, 17, o, oh, ow);
      assert.ok(
        o.every((v) => v === 200),
        `${oh}x${ow}`,
      );
    }
  },
);

test(
  '1- and 3-channel paths: grey images through an RGB pipeline stay ' +
    'grey; RGB into 1 channel is an error',
  () => {
    const aug = new DataAugmentationDINO({ ...RGB, mean: [0, 0, 0], std: [1, 1, 1] }, 3);
    const g = new Generator(8);
    const img = noise(28, 28, 1, 6);
    for (let v = 0; v < aug.numCrops; v++) {
      const d = aug.cropUint8(img, v, g);
      for (let p = 0; p < d.length; p += 3) assert.ok(d[p] === d[p + 1] && d[p] === d[p + 2]);
    }
    const grey = new DataAugmentationDINO(RECIPE, 1);
    assert.throws(
      () => grey.apply([noise(28, 28, 3, 1)], g),
      /3-channel image for a 1-channel transform/,
    );
    assert.throws(() => grey.cropUint8(img, 6, g), /crop index 6 out of range \[0, 6\)/);
  },
);

test('EvalTransform: the whole image resized and normalised, [B, C, S, S]', () => {
  const img = noise(28, 28, 1, 2);
  const ev = new EvalTransform({ size: 28, mean: [0.5], std: [0.25] }, 1);
  const out = ev.apply([img, img]);
  assert.is(out.length, 2 * 784);
  for (let i = 0; i < 784; i++)
    close(out[784 + i], (img.data[i] / 255 - 0.5) / 0.25, 1e-6, 'identity size');
  const rgb = new EvalTransform({ size: 16, mean: [0.1, 0.2, 0.3], std: [1, 2, 3] }, 3);
  const t = rgb.applyTensor([constant(40, 30, [51, 102, 153])]);
  assert.equal(t.shape, [1, 3, 16, 16]);
  const d = t.dataSync();
  for (let c = 0; c < 3; c++)
    close(
      d[c * 256 + 100],
      ((51 * (c + 1)) / 255 - [0.1, 0.2, 0.3][c]) / [1, 2, 3][c],
      1e-6,
      `channel ${c}`,
    );
  assert.throws(
    () => new EvalTransform({ size: 16, mean: [0.1], std: [1] }, 3),
    /EvalTransformOptions\.mean/,
  );
});

test('options are validated with errors naming the option', () => {
  const bad: [Partial<AugmentOptions>, RegExp][] = [
    [{ mean: [0.5] }, /AugmentOptions\.mean: expected 3 value/],
    [{ std: [1, 0, 1] }, /AugmentOptions\.std: invalid value 0/],
    [{ globalCropsScale: [0.5, 0.4] }, /AugmentOptions\.globalCropsScale/],
    [{ localCropsScale: [0, 0.4] }, /AugmentOptions\.localCropsScale/],
    [{ localCropsNumber: -1 }, /AugmentOptions\.localCropsNumber/],
    [{ globalCropSize: 0 }, /AugmentOptions\.globalCropSize/],
    [{ solarizeProb: 1.5 }, /AugmentOptions\.solarizeProb/],
    [{ hue: 0.7 }, /AugmentOptions\.hue/],
    [{ blurSigma: [2, 1] }, /AugmentOptions\.blurSigma/],
    [{ cropRatio: [0, 1] }, /AugmentOptions\.cropRatio/],
  ];
  for (const [patch, re] of bad)
    assert.throws(() => new DataAugmentationDINO({ ...RGB, ...patch }, 3), re);
  assert.throws(() => new DataAugmentationDINO(RGB, 2 as 3), /1 or 3 channels/);
});

test('OFFICIAL_AUGMENT holds the official values', () => {
  const o = OFFICIAL_AUGMENT;
  assert.equal([o.globalCropSize, o.localCropSize, o.localCropsNumber], [224, 96, 8]);
  assert.equal(
    [o.globalCropsScale, o.localCropsScale],
    [
      [0.4, 1],
      [0.05, 0.4],
    ],
  );
  assert.equal(
    [o.brightness, o.contrast, o.saturation, o.hue, o.colorJitterProb, o.grayscaleProb],
    [0.4, 0.4, 0.2, 0.1, 0.8, 0.2],
  );
  assert.equal(
    [o.blurProbGlobal1, o.blurProbGlobal2, o.blurProbLocal, o.blurSigma, o.solarizeProb],
    [1, 0.1, 0.5, [0.1, 2], 0.2],
  );
  assert.equal(
    [o.mean, o.std],
    [
      [0.485, 0.456, 0.406],
      [0.229, 0.224, 0.225],
    ],
  );
  assert.ok(Object.isFrozen(o));
});

test.run();
