// Mode selection and the backend's contract outside the kernels: webgpu without an adapter is an
// error that says why (with an adapter, npm run test:gpu checks it is used), gpuInfo, float64
// errors, readSync per mode, selectBackend, MINI_DINO_GPU_MODE validation, and gpu.js's own cpu
// mode running the same kernels.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cast } from '../../../src/autograd/index.js';
import type { Backend } from '../../../src/tensor/backend.js';
import { tensor, zeros } from '../../../src/tensor/creation.js';
import { GpuBackend } from '../../../src/tensor/gpu/index.js';
import { createGpuBackend, gpuInfo, probeWebGPU } from '../../../src/tensor/gpu/mode.js';
import { isSoftwareAdapter, selectBackend } from '../../../src/tensor/select.js';
import { getDefaultBackend, setDefaultBackend } from '../../../src/tensor/tensor.js';
import { assertClose, both, cpu, dense, gpu, MODE, normals, U, WEBGPU } from './setup.js';

test('webgpu: used where an adapter answers, otherwise an error naming the reason', async () => {
  const probe = await probeWebGPU();
  if (WEBGPU) {
    assert.ok(probe.adapter, 'npm run test:gpu runs on a machine with an adapter');
    assert.is(gpu.mode, 'webgpu');
    assert.is(gpu.adapter, probe.adapter);
    return;
  }
  if (probe.adapter) return; // a developer machine with a GPU: nothing to refuse
  try {
    await createGpuBackend({ mode: 'webgpu' });
    assert.unreachable('webgpu without an adapter must fail');
  } catch (e) {
    assert.match(
      (e as Error).message,
      /mode 'webgpu' was requested but no WebGPU adapter was found: .+/,
    );
  }
});

test('gpuInfo reports backend, mode and adapter', () => {
  const info = gpuInfo(gpu as unknown as Backend);
  assert.equal(
    { backend: info.backend, gpuMode: info.gpuMode, adapter: info.adapter },
    { backend: 'gpu', gpuMode: MODE, adapter: gpu.adapter },
  );
  assert.equal(gpuInfo(cpu as unknown as Backend).gpuMode, null);
  assert.match(gpu.describe(), new RegExp(`gpu \\(gpu\\.js 2\\.24\\.1, ${MODE} mode`));
});

test('float64 on the gpu backend is a clear error', () => {
  const backend = gpu as unknown as Backend;
  assert.not.ok(backend.supportsDtype('float64'));
  assert.throws(
    () => tensor([1, 2], { dtype: 'float64', backend }),
    /gpu backend does not support float64 \(it is float32 only/,
  );
  assert.throws(() => zeros([2], { dtype: 'float64', backend }), /float32 only/);
  const t = tensor([1, 2], { backend });
  assert.throws(() => cast(t, 'float64'), /cast: the gpu backend does not support float64/);
  assert.throws(() => backend.cast(t.storage, 'float64'), /cast: the gpu backend is float32 only/);
});

test('readSync works in webasm and cpu modes and is a clear error in webgpu mode', () => {
  const t = tensor([1, 2, 3], { backend: gpu as unknown as Backend });
  if (WEBGPU)
    assert.throws(() => t.dataSync(), /webgpu mode, where reading is asynchronous; use await/);
  else assert.equal(Array.from(t.dataSync()), [1, 2, 3]);
});

test('MINI_DINO_GPU_MODE is validated', async () => {
  const saved = process.env.MINI_DINO_GPU_MODE;
  process.env.MINI_DINO_GPU_MODE = 'vulkan';
  try {
    await createGpuBackend();
    assert.unreachable('an unknown mode must fail');
  } catch (e) {
    assert.match(
      (e as Error).message,
      /MINI_DINO_GPU_MODE=vulkan is not a gpu mode \(expected webgpu, webasm, cpu\)/,
    );
  } finally {
    if (saved === undefined) delete process.env.MINI_DINO_GPU_MODE;
    else process.env.MINI_DINO_GPU_MODE = saved;
  }
});

test('selectBackend makes its choice the default; auto is webgpu with a hardware adapter, else wasm', async () => {
  const before = getDefaultBackend();
  try {
    assert.is(await selectBackend('cpu'), cpu);
    assert.is(getDefaultBackend(), cpu);
    const g = await selectBackend('gpu', { mode: MODE });
    assert.ok(g instanceof GpuBackend);
    assert.is(getDefaultBackend(), g);
    assert.is(await selectBackend('gpu', { mode: MODE }), g, 'one backend per options');
    const auto = await selectBackend('auto');
    const adapter = (await probeWebGPU()).adapter;
    if (adapter && !isSoftwareAdapter(adapter)) assert.is((auto as GpuBackend).mode, 'webgpu');
    else assert.is(auto.name, 'wasm'); // a software adapter is slower than the CPU backends
    const err = await selectBackend('tpu' as 'cpu').then(
      () => null,
      (e: Error) => e.message,
    );
    assert.match(
      String(err),
      /selectBackend: unknown backend 'tpu' \(expected 'cpu', 'wasm', 'gpu' or 'auto'\)/,
    );
  } finally {
    setDefaultBackend(before);
  }
});

test("gpu.js's cpu mode runs the same kernels (2-D results are copied flat)", async () => {
  const js = await createGpuBackend({ mode: 'cpu' });
  const a = normals(6 * 5, 1);
  const b = normals(5 * 4, 2);
  const r = await both(
    [a, b],
    (k, [sa, sb]) => [
      k.matmul(
        dense(sa, 6, 5),
        dense(sb, 5, 4),
        { batch: [1, 1], M: 6, K: 5, N: 4, alpha: 1 },
        null,
      ),
      k.softmax(sa, 6, 5),
      k.sum(sa, 2, 3, 5),
    ],
    js as unknown as Backend,
  );
  assertClose('cpu-mode matmul', r.got[0], r.want[0], () => 64 * U);
  assertClose('cpu-mode softmax', r.got[1], r.want[1], () => 8 * U);
  assertClose('cpu-mode sum', r.got[2], r.want[2], () => 64 * U);
});

test.run();
