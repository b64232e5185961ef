// MINI_DINO_DEBUG=1 times every op's kernel through run(): kernels with several outputs
// (layerNorm's y, mean and rstd; its weight and bias gradients) log one line with every output
// shape, and the time covers the kernel call itself (it used to run before run() and log ~0 ms).

import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const code =
  "import { tensor, layerNorm, sum } from './src/index.ts';" +
  "const o = { dtype: 'float64', requiresGrad: true };" +
  'const x = tensor([[1, 2, 3], [4, 5, 7]], o);' +
  'sum(layerNorm(x, tensor([1, 2, 3], o), tensor([0, 0, 1], o))).backward();';

test('layerNorm and its backward are logged once per kernel with all their outputs', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env: { ...process.env, MINI_DINO_DEBUG: '1' },
    encoding: 'utf8',
  });
  assert.is(r.status, 0, r.stderr);
  const lines = r.stderr.split('\n');
  const forward = lines.filter((l) => /: layerNorm /.test(l));
  assert.equal(forward.length, 1, r.stderr);
  assert.match(forward[0], /layerNorm cpu float64 -> \[2, 3\], \[2\], \[2\] \d+\.\d{3} ms$/);
  const params = lines.filter((l) => /: layerNormParamGrads /.test(l));
  assert.equal(params.length, 1, r.stderr);
  assert.match(params[0], /layerNormParamGrads cpu float64 -> \[3\], \[3\] \d+\.\d{3} ms$/);
  assert.equal(lines.filter((l) => /: layerNormBackward /.test(l)).length, 1, r.stderr);
});

test.run();
