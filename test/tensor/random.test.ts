// The seeded generator: reproducibility, state save/restore, and distribution sanity.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Generator } from '../../src/tensor/random.js';

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
  let s = 0, s2 = 0, z = 0, z2 = 0;
  for (let i = 0; i < n; i++) {
    const u = g.uniform();
    assert.ok(u >= 0 && u < 1);
    s += u; s2 += u * u;
    const v = g.normal();
    z += v; z2 += v * v;
  }
  assert.ok(Math.abs(s / n - 0.5) < 0.005);
  assert.ok(Math.abs(s2 / n - s * s / n / n - 1 / 12) < 0.002);
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
  assert.equal(p, Array.from({ length: 100 }, (_, i) => i));
});

test.run();
