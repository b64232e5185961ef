// The webgpu path without a GPU: Dawn's null backend (webgpu package, create(['backend=null']))
// compiles and validates every WGSL shader gpu.js generates and runs the launch queue, pipeline
// handles, the 4-component matmul view, releases and readback, but executes nothing, so values are
// not checked here (npm run test:gpu checks them on a real GPU). A kernel whose WGSL does not
// compile rejects its read with the compiler's message, which fails this test.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { GpuBackend, GpuStorage } from '../../../src/tensor/gpu/index.js';
import { gemmWgsl } from '../../../src/tensor/gpu/gemm-wgsl.js';
import { createGpuBackend, probeWebGPU } from '../../../src/tensor/gpu/mode.js';

let g: GpuBackend | null = null;
if (process.env.MINI_DINO_GPU_MODE !== 'webgpu') {
  const probe = await probeWebGPU(['backend=null']);
  if (probe.adapter) g = await createGpuBackend({ mode: 'webgpu', webgpuFlags: ['backend=null'] });
  else console.log(`wgsl.test: skipped, no Dawn null adapter (${probe.reason})`);
}

const up = (n: number) =>
  g!.upload(
    Float32Array.from({ length: n }, (_, i) => (i % 7) - 3 + 0.5),
    true,
  );

(g ? test : test.skip)(
  'every kernel compiles to WGSL and runs through the webgpu queue',
  async () => {
    const b = g!;
    assert.is(b.mode, 'webgpu');
    const x = up(24);
    const y = up(24);
    const w = up(4);
    const runs: [string, GpuStorage, number][] = [];
    const add = (name: string, s: GpuStorage, n: number) => runs.push([name, s, n]);
    for (const op of ['neg', 'exp', 'log', 'sqrt', 'abs', 'sign', 'gelu', 'erf'] as const)
      add(op, b[op](x), 24);
    add('full', b.full('float32', 5, 2), 5);
    add('cast', b.cast(x, 'float32'), 24);
    add('affine', b.affine(x, 2, 1), 24);
    for (const p of [2, 1, -1, 0.5, 3, 1.7]) add(`pow ${p}`, b.powScalar(x, p), 24);
    add('geluBackward', b.geluBackward(x, y), 24);
    for (const op of [
      'add',
      'sub',
      'mul',
      'div',
      'maximum',
      'minimum',
      'greater',
      'equal',
    ] as const)
      add(op, b[op](x, y, [6, 4], [4, 1], [0, 1]), 24);
    add('binary rank 5', b.add(x, w, [2, 3, 2, 2, 2], [12, 4, 2, 1, 0], [0, 0, 0, 1, 2]), 48);
    add('sum rows', b.sum(x, 6, 4, 1), 6);
    add('sum cols', b.sum(x, 2, 3, 4), 8);
    add('sum chunked', b.sum(up(1200), 1, 1200, 1), 1);
    add('max rows', b.max(x, 6, 4, 1), 6);
    add('max cols', b.max(x, 2, 3, 4), 8);
    add('max chunked', b.max(up(1200), 1, 1200, 1), 1);
    add('softmax', b.softmax(x, 6, 4), 24);
    add('logSoftmax', b.logSoftmax(x, 6, 4), 24);
    add('softmaxBackward', b.softmaxBackward(x, y, 6, 4), 24);
    add('logSoftmaxBackward', b.logSoftmaxBackward(x, y, 6, 4), 24);
    const ln = b.layerNorm(x, w, w, 6, 4, 1e-5);
    add('layerNorm y', ln.y, 24);
    add('layerNormBackward', b.layerNormBackward(y, x, w, ln.mean, ln.rstd, 6, 4), 24);
    const pg = b.layerNormParamGrads(y, x, ln.mean, ln.rstd, 6, 4);
    add('layerNormParamGrads', pg.dweight, 4);
    // x [6, 4]·yᵀ (y [4, 4] read transposed): 4-wide tiles; then a batch of 2 of xᵀ [3, 4]·y
    // [4, 3] with alpha and bias; then 2×2 heads [3, 2]·[2, 3] written as [2, 3, 2·3]
    const op = (s: GpuStorage, offset: number, bs: [number, number], rs: number, cs: number) => ({
      data: s,
      offset,
      batchStrides: bs,
      rowStride: rs,
      colStride: cs,
    });
    const one = { batch: [1, 1] as const, alpha: 1 };
    add(
      'matmul tiled',
      b.matmul(op(x, 0, [0, 0], 4, 1), op(y, 0, [0, 0], 1, 4), { ...one, M: 6, K: 4, N: 4 }, null),
      24,
    );
    add(
      'matmul narrow',
      b.matmul(
        op(x, 0, [0, 12], 1, 3),
        op(y, 0, [0, 0], 3, 1),
        { batch: [1, 2], M: 3, K: 4, N: 3, alpha: 0.5 },
        w,
      ),
      18,
    );
    add(
      'matmul heads',
      b.matmul(
        op(x, 1, [12, 2], 4, 1),
        op(y, 0, [12, 6], 1, 2),
        { batch: [2, 2], M: 3, K: 2, N: 3, alpha: 1 },
        null,
        {
          size: 36,
          batchStrides: [18, 3],
          rowStride: 6,
          colStride: 1,
        },
      ),
      36,
    );
    // every register block of the WGSL product (webgpu's matmul picks one by M and N)
    for (const rows of [1, 2, 4] as const)
      for (const cols of [1, 2, 4] as const)
        add(
          `gemmWgsl ${rows}x${cols}`,
          gemmWgsl(
            b.rt,
            op(x, 0, [0, 0], 4, 1),
            op(y, 0, [0, 0], 1, 4),
            { ...one, M: 6, K: 4, N: 4 },
            w,
            { size: 24, batchStrides: [0, 0], rowStride: 4, colStride: 1 },
            { rows, cols },
          ),
          24,
        );
    add('copyStrided 3', b.copyStrided(x, [4, 6], [1, 4], 0), 24);
    add('copyStrided rank 5', b.copyStrided(x, [2, 2, 2, 3, 2], [12, 1, 6, 2, 0], 0), 48);
    add('pad 3', b.pad(x, [6, 4], [7, 6], [1, 1]), 42);
    add('pad 6', b.pad(x, [2, 3, 2, 2], [3, 4, 3, 3], [1, 1, 1, 1]), 108);
    add('concat 5', b.concat([x, y, x, y, x], 2, [3, 3, 3, 3, 3], 4), 120);
    add('gather', b.gather(x, Int32Array.from([5, 0, 5]), 1, 6, 4), 12);
    add('scatterAdd', b.scatterAdd(x, Int32Array.from([1, 0, 1, 3, 3, 3]), 1, 4, 4), 16);
    const hp = { lr: 1e-3, weightDecay: 0.04, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 1 };
    const opt = b.adamw(x, y, x, y, hp, null);
    add('adamw p', opt.p, 24);
    add('sumSquares', b.sumSquares(x), 1);
    const clipped = b.adamw(x, y, x, y, hp, { sumSquares: b.sumSquares(y), maxNorm: 1 });
    add('adamw clipped m', clipped.m, 24);
    add('ema', b.ema(x, y, 0.99), 24);
    b.release(y); // released after every kernel that reads it was queued: must not disturb them
    for (const [name, s, n] of runs) {
      const values = await b
        .read(s)
        .catch((e: Error) => new Error(`${name}: ${e.message.slice(0, 2000)}`));
      if (values instanceof Error) throw values;
      assert.is(values.length, n, `${name}: ${values.length} values, expected ${n}`);
    }
    assert.throws(() => b.readSync(x), /webgpu mode, where reading is asynchronous/);
    await b.sync();
  },
);

test.run();
