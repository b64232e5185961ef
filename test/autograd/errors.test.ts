// Error messages, checked word for word: every op names itself, prints shapes in brackets and
// says which dimension or argument is wrong (style guide, principle 3).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ShapeError,
  add,
  arange,
  cast,
  chunk,
  concat,
  cpu,
  expand,
  flatten,
  full,
  gradcheck,
  indexSelect,
  layerNorm,
  linear,
  matmul,
  permute,
  reshape,
  select,
  slice,
  softmax,
  split,
  squeeze,
  sum,
  tensor,
  toBackend,
  transpose,
  unsqueeze,
  zeros,
} from '../../src/index.js';
import { CpuBackend } from '../../src/tensor/cpu/index.js';

const z = (...s: number[]) => zeros(s);

/** fn must throw exactly `message`, as a ShapeError when `shape` is set. */
function throwsExactly(fn: () => unknown, message: string, shape = true): void {
  try {
    fn();
  } catch (e) {
    assert.is((e as Error).message, message);
    if (shape) assert.instance(e, ShapeError, `a ShapeError for: ${message}`);
    return;
  }
  assert.unreachable(`expected: ${message}`);
}

test('matmul', () => {
  throwsExactly(
    () => matmul(z(2, 3), z(4, 5)),
    'matmul: inner dimensions differ: a is [2, 3] and b is [4, 5] (3 ≠ 4)',
  );
  // 1-D operands are reported as given, not as the promoted [1, K] / [K, 1]
  throwsExactly(
    () => matmul(z(3), z(2, 2)),
    'matmul: inner dimensions differ: a is [3] and b is [2, 2] (3 ≠ 2)',
  );
  throwsExactly(
    () => matmul(z(2, 3), z(4)),
    'matmul: inner dimensions differ: a is [2, 3] and b is [4] (3 ≠ 4)',
  );
  throwsExactly(
    () => matmul(z(2, 4, 5), z(3, 5, 6)),
    'matmul: batch dimensions cannot be broadcast: a is [2, 4, 5] and ' +
      'b is [3, 5, 6] (dim -3: 2 ≠ 3)',
  );
  throwsExactly(
    () => matmul(z(), z(3)),
    'matmul: both operands need at least 1 dimension: a is [] and b is [3]',
  );
  throwsExactly(
    () => linear(z(2, 3), z(4, 5)),
    'linear: x is [2, 3] but the weight is [4, 5] (expects last dimension 5)',
  );
  throwsExactly(
    () => linear(z(2, 3), z(4, 3), z(5)),
    'linear: bias is [5] but the weight is [4, 3] (expects [4])',
  );
});

test('broadcasting', () => {
  throwsExactly(
    () => add(z(2, 3), z(4)),
    'add: shapes cannot be broadcast: a is [2, 3] and b is [4] (dim -1: 3 ≠ 4)',
  );
  throwsExactly(
    () => add(z(5, 2, 3), z(4, 1, 3)),
    'add: shapes cannot be broadcast: a is [5, 2, 3] and b is [4, 1, 3] (dim -3: 5 ≠ 4)',
  );
  throwsExactly(
    () => expand(z(2, 3), [4, 3]),
    'expand: [2, 3] cannot be broadcast to [4, 3] (dim -2: 2 ≠ 4)',
  );
  throwsExactly(
    () => expand(z(2, 3), [3]),
    'expand: [2, 3] cannot be broadcast to [3] (2 dimensions, the target only 1)',
  );
});

test('axes out of range, repeated, not integers', () => {
  throwsExactly(
    () => sum(z(2, 3), 2),
    'sum: axis 2 is out of range for a tensor of rank 2 (expected -2..1)',
  );
  throwsExactly(
    () => sum(z(2, 3), -3),
    'sum: axis -3 is out of range for a tensor of rank 2 (expected -2..1)',
  );
  throwsExactly(
    () => select(z(), 0, 0),
    'select: axis 0 is out of range for a tensor of rank 0 (a scalar has no axes)',
  );
  throwsExactly(() => sum(z(2, 3), [0, -2]), 'sum: axis 0 is repeated in [0, -2]');
  throwsExactly(() => sum(z(2, 3), 0.5), 'sum: axis 0.5 is not an integer');
  throwsExactly(
    () => softmax(z(2, 3), 2),
    'softmax: axis 2 is out of range for a tensor of rank 2 (expected -2..1)',
  );
  throwsExactly(
    () => unsqueeze(z(2, 3), 3),
    'unsqueeze: axis 3 is out of range for inserting into [2, 3] (expected -3..2)',
  );
  throwsExactly(
    () => transpose(z(3)),
    'transpose: axis -2 is out of range for a tensor of rank 1 (expected -1..0)',
  );
  throwsExactly(
    () => flatten(z(2, 3, 4), 2, 1),
    'flatten: start axis 2 comes after end axis 1 for [2, 3, 4]',
  );
});

test('reshape and other shape arguments', () => {
  throwsExactly(() => reshape(z(2, 3), [4]), 'reshape: cannot reshape [2, 3] (6 elements) to [4]');
  throwsExactly(
    () => reshape(z(2, 3), [4, -1]),
    'reshape: cannot reshape [2, 3] (6 elements) to [4, -1]',
  );
  throwsExactly(
    () => reshape(z(2, 3), [-1, -1]),
    'reshape: only one dimension can be -1, got [-1, -1]',
  );
  throwsExactly(
    () => reshape(z(2, 3), [2.5, 2]),
    'reshape: shape [2.5, 2] has an invalid dimension 2.5 at axis 0 (expected ' +
      'a non-negative integer)',
  );
  throwsExactly(
    () => full([2, -1], 0),
    'full: shape [2, -1] has an invalid dimension -1 at axis 1 (expected a non-negative integer)',
  );
  throwsExactly(() => permute(z(2, 3), [0, 0]), 'permute: [0, 0] repeats an axis');
  throwsExactly(() => permute(z(2, 3), [0]), 'permute: expected 2 axes for [2, 3], got [0]');
  throwsExactly(() => squeeze(z(2, 3), 1), 'squeeze: axis 1 of [2, 3] has size 3, not 1');
  throwsExactly(
    () => slice(z(2, 3), [[0, 3]]),
    'slice: range [0, 3] is out of bounds for axis 0 of size 2 in [2, 3]',
  );
  throwsExactly(
    () => slice(z(2, 3), [null, [2, 1]]),
    'slice: range [2, 1] is out of bounds for axis 1 of size 3 in [2, 3]',
  );
  throwsExactly(
    () => slice(z(2, 3), [null, null, null]),
    'slice: 3 ranges given for a tensor of rank 2 ([2, 3])',
  );
  throwsExactly(
    () => select(z(2, 3), 1, 3),
    'select: index 3 is out of range for axis 1 of size 3 in [2, 3]',
  );
  throwsExactly(
    () => split(z(2, 5), [2, 2], 1),
    'split: sizes [2, 2] do not add up to 5, the size of axis 1 of [2, 5]',
  );
  throwsExactly(() => chunk(z(3), 0), 'chunk: chunks must be a positive integer, got 0');
  throwsExactly(
    () => indexSelect(z(2, 3), 1, [0, 3]),
    'indexSelect: index 3 at position 1 is out of range for axis 1 of size 3 in [2, 3]',
  );
  throwsExactly(
    () => layerNorm(z(2, 3), z(4), z(3)),
    'layerNorm: weight [4] and bias [3] must both be [3] for x [2, 3]',
  );
  throwsExactly(() => softmax(z()), 'softmax: x must have at least 1 dimension, got []');
  throwsExactly(() => z(3).view([4]), 'view: cannot view [3] (3 elements) as [4]');
  throwsExactly(
    () => z(4).view([2, -2]),
    'view: shape [2, -2] has an invalid dimension -2 at axis 1 (expected a non-negative integer)',
  );
});

test('creation: ragged nested arrays, data length vs shape, dtypes', () => {
  throwsExactly(
    () => tensor([[1, 2], [3]]),
    'tensor: ragged nested array: expected length 2 at depth 1, got length 1',
  );
  throwsExactly(
    () => tensor([1, [2]] as never),
    'tensor: expected a number at depth 1, got an array',
  );
  throwsExactly(
    () => tensor([1, 2, 3, 4, 5, 6], { shape: [4] }),
    'tensor: data has 6 elements but shape [4] needs 4',
  );
  throwsExactly(
    () => tensor(new Float32Array(6), { shape: [2, 2] }),
    'tensor: data has 6 elements but shape [2, 2] needs 4',
  );
  throwsExactly(
    () => zeros([2], { dtype: 'int32' as never }),
    "full: unknown dtype 'int32' (expected 'float32' or 'float64')",
    false,
  );
  throwsExactly(
    () => arange(0, 5, 0),
    'arange: step must be a finite non-zero number, got 0',
    false,
  );
  throwsExactly(
    () => z(2).itemSync(),
    'item: the tensor has shape [2], expected exactly one element',
    false,
  );
});

test('concat', () => {
  throwsExactly(
    () => concat([z(2, 3), z(2, 4)], 0),
    'concat: tensor 1 has shape [2, 4] but tensor 0 is [2, 3] (only axis 0 may differ)',
  );
  throwsExactly(
    () => concat([z(2, 3), z(2)], -1),
    'concat: tensor 1 has shape [2] but tensor 0 is [2, 3] (only axis -1 may differ)',
  );
  throwsExactly(() => concat([]), 'concat: needs at least one tensor');
});

test('dtype and backend mismatches', () => {
  throwsExactly(
    () => add(z(2), zeros([2], { dtype: 'float64' })),
    'add: dtypes differ: a is float32 and b is float64; convert one with cast()',
  );
  throwsExactly(
    () => matmul(z(2, 2), zeros([2, 2], { dtype: 'float64' })),
    'matmul: dtypes differ: a is float32 and b is float64; convert one with cast()',
  );
  // a second backend: a float32-only one named gpu (cpu kernels underneath, for the test)
  const other = new CpuBackend();
  Object.defineProperty(other, 'name', { value: 'gpu' });
  Object.defineProperty(other, 'supportsDtype', { value: (d: string) => d === 'float32' });
  const g = zeros([2], { backend: other });
  throwsExactly(
    () => add(z(2), g),
    'add: tensors are on different backends (cpu and gpu); move one with toBackend()',
    false,
  );
  throwsExactly(
    () => concat([z(2), g]),
    'concat: tensors are on different backends (cpu and gpu); move one with toBackend()',
    false,
  );
  throwsExactly(
    () => zeros([2], { backend: other, dtype: 'float64' }),
    'full: the gpu backend does not support float64 (it is float32 only; ' +
      'use the cpu backend for float64)',
    false,
  );
  throwsExactly(
    () => cast(g, 'float64'),
    'cast: the gpu backend does not support float64 (it is float32 only; ' +
      'use the cpu backend for float64)',
    false,
  );
  throwsExactly(
    () => toBackend(zeros([2], { dtype: 'float64' }), other),
    'toBackend: the gpu backend does not support float64 (it is float32 only; cast first)',
    false,
  );
  // moving works, and the gradient comes back to the original backend
  const x = tensor([1, 2], { requiresGrad: true });
  const y = toBackend(x, other);
  assert.is(y.backend, other);
  sum(y).backward();
  assert.is(x.grad!.backend, cpu);
});

test('gradcheck refuses a float32 output', () => {
  throwsExactly(
    () => gradcheck((x) => cast(x, 'float32'), [z(2)]),
    'gradcheck: fn returned float32; keep the computation in float64',
    false,
  );
});

test.run();
