// AdamW, parameter groups and gradient clipping (official utils.get_params_groups,
// utils.clip_gradients, torch.optim.AdamW): the update against a naive
// float64 AdamW, parameters with a null gradient skipped entirely, the optimizer state round
// trip, the decay groups by name and rank, and per-tensor clipping semantics.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Module, parameter } from '../../src/nn/module.js';
import { AdamW, clipGradients, getParamsGroups } from '../../src/nn/optim.js';
import { tensor } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../autograd/helpers.js';

const f64 = (data: number[], shape = [data.length]) =>
  tensor(Float64Array.from(data), { shape, dtype: 'float64' });
const param = (data: number[], shape = [data.length]) => parameter(f64(data, shape));
const vals = (t: Tensor) => [...t.dataSync()];

/** A naive AdamW for one tensor (torch.optim.AdamW, single-tensor path). */
class NaiveAdamW {
  m: number[];
  v: number[];
  step = 0;
  constructor(
    n: number,
    readonly b1 = 0.9,
    readonly b2 = 0.999,
    readonly eps = 1e-8,
  ) {
    this.m = new Array(n).fill(0);
    this.v = new Array(n).fill(0);
  }
  update(p: number[], g: number[], lr: number, wd: number): number[] {
    this.step++;
    const bc1 = 1 - this.b1 ** this.step;
    const bc2 = 1 - this.b2 ** this.step;
    return p.map((pi, i) => {
      pi *= 1 - lr * wd;
      this.m[i] = this.b1 * this.m[i] + (1 - this.b1) * g[i];
      this.v[i] = this.b2 * this.v[i] + (1 - this.b2) * g[i] * g[i];
      const denom = Math.sqrt(this.v[i]) / Math.sqrt(bc2) + this.eps;
      return pi - (lr / bc1) * (this.m[i] / denom);
    });
  }
}

function randomArray(n: number, g: Generator, scale = 1): number[] {
  return Array.from({ length: n }, () => g.normal() * scale);
}

test(
  'AdamW matches a naive float64 AdamW over 5 steps: decay on group ' +
    '0 only, per-step lr/wd, defaults β (0.9, 0.999), ε 1e-8',
  () => {
    const g = new Generator(1);
    const w = param(randomArray(6, g), [2, 3]);
    const b = param(randomArray(3, g), [3]);
    const opt = new AdamW(
      [
        ['lin.weight', w],
        ['lin.bias', b],
      ],
      { lr: 0.1, weightDecay: 0.05 },
    );
    assert.equal(opt.betas, [0.9, 0.999]);
    assert.is(opt.eps, 1e-8);
    const nw = new NaiveAdamW(6);
    const nb = new NaiveAdamW(3);
    let pw = vals(w);
    let pb = vals(b);
    for (let s = 0; s < 5; s++) {
      const lr = 0.01 * (s + 1);
      const wd = 0.04 + 0.1 * s;
      opt.setSchedule(lr, wd);
      assert.is(opt.groups[1].weightDecay, 0, 'the not-regularized group keeps wd 0');
      const gw = randomArray(6, g, s === 2 ? 1e-9 : 1); // one tiny gradient: ε matters
      const gb = randomArray(3, g);
      w.grad = f64(gw, [2, 3]);
      b.grad = f64(gb);
      opt.step();
      pw = nw.update(pw, gw, lr, wd);
      pb = nb.update(pb, gb, lr, 0);
      assertClose(vals(w), pw, { atol: 0, rtol: 1e-14 }, `weight after step ${s + 1}`);
      assertClose(vals(b), pb, { atol: 0, rtol: 1e-14 }, `bias after step ${s + 1}`);
    }
    const st = opt.stateDict();
    assert.equal(st.steps, { 'lin.weight': 5, 'lin.bias': 5 });
    assertClose(
      vals(st.tensors.get('lin.weight.exp_avg')!),
      nw.m,
      { atol: 0, rtol: 1e-14 },
      'exp_avg',
    );
    assertClose(
      vals(st.tensors.get('lin.weight.exp_avg_sq')!),
      nw.v,
      { atol: 0, rtol: 1e-14 },
      'exp_avg_sq',
    );
  },
);

test(
  'AdamW skips a parameter whose grad is null: no decay, no state, ' +
    'no step count (then its first step is step 1)',
  () => {
    const g = new Generator(2);
    const a = param(randomArray(4, g), [2, 2]);
    const frozen = param(randomArray(4, g), [2, 2]);
    const opt = new AdamW(
      [
        ['a', a],
        ['last_layer.weight_v', frozen],
      ],
      { lr: 0.5, weightDecay: 0.4 },
    );
    const before = vals(frozen);
    for (let s = 0; s < 3; s++) {
      a.grad = f64(randomArray(4, g), [2, 2]);
      frozen.grad = null;
      opt.step();
    }
    assert.equal(vals(frozen), before, 'bit-identical: not even weight decay');
    assert.equal(opt.stateDict().steps, { a: 3 });
    assert.not.ok(opt.stateDict().tensors.has('last_layer.weight_v.exp_avg'));
    // now it receives a gradient: a fresh first step (bias corrections of step 1)
    const gr = randomArray(4, g);
    frozen.grad = f64(gr, [2, 2]);
    a.grad = null;
    const aBefore = vals(a);
    opt.step();
    assertClose(
      vals(frozen),
      new NaiveAdamW(4).update(before, gr, 0.5, 0.4),
      { atol: 0, rtol: 1e-14 },
      'first step',
    );
    assert.equal(vals(a), aBefore);
    assert.equal(opt.stateDict().steps, { a: 3, 'last_layer.weight_v': 1 });
  },
);

test('AdamW state round trip: a restored optimizer continues exactly as the original', () => {
  const g = new Generator(3);
  const init = randomArray(5, g);
  const grads = Array.from({ length: 6 }, () => randomArray(5, g));
  const p1 = param(init);
  const o1 = new AdamW([['w', p1]], { lr: 0.05, weightDecay: 0 });
  for (let s = 0; s < 3; s++) {
    p1.grad = f64(grads[s]);
    o1.step();
  }
  const saved = o1.stateDict();
  const p2 = param(vals(p1));
  const o2 = new AdamW([['w', p2]], { lr: 0.05, weightDecay: 0 });
  o2.loadStateDict({
    tensors: new Map([...saved.tensors].map(([k, t]) => [k, f64(vals(t))])),
    steps: { ...saved.steps },
  });
  for (let s = 3; s < 6; s++) {
    p1.grad = f64(grads[s]);
    p2.grad = f64(grads[s]);
    o1.step();
    o2.step();
  }
  assert.equal(vals(p2), vals(p1));
  assert.throws(
    () => o2.loadStateDict({ tensors: new Map(), steps: { w: 2 } }),
    /AdamW.loadStateDict: moments of w are missing \(expected w.exp_avg and w.exp_avg_sq\)/,
  );
});

class Odd extends Module {
  cls_token = param([0, 0], [1, 1, 2]); // ≥ 2-D: decayed although it is not a weight
  scale = param([1, 1]); // 1-D, not named bias: not decayed
  'proj.bias' = param([0, 0, 0, 0], [2, 2]); // named .bias although 2-D: not decayed
  frozen = parameter(f64([1, 2], [2, 1]), { requiresGrad: false });
  weight_v = param([1, 2, 3, 4], [2, 2]);
}

test(
  'parameter groups: decay unless the name ends in .bias or the tensor ' +
    'is 1-D; frozen parameters in neither',
  () => {
    const m = new Odd();
    const { regularized, notRegularized } = getParamsGroups(m.namedParameters());
    assert.equal(
      regularized.map(([k]) => k),
      ['cls_token', 'weight_v'],
    );
    assert.equal(
      notRegularized.map(([k]) => k),
      ['scale', 'proj.bias'],
    );
    const opt = new AdamW(m.namedParameters(), { lr: 1, weightDecay: 0.1 });
    assert.equal(
      opt.groups.map((gr) => [gr.name, gr.params.map(([k]) => k), gr.weightDecay]),
      [
        ['regularized', ['cls_token', 'weight_v'], 0.1],
        ['not_regularized', ['scale', 'proj.bias'], 0],
      ],
    );
  },
);

test(
  'clipGradients: per tensor, only when clip/(n + 1e-6) < 1, by that ' +
    'factor; returns the norms before clipping',
  () => {
    const big = param([3, 4]); // norm 5
    const small = param([0.3, 0.4]); // norm 0.5
    const none = param([1, 1]);
    big.grad = f64([3, 4]);
    small.grad = f64([0.3, 0.4]);
    none.grad = null;
    const norms = clipGradients([big, none, small], 3);
    assert.equal(
      norms.map((n) => n.itemSync()),
      [5, 0.5],
      'one norm per tensor with a gradient',
    );
    const c = 3 / (5 + 1e-6);
    assert.equal(vals(big.grad!), [3 * c, 4 * c]);
    assert.equal(
      vals(small.grad!),
      [0.3, 0.4],
      'below the clip: bit-identical (global-norm clipping would scale it too)',
    );
    assert.is(none.grad, null);
    // the norm after clipping is clip·n/(n + 1e-6), just under the clip
    const after = Math.hypot(...vals(big.grad!));
    assert.ok(after < 3 && after > 3 - 1e-6, `${after}`);
  },
);

test(
  'clipGradients at the boundary: n = clip is scaled by clip/(clip ' +
    '+ 1e-6); n just below clip − 1e-6 is not',
  () => {
    const p = param([3, 4]);
    p.grad = f64([3, 4]);
    clipGradients([p], 5);
    assert.equal(vals(p.grad!), [3 * (5 / (5 + 1e-6)), 4 * (5 / (5 + 1e-6))]);
    assert.ok(vals(p.grad!)[0] < 3);
    p.grad = f64([3, 4]);
    clipGradients([p], 5 + 2e-6); // factor (5 + 2e-6)/(5 + 1e-6) > 1
    assert.equal(vals(p.grad!), [3, 4]);
    // a zero gradient stays zero (no division by zero)
    p.grad = f64([0, 0]);
    clipGradients([p], 1);
    assert.equal(vals(p.grad!), [0, 0]);
  },
);

test(
  'clipGradients on a float32 matrix: the scaled gradient has norm ' + '≈ clip and its direction',
  () => {
    const g = new Generator(4);
    const data = Float32Array.from({ length: 64 }, () => g.normal());
    const p = parameter(tensor(data, { shape: [8, 8] }));
    p.grad = tensor(data, { shape: [8, 8] });
    const n = Math.hypot(...data);
    clipGradients([p], 1);
    const out = vals(p.grad!);
    assertClose(
      out,
      [...data].map((v) => v * (1 / (n + 1e-6))),
      { atol: 0, rtol: 2 ** -22 },
      'scaled',
    );
  },
);

test('step({ clipGrad }) equals step() on g·min(clip/(‖g‖ + 1e-6), 1), bit for bit in float64', () => {
  // utils.clip_gradients divides (clip / (norm + 1e-6)); clipGradients() multiplies by a
  // reciprocal (div of a number by a tensor), so it agrees to rounding, not to the bit
  const g = new Generator(9);
  const make = () => {
    const gg = new Generator(5);
    return [4, 12, 7].map((n) => parameter(f64(randomArray(n, gg), [n])));
  };
  const [fused, manual, viaOps] = [make(), make(), make()];
  const opt = (ps: Tensor[]) =>
    new AdamW(
      ps.map((p, i) => [`w${i}`, p]),
      { lr: 0.1, weightDecay: 0.04 },
    );
  const [optF, optM, optO] = [opt(fused), opt(manual), opt(viaOps)];
  let clipped = 0;
  for (let step = 0; step < 4; step++) {
    // norms from about 0.3 to 30 against a clip of 3: some tensors clipped, some not
    const grads = fused.map((p, i) => randomArray(p.size, g, 0.1 * 10 ** ((step + i) % 3)));
    grads.forEach((gr, i) => {
      const norm = Math.sqrt(gr.reduce((a, x) => a + x * x, 0));
      const c = Math.min(3 / (norm + 1e-6), 1);
      if (c < 1) clipped++;
      fused[i].grad = f64(gr);
      manual[i].grad = f64(gr.map((x) => x * c));
      viaOps[i].grad = f64(gr);
    });
    optF.step({ clipGrad: 3 });
    optM.step();
    clipGradients(viaOps, 3);
    optO.step();
    fused.forEach((p, i) => {
      assert.equal(vals(p), vals(manual[i]), `step ${step} w${i}`);
      assertClose(vals(p), vals(viaOps[i]), { atol: 0, rtol: 1e-14 }, `ops w${i}`);
    });
  }
  assert.ok(clipped >= 3 && clipped <= 9, `${clipped} of 12 updates clipped`);
  const sf = optF.stateDict().tensors;
  for (const [k, t] of optM.stateDict().tensors) assert.equal(vals(sf.get(k)!), vals(t), k);
});

test.run();
