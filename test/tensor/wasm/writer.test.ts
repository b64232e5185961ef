// The module writer (src/tensor/wasm/writer.ts, instructions.ts): LEB128 encodings, and small
// functions built with it that compute what their names say, so an opcode typo cannot hide
// behind a kernel's tolerance. Every probe runs against the same arithmetic in JavaScript.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { platform } from '../../../src/platform/index.js';
import {
  f32,
  f32x4,
  f64,
  f64x2,
  i32,
  i32x4,
  i8x16,
  v128,
} from '../../../src/tensor/wasm/instructions.js';
import { ConstPool, exp } from '../../../src/tensor/wasm/simd.js';
import {
  ModuleWriter,
  drop,
  ex,
  forRange,
  ifElse,
  ret,
  set,
  sleb,
  tee,
  uleb,
} from '../../../src/tensor/wasm/writer.js';

test('LEB128', () => {
  assert.equal(uleb(0), [0]);
  assert.equal(uleb(127), [127]);
  assert.equal(uleb(128), [0x80, 1]);
  assert.equal(uleb(624485), [0xe5, 0x8e, 0x26]);
  assert.equal(sleb(-1), [0x7f]);
  assert.equal(sleb(63), [63]);
  assert.equal(sleb(64), [0xc0, 0]);
  assert.equal(sleb(-123456), [0xc0, 0xbb, 0x78]);
});

/** A module over a small memory; `run` calls an export. */
function build(define: (m: ModuleWriter) => void) {
  const m = new ModuleWriter({ minPages: 1, maxPages: 1, shared: false });
  define(m);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(m.encode()), { env: { memory } });
  const f32s = new Float32Array(memory.buffer);
  return { fns: inst.exports as Record<string, (...a: number[]) => number>, f32s };
}

test('scalar arithmetic, loops and branches', () => {
  const { fns } = build((m) => {
    const sum = m.func('sumTo', ['i32'], ['i32']);
    const [n] = sum.params;
    const [i, s] = sum.locals('i32', 2);
    sum.emit(forRange(i, 0, n, 1, set(s, i32.add(s, i))), i32.add(s, 0));
    const clamp = m.func('clamp', ['i32'], ['i32']);
    const [x] = clamp.params;
    clamp.emit(
      ifElse(i32.gt_s(x, 10), [set(x, 10)], [ifElse(i32.lt_s(x, -3), [set(x, -3)])]),
      i32.add(x, 0),
    );
    const mix = m.func('mix', ['i32', 'i32'], ['i32']);
    const [a, b] = mix.params;
    mix.emit(i32.xor(i32.shl(i32.rem_u(a, b), 3), i32.shr_s(i32.sub(a, i32.mul(b, 7)), 1)));
    const d = m.func('f64ops', ['f64', 'f64'], ['f64']);
    const [p, q] = d.params;
    d.emit(f64.sub(f64.div(f64.mul(p, q), f64.sqrt(q)), f64.convert_i32_s(-5)));
  });
  assert.is(fns.sumTo(100), 4950);
  assert.equal(
    [50, 4, -9].map((v) => fns.clamp(v)),
    [10, 4, -3],
  );
  for (const [a, b] of [
    [1000, 7],
    [12345, 100],
    [3, 5],
  ])
    assert.is(fns.mix(a, b), (((a % b) << 3) ^ ((a - b * 7) >> 1)) | 0);
  assert.is(fns.f64ops(3, 7), (3 * 7) / Math.sqrt(7) + 5);
});

test('local.tee, drop and return: the first i whose running sum 0 + 1 + … + i exceeds a limit', () => {
  const { fns } = build((m) => {
    const f = m.func('firstOver', ['i32', 'i32'], ['i32']);
    const [n, limit] = f.params;
    const [i, s] = f.locals('i32', 2);
    f.emit(
      // tee stores the sum and leaves it for the comparison; return leaves loop and function
      forRange(i, 0, n, 1, ifElse(i32.gt_s(tee(s, i32.add(s, i)), limit), [ex(i), ret])),
      // none: i = −1 through a tee whose value drop discards
      drop(tee(i, -1)),
      ex(i),
    );
  });
  assert.equal(
    [
      [10, 10],
      [10, 9],
      [100, 0],
      [5, 10],
      [0, -1],
    ].map(([n, limit]) => fns.firstOver(n, limit)),
    [5, 4, 1, -1, -1],
  );
});

test('SIMD lanes: arithmetic, comparisons, select, shuffles, swizzle, widening', () => {
  const { fns, f32s } = build((m) => {
    const f = m.func('lanes', []);
    const [a, b] = f.locals('v128', 2);
    const out = (slot: number, v: ReturnType<typeof f32x4.add>) => v128.store(slot * 16, v);
    f.emit(
      set(a, v128.load(0)),
      set(b, v128.load(16)),
      out(2, f32x4.add(a, b)),
      out(3, f32x4.mul(f32x4.sub(a, b), f32x4.div(a, b))),
      out(4, v128.bitselect(a, b, f32x4.gt(a, b))),
      out(5, i8x16.shuffle(a, b, [0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 28, 29, 30, 31])),
      out(
        6,
        i8x16.swizzle(
          a,
          i32x4.add(i32x4.mul(i32x4.splat(3), i32x4.splat(0x04040404)), i32x4.splat(0x03020100)),
        ),
      ),
      out(
        7,
        f32x4.demote_f64x2_zero(f64x2.add(f64x2.promote_low_f32x4(a), f64x2.splat(f64.const(0.5)))),
      ),
      out(8, f32x4.convert_i32x4_s(i32x4.trunc_sat_f32x4_s(f32x4.nearest(b)))),
      out(9, f32x4.max(f32x4.min(a, b), f32x4.const(-1))),
      f32.store(160, f32.add(f32x4.extract_lane(a, 2), f32x4.extract_lane(b, 3))),
    );
  });
  const A = [1.5, -2, 3.25, 9];
  const B = [2, 5, -1.5, 2.5];
  f32s.set(A, 0);
  f32s.set(B, 4);
  fns.lanes();
  const at = (slot: number) => [...f32s.subarray(slot * 4, slot * 4 + 4)];
  assert.equal(
    at(2),
    A.map((x, i) => x + B[i]),
  );
  assert.equal(
    at(3),
    A.map((x, i) => Math.fround(Math.fround(x - B[i]) * Math.fround(x / B[i]))),
  );
  assert.equal(
    at(4),
    A.map((x, i) => Math.max(x, B[i])),
  );
  assert.equal(at(5), [A[0], B[0], A[2], B[3]]);
  assert.equal(at(6), [A[3], A[3], A[3], A[3]]);
  assert.equal(at(7), [A[0] + 0.5, A[1] + 0.5, 0, 0]);
  assert.equal(at(8), [2, 5, -2, 2]); // round half to even
  assert.equal(
    at(9),
    A.map((x, i) => Math.max(Math.min(x, B[i]), -1)),
  );
  assert.is(f32s[40], A[2] + B[3]);
});

test('relaxed SIMD: relaxed_madd is a·b + c, within one rounding', () => {
  platform().enableWasmFeatures();
  const { fns, f32s } = build((m) => {
    const f = m.func('madd', []);
    f.emit(v128.store(48, f32x4.relaxed_madd(v128.load(0), v128.load(16), v128.load(32))));
  });
  f32s.set([1.1, -2.3, 1e-8, 3], 0);
  f32s.set([3.3, 0.7, 1e8, -3], 4);
  f32s.set([0.5, 2, -1, 9], 8);
  fns.madd();
  for (let i = 0; i < 4; i++) {
    const want = f32s[i] * f32s[4 + i] + f32s[8 + i];
    assert.ok(Math.abs(f32s[12 + i] - want) <= 2 ** -23 * Math.abs(want) + 1e-12, `lane ${i}`);
  }
});

test('exp (simd.ts) against Math.exp: within 2 ulp over [−87, 88], exact at 0, edges', () => {
  const consts = new ConstPool(60000, 4096);
  const { fns, f32s } = build((m) => {
    const f = m.func('exp', ['i32']);
    const [n] = f.params;
    const i = f.local('i32');
    f.emit(forRange(i, 0, n, 16, v128.store(i, exp(f, { relaxed: false, consts }, v128.load(i)))));
  });
  f32s.set(consts.contents(), 60000 / 4);
  const xs = [0, -0, 1, -1, 88.72, 88.73, -87.3, -103.9, -104.5, Infinity, -Infinity, NaN];
  for (let x = -87; x < 88; x += 0.173) xs.push(x);
  f32s.set(xs);
  fns.exp(xs.length * 4);
  let worst = 0;
  xs.forEach((x, i) => {
    const want = Math.fround(Math.exp(Math.fround(x)));
    const got = f32s[i];
    if (Number.isNaN(want)) return assert.ok(Number.isNaN(got), `exp(${x})`);
    if (!Number.isFinite(want) || want < 2 ** -126)
      return assert.ok(
        Math.abs(got - want) <= 2 ** -149 * 2 || got === want,
        `exp(${x}) = ${got}, want ${want}`,
      );
    worst = Math.max(worst, Math.abs(got - want) / (want * 2 ** -23));
  });
  assert.ok(worst <= 2, `worst ${worst} ulp`);
  assert.is(f32s[0], 1);
});

test.run();
