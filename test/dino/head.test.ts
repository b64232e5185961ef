// DINOHead (official vision_transformer.py DINOHead): keys mlp.0/2/4 and
// last_layer.weight_g/weight_v with weight_g = 1 and frozen, the forward against a naive float64
// computation (cosine-similarity logits), the weight-norm gradients against the closed form of
// nn.utils.weight_norm, and weight decay on v never changing the function.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backward, mul, sum } from '../../src/autograd/index.js';
import { copy_ } from '../../src/autograd/ops/cast.js';
import { AdamW } from '../../src/nn/optim.js';
import { DINOHead, WeightNormLinear, type DINOHeadConfig } from '../../src/dino/head.js';
import { tensor } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { assertClose, naiveGelu } from '../autograd/helpers.js';

const CFG: DINOHeadConfig = {
  inDim: 8,
  outDim: 16,
  hiddenDim: 12,
  bottleneckDim: 6,
  nlayers: 3,
  normLastLayer: true,
};
const head = (c: Partial<DINOHeadConfig> = {}, seed = 0) =>
  new DINOHead({ ...CFG, ...c }, { dtype: 'float64', generator: new Generator(seed) });
const keysShapes = (h: DINOHead) => [...h.stateDict()].map(([k, t]) => [k, [...t.shape]]);

function rand(shape: number[], seed: number, scale = 1): Tensor {
  const g = new Generator(seed);
  return tensor(
    Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => g.normal() * scale),
    { shape, dtype: 'float64' },
  );
}

/** Row-major [rows, cols] as nested arrays. */
function rows(t: Tensor): number[][] {
  const [r, c] = t.shape;
  const d = t.dataSync();
  return Array.from({ length: r }, (_, i) => Array.from(d.subarray(i * c, (i + 1) * c)));
}
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
const nrm = (a: number[]) => Math.sqrt(dot(a, a));

test(
  'keys, order and shapes: mlp.0, mlp.2, mlp.4 (GELUs at 1 and 3), ' +
    'last_layer.weight_g [K, 1], weight_v [K, Bn]',
  () => {
    assert.equal(keysShapes(head()), [
      ['mlp.0.weight', [12, 8]],
      ['mlp.0.bias', [12]],
      ['mlp.2.weight', [12, 12]],
      ['mlp.2.bias', [12]],
      ['mlp.4.weight', [6, 12]],
      ['mlp.4.bias', [6]],
      ['last_layer.weight_g', [16, 1]],
      ['last_layer.weight_v', [16, 6]],
    ]);
    assert.equal(keysShapes(head({ nlayers: 1 })), [
      ['mlp.weight', [6, 8]],
      ['mlp.bias', [6]],
      ['last_layer.weight_g', [16, 1]],
      ['last_layer.weight_v', [16, 6]],
    ]);
    assert.equal(
      keysShapes(head({ nlayers: 4 }))
        .map(([k]) => k)
        .filter((k) => (k as string).endsWith('weight')),
      ['mlp.0.weight', 'mlp.2.weight', 'mlp.4.weight', 'mlp.6.weight'],
    );
    assert.throws(() => head({ nlayers: 0 }), /DINOHead: nlayers must be at least 1, got 0/);
    // the official size note: D = 384 with the official 2048/256/65536 head has 5 509 376 MLP
    // parameters and 256·65 536 + 65 536 in the last layer (counted from the shapes, not built)
    const mlp = 384 * 2048 + 2048 + 2048 * 2048 + 2048 + 2048 * 256 + 256;
    assert.is(mlp, 5_509_376);
  },
);

test(
  'weight_g is filled with 1 and frozen (normLastLayer): a parameter ' +
    'without grad, in no AdamW group',
  () => {
    const h = head();
    assert.ok(h.last_layer.weight_g.dataSync().every((v) => v === 1));
    assert.not.ok(h.last_layer.weight_g.requiresGrad);
    assert.ok(
      h.namedParameters().some(([k]) => k === 'last_layer.weight_g'),
      'still a parameter (torch lists it too)',
    );
    const trainable = h
      .namedParameters()
      .filter(([, p]) => p.requiresGrad)
      .map(([k]) => k);
    assert.not.ok(trainable.includes('last_layer.weight_g'));
    assert.ok(trainable.includes('last_layer.weight_v'));
    const opt = new AdamW(h.namedParameters(), { lr: 1, weightDecay: 0.1 });
    const grouped = opt.groups.flatMap((g) => g.params.map(([k]) => k));
    assert.not.ok(grouped.includes('last_layer.weight_g'));
    assert.is(grouped.length, 7);
    // the frozen g gets no gradient
    const x = rand([3, 8], 1);
    backward(sum(h.forward(x)));
    assert.is(h.last_layer.weight_g.grad, null);
    assert.ok(h.last_layer.weight_v.grad !== null);
    // normLastLayer false: g trainable, decayed (it is 2-D)
    const free = head({ normLastLayer: false });
    assert.ok(free.last_layer.weight_g.requiresGrad);
    assert.equal(
      new AdamW(free.namedParameters(), { lr: 1, weightDecay: 0.1 }).groups[0].params.map(
        ([k]) => k,
      ),
      [
        'mlp.0.weight',
        'mlp.2.weight',
        'mlp.4.weight',
        'last_layer.weight_g',
        'last_layer.weight_v',
      ],
    );
  },
);

test(
  "init: MLP trunc-normal 0.02 with zero biases; weight_v keeps PyTorch's " + 'default U(±1/√Bn)',
  () => {
    const h = head({ bottleneckDim: 64, outDim: 512, hiddenDim: 128, inDim: 64 }, 5);
    const v = h.last_layer.weight_v.dataSync();
    const bound = 1 / 8;
    assert.ok(v.every((x) => Math.abs(x) <= bound) && v.some((x) => Math.abs(x) > 0.99 * bound));
    const w = h.stateDict().get('mlp.2.weight')!.dataSync();
    const std = Math.sqrt(Array.from(w).reduce((s, x) => s + x * x, 0) / w.length);
    assert.ok(Math.abs(std / 0.02 - 1) < 0.03, `std ${std}`);
    for (const k of ['mlp.0.bias', 'mlp.2.bias', 'mlp.4.bias'])
      assert.ok(
        h
          .stateDict()
          .get(k)!
          .dataSync()
          .every((x) => x === 0),
      );
  },
);

test(
  'forward = naive MLP (exact GELU) → L2-normalise → g·v/‖v‖: logits ' +
    'are cosine similarities in [−1, 1]',
  () => {
    const h = head({}, 2);
    // non-zero biases and a non-unit g so that every term is visible
    const free = head({ normLastLayer: false }, 2);
    for (const hd of [h, free]) {
      for (const [k, p] of hd.namedParameters()) {
        if (k.endsWith('bias') || (hd === free && k.endsWith('weight_g')))
          copy_(p, rand([...p.shape], k.length, 0.5));
      }
    }
    assert.ok(h.last_layer.weight_g.dataSync().every((v) => v === 1));
    const x = rand([5, 8], 3);
    for (const hd of [h, free]) {
      const sd = hd.stateDict();
      const lin = (inp: number[], w: string) =>
        rows(sd.get(`${w}.weight`)!).map(
          (r, o) => dot(r, inp) + sd.get(`${w}.bias`)!.dataSync()[o],
        );
      const g = hd.last_layer.weight_g.dataSync();
      const V = rows(hd.last_layer.weight_v);
      const expected = rows(x).flatMap((xi) => {
        const z = lin(lin(lin(xi, 'mlp.0').map(naiveGelu), 'mlp.2').map(naiveGelu), 'mlp.4');
        const zn = z.map((val) => val / Math.max(nrm(z), 1e-12));
        return V.map((vk, k) => (g[k] * dot(vk, zn)) / nrm(vk));
      });
      const out = hd.forward(x);
      assert.equal([...out.shape], [5, 16]);
      assertClose(out.dataSync(), expected, { atol: 1e-15, rtol: 1e-13 }, 'head forward');
    }
    assert.ok(
      h
        .forward(x)
        .dataSync()
        .every((v) => Math.abs(v) <= 1 + 1e-15),
      'g = 1: cosine similarities',
    );
  },
);

/** ∂L/∂g_k = u_k·G_k, ∂L/∂v_k = (g_k/‖v_k‖)(G_k − u_k (u_k·G_k)), u_k = v_k/‖v_k‖. */
function closedForm(
  G: number[][],
  V: number[][],
  g: ArrayLike<number>,
): { dg: number[]; dv: number[] } {
  const dg: number[] = [];
  const dv: number[] = [];
  V.forEach((vk, k) => {
    const n = nrm(vk);
    const u = vk.map((x) => x / n);
    const uG = dot(u, G[k]);
    dg.push(uG);
    dv.push(...G[k].map((Gi, i) => (g[k] / n) * (Gi - u[i] * uG)));
  });
  return { dg, dv };
}

test(
  'weight-norm gradients equal the closed form: ∂L/∂g = u·G, ∂L/∂v ' +
    '= (g/‖v‖)(G − u(u·G)); ∂L/∂v ⟂ v',
  () => {
    const K = 7,
      Bn = 5,
      R = 4;
    const layer = new WeightNormLinear(Bn, K, false, {
      dtype: 'float64',
      generator: new Generator(4),
    });
    copy_(layer.weight_g, rand([K, 1], 9, 1.5));
    const z = rand([R, Bn], 10);
    const up = rand([R, K], 11); // L = Σ up ⊙ logits, so G = ∂L/∂W = upᵀ·z
    backward(sum(mul(layer.forward(z), up)));
    const G = Array.from({ length: K }, (_, k) =>
      Array.from({ length: Bn }, (_, i) =>
        rows(up).reduce((s, ur, r) => s + ur[k] * rows(z)[r][i], 0),
      ),
    );
    const V = rows(layer.weight_v);
    const { dg, dv } = closedForm(G, V, layer.weight_g.dataSync());
    const scale = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));
    assertClose(
      layer.weight_g.grad!.dataSync(),
      dg,
      { atol: 1e-14 * scale(dg), rtol: 1e-12 },
      '∂L/∂g',
    );
    assertClose(
      layer.weight_v.grad!.dataSync(),
      dv,
      { atol: 1e-14 * scale(dv), rtol: 1e-12 },
      '∂L/∂v',
    );
    const gv = rows(layer.weight_v.grad!.view([K, Bn]));
    V.forEach((vk, k) =>
      assert.ok(
        Math.abs(dot(vk, gv[k])) < 1e-14 * nrm(vk) * nrm(gv[k]) + 1e-300,
        `row ${k} orthogonal`,
      ),
    );
  },
);

test(
  'through the whole head with frozen g = 1: G = upᵀ·ẑ with ẑ the normalised ' +
    'bottleneck; ∂L/∂v as the closed form',
  () => {
    const h = head({}, 6);
    const x = rand([5, 8], 12);
    const up = rand([5, 16], 13);
    backward(sum(mul(h.forward(x), up)));
    // the normalised bottleneck, computed with the head's own layers
    let z = x;
    for (const layer of h.mlp as { forward(t: Tensor): Tensor }[]) z = layer.forward(z);
    const zn = rows(z).map((r) => r.map((v) => v / nrm(r)));
    const G = Array.from({ length: 16 }, (_, k) =>
      Array.from({ length: 6 }, (_, i) => rows(up).reduce((s, ur, r) => s + ur[k] * zn[r][i], 0)),
    );
    const { dv } = closedForm(G, rows(h.last_layer.weight_v), h.last_layer.weight_g.dataSync());
    const scale = Math.max(...dv.map(Math.abs));
    assertClose(
      h.last_layer.weight_v.grad!.dataSync(),
      dv,
      { atol: 1e-14 * scale, rtol: 1e-12 },
      '∂L/∂v through the head',
    );
  },
);

test(
  'with g frozen, scaling v (what weight decay does to it) never changes ' + "the head's output",
  () => {
    const h = head({}, 7);
    const x = rand([4, 8], 14);
    const before = h.forward(x).dataSync();
    const v = h.last_layer.weight_v;
    copy_(
      v,
      tensor(
        v.dataSync().map((a) => a * (1 - 0.001 * 0.4)),
        { shape: v.shape, dtype: 'float64' },
      ),
    );
    assertClose(
      h.forward(x).dataSync(),
      before,
      { atol: 1e-16, rtol: 1e-14 },
      'output after decaying v',
    );
  },
);

test.run();
