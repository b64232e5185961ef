// Gradients through the gpu backend equal those through the cpu backend for a small composite
// MLP (linear → layerNorm → gelu → linear → logSoftmax cross-entropy), and the memory rule holds
// on the gpu: 200 forward+backward steps inside tidy leave no extra live buffers, and after the
// first step no kernel is built again (one kernel per shape signature, cached).
// Tolerance: each gradient within 2⁻¹⁴·max|grad| of the cpu's (about fifteen float32 kernels,
// each within a few ulp, a batch sum among them; the kernels' own tolerances are in the suites).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  backward,
  gelu,
  layerNorm,
  linear,
  logSoftmax,
  mul,
  sum,
  zeroGrad,
} from '../../../src/autograd/index.js';
import type { Backend } from '../../../src/tensor/backend.js';
import { tensor } from '../../../src/tensor/creation.js';
import { keep, tidy, type Tensor } from '../../../src/tensor/tensor.js';
import { cpu, gpu, normals } from './setup.js';

const B = 6,
  IN = 10,
  H = 16,
  C = 5;

function mlp(backend: Backend) {
  const p = (data: Float32Array, shape: number[]) =>
    keep(tensor(data, { shape, backend, requiresGrad: true }));
  const params = {
    w1: p(normals(H * IN, 1, 0.3), [H, IN]),
    b1: p(normals(H, 2, 0.1), [H]),
    g: p(
      normals(H, 3, 0.2).map((v) => 1 + v),
      [H],
    ),
    beta: p(normals(H, 4, 0.1), [H]),
    w2: p(normals(C * H, 5, 0.3), [C, H]),
    b2: p(normals(C, 6, 0.1), [C]),
  };
  const x = keep(tensor(normals(B * IN, 7), { shape: [B, IN], backend }));
  const onehot = new Float32Array(B * C);
  for (let i = 0; i < B; i++) onehot[i * C + ((i * 3) % C)] = 1;
  const target = keep(tensor(onehot, { shape: [B, C], backend }));
  const step = (): Tensor => {
    const h = gelu(layerNorm(linear(x, params.w1, params.b1), params.g, params.beta));
    const loss = mul(sum(mul(logSoftmax(linear(h, params.w2, params.b2)), target)), -1 / B);
    backward(loss);
    return loss;
  };
  return { params, step };
}

test('MLP gradients: gpu equals cpu', async () => {
  const g = mlp(gpu as unknown as Backend);
  const c = mlp(cpu as unknown as Backend);
  const lossG = g.step();
  const lossC = c.step();
  const lg = await lossG.item();
  const lc = await lossC.item();
  assert.ok(Math.abs(lg - lc) <= 2 ** -14 * Math.abs(lc), `loss ${lg} vs ${lc}`);
  for (const name of Object.keys(g.params) as (keyof typeof g.params)[]) {
    const got = await g.params[name].grad!.data();
    const want = await c.params[name].grad!.data();
    const scale = Math.max(...Array.from(want, Math.abs));
    for (let i = 0; i < want.length; i++) {
      assert.ok(
        Math.abs(got[i] - want[i]) <= 2 ** -14 * scale,
        `grad ${name}[${i}]: ${got[i]} vs ${want[i]} (max |grad| ${scale})`,
      );
    }
  }
});

test(
  'memory: 200 forward+backward steps in tidy do not grow live buffers ' + 'or build kernels',
  async () => {
    const before = gpu.liveBuffers;
    const { params, step } = mlp(gpu as unknown as Backend);
    const all = Object.values(params);
    const once = () => {
      zeroGrad(all);
      tidy(() => {
        step();
      });
    };
    once(); // builds the kernels
    await gpu.sync();
    const live = gpu.liveBuffers;
    const built = gpu.rt.kernelsBuilt;
    for (let i = 0; i < 200; i++) once();
    await gpu.sync();
    assert.is(gpu.liveBuffers, live, 'live buffers after 200 steps');
    assert.is(gpu.rt.kernelsBuilt, built, 'kernels built during the 200 steps');
    assert.is(
      live - before,
      8,
      'live buffers: the 6 parameters, the input and the target, nothing else',
    );
  },
);

test.run();
