// The seeded generator: reproducibility, state save/restore, and distribution sanity.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Generator, manualSeed } from '../../src/tensor/random.js';
import { rand, randn, truncNormal, uniform } from '../../src/tensor/creation.js';

test('same seed, same stream; different seeds differ', () => {
  const a = new Generator(42);
  const b = new Generator(42);
  const c = new Generator(43);
  const xa = Array.from({ length: 10 }, () => a.nextUint32());
  const xb = Array.from({ length: 10 }, () => b.nextUint32());
  const xc = Array.from({ length: 10 }, () => c.nextUint32());
  assert.equal(xa, xb);
  assert.not.equal(xa, xc);
});

test('state() / setState() resumes the exact stream, Box-Muller spare included', () => {
  const g = new Generator(7);
  g.normal(); // leaves a spare
  const saved = g.state();
  const expected = [g.normal(), g.uniform(), g.normal()];
  const h = new Generator(0).setState(saved);
  assert.equal([h.normal(), h.uniform(), h.normal()], expected);
});

test('uniform mean and variance, normal moments', () => {
  const g = new Generator(1);
  const n = 200000;
  let s = 0,
    s2 = 0,
    z = 0,
    z2 = 0;
  for (let i = 0; i < n; i++) {
    const u = g.uniform();
    assert.ok(u >= 0 && u < 1);
    s += u;
    s2 += u * u;
    const v = g.normal();
    z += v;
    z2 += v * v;
  }
  assert.ok(Math.abs(s / n - 0.5) < 0.005);
  assert.ok(Math.abs(s2 / n - (s * s) / n / n - 1 / 12) < 0.002);
  assert.ok(Math.abs(z / n) < 0.01);
  assert.ok(Math.abs(z2 / n - 1) < 0.02);
});

test('truncNormal stays inside its absolute bounds', () => {
  const g = new Generator(3);
  for (let i = 0; i < 10000; i++) {
    const v = g.truncNormal(0, 1, -0.5, 0.7);
    assert.ok(v >= -0.5 && v <= 0.7);
  }
});

test('permutation is a permutation', () => {
  const p = Array.from(new Generator(5).permutation(100)).sort((a, b) => a - b);
  assert.equal(
    p,
    Array.from({ length: 100 }, (_, i) => i),
  );
});

test('same seed, same randn / truncNormal / rand / uniform tensors, on float32 and float64', () => {
  for (const seed of [0, 1, 12345, 2 ** 31 - 1]) {
    const draws = [
      (g: Generator, dtype: 'float32' | 'float64') => randn([3, 50], { generator: g, dtype }),
      (g: Generator, dtype: 'float32' | 'float64') =>
        truncNormal([3, 50], { std: 0.02 }, { generator: g, dtype }),
      (g: Generator, dtype: 'float32' | 'float64') =>
        truncNormal([3, 50], { mean: 0.5, std: 1, a: -0.5, b: 1 }, { generator: g, dtype }),
      (g: Generator, dtype: 'float32' | 'float64') => rand([3, 50], { generator: g, dtype }),
      (g: Generator, dtype: 'float32' | 'float64') =>
        uniform([3, 50], -2, 3, { generator: g, dtype }),
    ];
    for (const draw of draws) {
      const a64 = draw(new Generator(seed), 'float64').dataSync();
      const b64 = draw(new Generator(seed), 'float64').dataSync();
      const a32 = draw(new Generator(seed), 'float32').dataSync();
      assert.equal(a64, b64);
      // values are drawn in float64 on the host and rounded: float32 is the rounded float64 draw
      assert.equal(a32, Float32Array.from(a64));
      assert.not.equal(draw(new Generator(seed + 1), 'float64').dataSync(), a64);
    }
  }
  // successive draws from one generator continue the stream (no restart per tensor)
  const g = new Generator(9);
  const first = randn([4], { generator: g, dtype: 'float64' }).dataSync();
  const second = randn([4], { generator: g, dtype: 'float64' }).dataSync();
  const h = new Generator(9);
  assert.equal(
    [...first, ...second],
    Array.from({ length: 8 }, () => h.normal()),
  );
  // the default generator is seeded by manualSeed
  manualSeed(77);
  const d1 = randn([5]).dataSync();
  manualSeed(77);
  assert.equal(randn([5]).dataSync(), d1);
});

test('truncNormal tensors respect their absolute bounds; std 0.02 is a plain normal', () => {
  const t = truncNormal(
    [20000],
    { mean: 0, std: 1, a: -0.5, b: 0.7 },
    { generator: new Generator(4), dtype: 'float64' },
  ).dataSync();
  assert.ok(t.every((v) => v >= -0.5 && v <= 0.7));
  const s = truncNormal(
    [20000],
    { std: 0.02 },
    { generator: new Generator(4), dtype: 'float64' },
  ).dataSync();
  const n = randn([20000], { generator: new Generator(4), dtype: 'float64' }).dataSync();
  // with bounds at ±2 absolute and σ = 0.02 nothing is rejected: the draw is 0.02·normal
  s.forEach((v, i) => assert.ok(Math.abs(v - 0.02 * n[i]) < 1e-17));
});

test.run();
