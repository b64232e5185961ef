// wasm kernels that move elements without arithmetic (plus the additions of scatterAdd). Twin of
// src/tensor/cpu/movement.ts. One strided copy, copy_rows, does the work of copyStrided (permute,
// slice, expand), pad and concat: rows of a rank-4 view copied from one strided layout to
// another (rows.ts), a vector loop where both rows are contiguous. fill and copy serve `full` and
// `cast`. Threads take ranges of rows (or of elements).

import { emitMap } from './elementwise.js';
import { CHEAP_PER_THREAD } from './threads.js';
import { f32, f32x4, i32, v128 } from './instructions.js';
import { forRows, vectorThenScalar } from './rows.js';
import type { Runtime, WasmStorage } from './runtime.js';
import { type ModuleWriter, type ValType, ex, forRange, ifElse, seq, set } from './writer.js';

export function emitMovement(m: ModuleWriter): void {
  emitMap(m, 'fill', 0, ['f32'], (_f, _x, [value]) => f32x4.splat(value));
  emitMap(m, 'copy', 1, [], (_f, [x]) => ex(x));

  // copy_rows(dst, src, d1, d2, n, sd0..sd3, ss0..ss3, r0, r1): rows [r0, r1) of [d0, d1, d2, n]
  {
    const f = m.func('copy_rows', Array<ValType>(15).fill('i32'));
    const [dst, src, d1, d2, n, sd0, sd1, sd2, sd3, ss0, ss1, ss2, ss3, r0, r1] = f.params;
    const [pd, ps, j] = f.locals('i32', 3);
    const at = (p: typeof pd, k: typeof j) => i32.add(p, i32.shl(k, 2));
    f.emit(
      forRows(
        f,
        d1,
        d2,
        [
          [sd0, sd1, sd2],
          [ss0, ss1, ss2],
        ],
        r0,
        r1,
        ([od, os]) =>
          seq(
            set(pd, i32.add(dst, od)),
            set(ps, i32.add(src, os)),
            ifElse(
              i32.and(i32.eq(sd3, 4), i32.eq(ss3, 4)),
              [
                vectorThenScalar(
                  f,
                  n,
                  (k) => v128.store(at(pd, k), v128.load(at(ps, k))),
                  (k) => f32.store(at(pd, k), f32.load(at(ps, k))),
                ),
              ],
              [
                forRange(
                  j,
                  0,
                  n,
                  1,
                  f32.store(i32.add(pd, i32.mul(j, sd3)), f32.load(i32.add(ps, i32.mul(j, ss3)))),
                ),
              ],
            ),
          ),
      ),
    );
  }

  // gather(out, x, index, n, m, inner, r0, r1): row r = (o, j) of out [outer, m, inner] is row
  // index[j] of x [outer, n, inner]
  {
    const f = m.func('gather', Array<ValType>(8).fill('i32'));
    const [out, x, index, n, mm, inner, r0, r1] = f.params;
    const [r, o, j, pd, ps] = f.locals('i32', 5);
    const at = (p: typeof pd, k: typeof j) => i32.add(p, i32.shl(k, 2));
    f.emit(
      forRange(
        r,
        r0,
        r1,
        1,
        set(o, i32.div_u(r, mm)),
        set(j, i32.rem_u(r, mm)),
        set(pd, i32.add(out, i32.shl(i32.mul(r, inner), 2))),
        set(
          ps,
          i32.add(x, i32.shl(i32.mul(i32.add(i32.mul(o, n), i32.load(at(index, j))), inner), 2)),
        ),
        vectorThenScalar(
          f,
          inner,
          (k) => v128.store(at(pd, k), v128.load(at(ps, k))),
          (k) => f32.store(at(pd, k), f32.load(at(ps, k))),
        ),
      ),
    );
  }

  // scatter_add(out, g, index, n, m, inner, o0, o1): out[o, index[j], :] += g[o, j, :] for
  // o in [o0, o1), j = 0 .. m − 1 in order (out zeroed before)
  {
    const f = m.func('scatter_add', Array<ValType>(8).fill('i32'));
    const [out, g, index, n, mm, inner, o0, o1] = f.params;
    const [o, j, pd, ps] = f.locals('i32', 4);
    const at = (p: typeof pd, k: typeof j) => i32.add(p, i32.shl(k, 2));
    f.emit(
      forRange(
        o,
        o0,
        o1,
        1,
        forRange(
          j,
          0,
          mm,
          1,
          set(
            pd,
            i32.add(
              out,
              i32.shl(i32.mul(i32.add(i32.mul(o, n), i32.load(at(index, j))), inner), 2),
            ),
          ),
          set(ps, i32.add(g, i32.shl(i32.mul(i32.add(i32.mul(o, mm), j), inner), 2))),
          vectorThenScalar(
            f,
            inner,
            (k) => v128.store(at(pd, k), f32x4.add(v128.load(at(pd, k)), v128.load(at(ps, k)))),
            (k) => f32.store(at(pd, k), f32.add(f32.load(at(pd, k)), f32.load(at(ps, k)))),
          ),
        ),
      ),
    );
  }
}

// ---- calls

export function full(rt: Runtime, size: number, value: number): WasmStorage {
  const out = rt.alloc(size);
  rt.run('fill', [out.ptr, value], size, CHEAP_PER_THREAD, 16);
  return out;
}

export function copy(rt: Runtime, x: WasmStorage): WasmStorage {
  const out = rt.alloc(x.size);
  rt.run('copy', [out.ptr, x.ptr], x.size, CHEAP_PER_THREAD, 16);
  return out;
}

/**
 * dst[Σ i_d·dstStrides_d] = src[Σ i_d·srcStrides_d] over `shape` (element strides; pointers in
 * bytes). Shapes of rank > 4 loop their leading dimensions here.
 */
function copyRows(
  rt: Runtime,
  dst: number,
  src: number,
  shape: readonly number[],
  dstStrides: readonly number[],
  srcStrides: readonly number[],
): void {
  if (shape.some((d) => d === 0)) return;
  const pad = Math.max(0, 4 - shape.length);
  const dims = [...Array<number>(pad).fill(1), ...shape];
  const sd = [...Array<number>(pad).fill(0), ...dstStrides].map((s) => 4 * s);
  const ss = [...Array<number>(pad).fill(0), ...srcStrides].map((s) => 4 * s);
  const R = dims.length;
  const [d1, d2, n] = dims.slice(R - 3);
  const rows = dims[R - 4] * d1 * d2;
  const outer = dims.slice(0, R - 4);
  const count = outer.reduce((p, d) => p * d, 1);
  const per = Math.max(1, Math.ceil(CHEAP_PER_THREAD / n));
  for (let t = 0; t < count; t++) {
    let od = 0;
    let os = 0;
    for (let d = outer.length - 1, rest = t; d >= 0; d--) {
      const i = rest % outer[d];
      rest = Math.floor(rest / outer[d]);
      od += i * sd[d];
      os += i * ss[d];
    }
    const args = [dst + od, src + os, d1, d2, n, ...sd.slice(R - 4), ...ss.slice(R - 4)];
    rt.run('copy_rows', args, rows, per);
  }
}

const rowMajor = (shape: readonly number[]) => {
  const s = new Array<number>(shape.length);
  for (let d = shape.length - 1, p = 1; d >= 0; p *= shape[d], d--) s[d] = p;
  return s;
};

/** out[i₀..iₖ] = x[offset + Σ i_d · strides_d], out row-major of `shape`. */
export function copyStrided(
  rt: Runtime,
  x: WasmStorage,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
): WasmStorage {
  const size = shape.reduce((p, d) => p * d, 1);
  if (shape.length === 0) {
    const out = rt.alloc(1);
    rt.f32()[out.ptr / 4] = rt.f32()[x.ptr / 4 + offset];
    return out;
  }
  if (shape.length === 1 && strides[0] === 1 && offset === 0) return copy(rt, x);
  const out = rt.alloc(size);
  copyRows(rt, out.ptr, x.ptr + 4 * offset, shape, rowMajor(shape), strides);
  return out;
}

/** Zeros of outShape with x (row-major, inShape) written at `starts`. */
export function pad(
  rt: Runtime,
  x: WasmStorage,
  inShape: readonly number[],
  outShape: readonly number[],
  starts: readonly number[],
): WasmStorage {
  const out = full(
    rt,
    outShape.reduce((p, d) => p * d, 1),
    0,
  );
  if (x.size === 0) return out;
  if (inShape.length === 0) {
    rt.f32()[out.ptr / 4] = rt.f32()[x.ptr / 4];
    return out;
  }
  const os = rowMajor(outShape);
  const at = starts.reduce((p, s, d) => p + s * os[d], 0);
  copyRows(rt, out.ptr + 4 * at, x.ptr, inShape, os, rowMajor(inShape));
  return out;
}

/** parts[p] viewed as [outer, sizes[p], inner], concatenated along the middle axis. */
export function concat(
  rt: Runtime,
  parts: readonly WasmStorage[],
  outer: number,
  sizes: readonly number[],
  inner: number,
): WasmStorage {
  const total = sizes.reduce((p, d) => p + d, 0);
  const out = rt.alloc(outer * total * inner);
  let at = 0;
  parts.forEach((p, i) => {
    const len = sizes[i] * inner;
    copyRows(rt, out.ptr + 4 * at, p.ptr, [outer, len], [total * inner, 1], [len, 1]);
    at += len;
  });
  return out;
}

/** Copies an index array into the memory (a block the caller releases). */
function uploadIndex(rt: Runtime, index: Int32Array): WasmStorage {
  const s = rt.alloc(index.length);
  new Int32Array(rt.memory.buffer, s.ptr, index.length).set(index);
  return s;
}

/** out[o, j, i] = x[o, index[j], i]; x viewed as [outer, n, inner], out as [outer, m, inner]. */
export function gather(
  rt: Runtime,
  x: WasmStorage,
  index: Int32Array,
  outer: number,
  n: number,
  inner: number,
): WasmStorage {
  const m = index.length;
  const out = rt.alloc(outer * m * inner);
  if (out.size === 0) return out;
  const idx = uploadIndex(rt, index);
  const per = Math.max(1, Math.ceil(CHEAP_PER_THREAD / inner));
  rt.run('gather', [out.ptr, x.ptr, idx.ptr, n, m, inner], outer * m, per);
  rt.release(idx);
  return out;
}

/** out = zeros [outer, n, inner]; out[o, index[j], i] += g[o, j, i], j in order. */
export function scatterAdd(
  rt: Runtime,
  g: WasmStorage,
  index: Int32Array,
  outer: number,
  n: number,
  inner: number,
): WasmStorage {
  const out = full(rt, outer * n * inner, 0);
  const m = index.length;
  if (m === 0 || inner === 0 || outer === 0) return out;
  const idx = uploadIndex(rt, index);
  const per = Math.max(1, Math.ceil(CHEAP_PER_THREAD / (m * inner)));
  rt.run('scatter_add', [out.ptr, g.ptr, idx.ptr, n, m, inner], outer, per);
  rt.release(idx);
  return out;
}
