// Module (torch.nn.Module naming): registration order (own parameters first,
// then sub-modules; arrays numbered with parameter-free slots keeping their index, as
// nn.Sequential), buffers in stateDict only, frozen parameters, train/eval, Linear and LayerNorm.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GELU, LayerNorm, Linear } from '../../src/nn/layers.js';
import { Module, buffer, describeReport, isParameter, parameter } from '../../src/nn/module.js';
import { tensor, zeros } from '../../src/tensor/creation.js';
import { Generator } from '../../src/tensor/random.js';
import { assertClose } from '../autograd/helpers.js';

class Inner extends Module {
  fc = new Linear(2, 3, { dtype: 'float64' });
  gamma = parameter(zeros([3], { dtype: 'float64' }));
}

class Outer extends Module {
  seq: Module[] = [new Linear(3, 4, { dtype: 'float64', bias: false }), new GELU(), new Inner()];
  scale = parameter(zeros([1, 4], { dtype: 'float64' }));
  running = buffer(zeros([4], { dtype: 'float64' }));
  frozen = parameter(zeros([4, 1], { dtype: 'float64' }), { requiresGrad: false });
  norm = new LayerNorm(4, 1e-6, { dtype: 'float64' });
  notATensor = 3;
}

test(
  'namedParameters: own parameters first (field order), then sub-modules; ' +
    'GELU keeps its index',
  () => {
    const m = new Outer();
    assert.equal(
      m.namedParameters().map(([k]) => k),
      [
        'scale',
        'frozen',
        'seq.0.weight',
        'seq.2.gamma',
        'seq.2.fc.weight',
        'seq.2.fc.bias',
        'norm.weight',
        'norm.bias',
      ],
    );
    assert.equal(
      [...m.stateDict().keys()],
      [
        'scale',
        'running',
        'frozen',
        'seq.0.weight',
        'seq.2.gamma',
        'seq.2.fc.weight',
        'seq.2.fc.bias',
        'norm.weight',
        'norm.bias',
      ],
      'buffers are in the state dict, in place',
    );
    assert.equal([...m.stateDict('module.').keys()][0], 'module.scale');
    assert.ok(isParameter(m.frozen) && !m.frozen.requiresGrad);
    assert.not.ok(isParameter(m.running));
    assert.is(
      m.numParameters(),
      4 + 4 + 12 + 3 + 6 + 3 + 4 + 4,
      'frozen parameters count, buffers do not',
    );
  },
);

test('train/eval reach every sub-module, arrays included', () => {
  const m = new Outer();
  assert.ok(m.modules().length === 6);
  m.eval();
  assert.ok(m.modules().every((x) => !x.training));
  m.train();
  assert.ok(m.modules().every((x) => x.training));
});

test(
  'Linear: weight [out, in], y = x·Wᵀ + b; trunc-normal 0.02 or PyTorch ' +
    'default init; LayerNorm eps',
  () => {
    const lin = new Linear(3, 2, { dtype: 'float64', generator: new Generator(1) });
    assert.equal([...lin.weight.shape], [2, 3]);
    assert.equal([...lin.bias!.dataSync()], [0, 0]);
    const x = tensor([[1, 2, 3]], { dtype: 'float64' });
    const W = lin.weight.dataSync();
    assertClose(
      lin.forward(x).dataSync(),
      [W[0] + 2 * W[1] + 3 * W[2], W[3] + 2 * W[4] + 3 * W[5]],
      { atol: 1e-16, rtol: 1e-15 },
      'x·Wᵀ',
    );
    const t = new Linear(256, 512, {
      dtype: 'float64',
      init: 'torch',
      generator: new Generator(2),
    });
    const w = t.weight.dataSync();
    const bound = 1 / 16;
    assert.ok(w.every((v) => Math.abs(v) <= bound) && w.some((v) => Math.abs(v) > 0.99 * bound));
    assert.ok(
      t.bias!.dataSync().every((v) => Math.abs(v) <= bound) &&
        t.bias!.dataSync().some((v) => v !== 0),
    );
    assert.is(new LayerNorm(4).eps, 1e-5, 'the class default (the ViT passes 1e-6)');
  },
);

test('describeReport names every problem, or says all keys matched', () => {
  assert.is(
    describeReport({ missing: [], unexpected: [], mismatched: [], loaded: ['a'] }),
    'all keys matched',
  );
  assert.is(
    describeReport({
      missing: ['a', 'b'],
      unexpected: ['c'],
      mismatched: [{ key: 'd', expected: [2, 3], got: [3] }],
      loaded: [],
    }),
    'missing keys: a, b; unexpected keys: c; mis-shaped: d expects [2, 3] but got [3]',
  );
});

test.run();
