// gpu.js twin of src/tensor/cpu/movement.ts: kernels that move elements (plus the additions of
// scatterAdd). Permute, slice and expand are all copyStrided: the op computes the strides of the
// view and this kernel gathers it into a fresh row-major buffer.
//
// One thread per output element. Up to rank 3 the thread's (z, y, x) are the coordinates; ranks
// 4–6 fold the leading dimensions into thread.z (./helpers.ts lead4, exact integer math). pad
// first merges dimensions its cpu twin walks one by one (an inner dimension copied whole merges
// with the one above), so a slice's backward is rank ≤ 3. scatterAdd is written gather-style:
// the host inverts the (host) index into per-target lists, so each thread sums its own sources in
// the cpu twin's order.

import { fmtShape } from '../shape.js';
import { outputOf, padRank } from './elementwise.js';
import { at, ifloor, imod, idiv, lead4 } from './helpers.js';
import type { GpuStorage, KernelSpec, KernelThis, Runtime } from './runtime.js';

const COPY3: KernelSpec = {
  name: 'copyStrided3',
  fn: function (this: KernelThis, x: number[], s0: number, s1: number, s2: number, offset: number) {
    return x[offset + this.thread.z * s0 + this.thread.y * s1 + this.thread.x * s2];
  },
  args: { x: 'Array', s0: 'Integer', s1: 'Integer', s2: 'Integer', offset: 'Integer' },
};

const COPY6: KernelSpec = {
  name: 'copyStrided6',
  fn: function (
    this: KernelThis,
    x: number[],
    d1: number,
    d2: number,
    d3: number,
    s0: number,
    s1: number,
    s2: number,
    s3: number,
    s4: number,
    s5: number,
    offset: number,
  ) {
    return x[
      offset +
        lead4(this.thread.z, d1, d2, d3, s0, s1, s2, s3) +
        this.thread.y * s4 +
        this.thread.x * s5
    ];
  },
  args: {
    x: 'Array',
    d1: 'Integer',
    d2: 'Integer',
    d3: 'Integer',
    s0: 'Integer',
    s1: 'Integer',
    s2: 'Integer',
    s3: 'Integer',
    s4: 'Integer',
    s5: 'Integer',
    offset: 'Integer',
  },
};

/** out[i₀..iₖ] = x[offset + Σ i_d · strides_d], out row-major of `shape`. */
export function copyStrided(
  rt: Runtime,
  x: GpuStorage,
  shape: number[],
  strides: number[],
  offset: number,
): GpuStorage {
  const r = shape.length;
  if (r <= 3) {
    const [s] = padRank(shape, [strides], 3).strides;
    return rt.run(COPY3, outputOf(shape), [x, s[0], s[1], s[2], offset]);
  }
  if (r > 6)
    throw new Error(
      `copyStrided: the gpu backend handles at most 6 dimensions after ` +
        `merging, got ${fmtShape(shape)}`,
    );
  const {
    shape: d,
    strides: [s],
  } = padRank(shape, [strides], 6);
  return rt.run(
    COPY6,
    [d[5], d[4], d[0] * d[1] * d[2] * d[3]],
    [x, d[1], d[2], d[3], ...s, offset],
  );
}

/** Zero outside the box [st, st + n) on each axis; inside, x at the row-major offset (is =
 * strides). */
const PAD3: KernelSpec = {
  name: 'pad3',
  fn: function (
    this: KernelThis,
    x: number[],
    st0: number,
    st1: number,
    st2: number,
    n0: number,
    n1: number,
    n2: number,
    is0: number,
    is1: number,
  ) {
    if (
      this.thread.z < st0 ||
      this.thread.z >= st0 + n0 ||
      this.thread.y < st1 ||
      this.thread.y >= st1 + n1 ||
      this.thread.x < st2 ||
      this.thread.x >= st2 + n2
    ) {
      return 0.0;
    }
    return x[(this.thread.z - st0) * is0 + (this.thread.y - st1) * is1 + (this.thread.x - st2)];
  },
  args: {
    x: 'Array',
    st0: 'Integer',
    st1: 'Integer',
    st2: 'Integer',
    n0: 'Integer',
    n1: 'Integer',
    n2: 'Integer',
    is0: 'Integer',
    is1: 'Integer',
  },
};

/** Ranks 4–6: the leading coordinates (small, exact in the f32 locals) come from thread.z. */
const PAD6: KernelSpec = {
  name: 'pad6',
  fn: function (
    this: KernelThis,
    x: number[],
    d1: number,
    d2: number,
    d3: number,
    st0: number,
    st1: number,
    st2: number,
    st3: number,
    st4: number,
    st5: number,
    n0: number,
    n1: number,
    n2: number,
    n3: number,
    n4: number,
    n5: number,
    is0: number,
    is1: number,
    is2: number,
    is3: number,
    is4: number,
  ) {
    const c0 = idiv(idiv(idiv(this.thread.z, d3), d2), d1);
    const c1 = imod(idiv(idiv(this.thread.z, d3), d2), d1);
    const c2 = imod(idiv(this.thread.z, d3), d2);
    const c3 = imod(this.thread.z, d3);
    if (
      c0 < st0 ||
      c0 >= st0 + n0 ||
      c1 < st1 ||
      c1 >= st1 + n1 ||
      c2 < st2 ||
      c2 >= st2 + n2 ||
      c3 < st3 ||
      c3 >= st3 + n3 ||
      this.thread.y < st4 ||
      this.thread.y >= st4 + n4 ||
      this.thread.x < st5 ||
      this.thread.x >= st5 + n5
    ) {
      return 0.0;
    }
    return x[
      (ifloor(c0) - st0) * is0 +
        (ifloor(c1) - st1) * is1 +
        (ifloor(c2) - st2) * is2 +
        (ifloor(c3) - st3) * is3 +
        (this.thread.y - st4) * is4 +
        (this.thread.x - st5)
    ];
  },
  args: {
    x: 'Array',
    d1: 'Integer',
    d2: 'Integer',
    d3: 'Integer',
    st0: 'Integer',
    st1: 'Integer',
    st2: 'Integer',
    st3: 'Integer',
    st4: 'Integer',
    st5: 'Integer',
    n0: 'Integer',
    n1: 'Integer',
    n2: 'Integer',
    n3: 'Integer',
    n4: 'Integer',
    n5: 'Integer',
    is0: 'Integer',
    is1: 'Integer',
    is2: 'Integer',
    is3: 'Integer',
    is4: 'Integer',
  },
};

/** Merges axis d into d−1 where axis d is copied whole (it starts at 0 and in = out), drops 1-axes.
 * */
function mergePad(inShape: number[], outShape: number[], starts: number[]) {
  const ins: number[] = [];
  const outs: number[] = [];
  const sts: number[] = [];
  for (let d = 0; d < inShape.length; d++) {
    if (inShape[d] === 1 && outShape[d] === 1) continue; // start is 0: nothing to address
    const k = ins.length - 1;
    if (k >= 0 && starts[d] === 0 && inShape[d] === outShape[d]) {
      ins[k] *= inShape[d];
      outs[k] *= outShape[d];
      sts[k] *= outShape[d];
    } else {
      ins.push(inShape[d]);
      outs.push(outShape[d]);
      sts.push(starts[d]);
    }
  }
  return { ins, outs, sts };
}

/** Zeros of outShape with x (row-major, inShape) written at `starts`. */
export function pad(
  rt: Runtime,
  x: GpuStorage,
  inShape: number[],
  outShape: number[],
  starts: number[],
): GpuStorage {
  const { ins, outs, sts } = mergePad(inShape, outShape, starts);
  const r = ins.length;
  if (r <= 3) {
    const p = padRank(ins, [sts, outs], 3);
    const [st] = p.strides;
    const n = p.shape;
    return rt.run(PAD3, outputOf(outs), [
      x,
      st[0],
      st[1],
      st[2],
      n[0],
      n[1],
      n[2],
      n[1] * n[2],
      n[2],
    ]);
  }
  if (r > 6)
    throw new Error(
      `pad: the gpu backend handles at most 6 dimensions after merging, got ${fmtShape(outShape)}`,
    );
  const {
    shape: n,
    strides: [st],
  } = padRank(ins, [sts], 6);
  const o = [...new Array<number>(6 - r).fill(1), ...outs];
  const is = [
    n[1] * n[2] * n[3] * n[4] * n[5],
    n[2] * n[3] * n[4] * n[5],
    n[3] * n[4] * n[5],
    n[4] * n[5],
    n[5],
  ];
  return rt.run(
    PAD6,
    [o[5], o[4], o[0] * o[1] * o[2] * o[3]],
    [x, o[1], o[2], o[3], ...st, ...n, ...is],
  );
}

/** Four parts viewed as [outer, len_p] side by side: output [Σ len, outer] (or [Σ len] for outer
 * 1). */
const CONCAT4: KernelSpec = {
  name: 'concat4',
  fn: function (
    this: KernelThis,
    p0: number[],
    p1: number[],
    p2: number[],
    p3: number[],
    len0: number,
    len1: number,
    len2: number,
    len3: number,
  ) {
    if (this.thread.x < len0) {
      return p0[this.thread.y * len0 + this.thread.x];
    }
    if (this.thread.x < len0 + len1) {
      return p1[this.thread.y * len1 + this.thread.x - len0];
    }
    if (this.thread.x < len0 + len1 + len2) {
      return p2[this.thread.y * len2 + this.thread.x - len0 - len1];
    }
    return p3[this.thread.y * len3 + this.thread.x - len0 - len1 - len2];
  },
  args: {
    p0: 'Array',
    p1: 'Array',
    p2: 'Array',
    p3: 'Array',
    len0: 'Integer',
    len1: 'Integer',
    len2: 'Integer',
    len3: 'Integer',
  },
};

/** parts[p] viewed as [outer, sizes[p], inner], concatenated along the middle axis (4 per kernel).
 * */
export function concat(
  rt: Runtime,
  parts: GpuStorage[],
  outer: number,
  sizes: number[],
  inner: number,
): GpuStorage {
  const none = rt.empty(); // unused slots: never read (length 0)
  let acc: GpuStorage | null = null;
  let accSize = 0;
  let i = 0;
  while (i < parts.length) {
    const group = acc ? [acc] : [];
    const counts = acc ? [accSize] : [];
    while (group.length < 4 && i < parts.length) {
      group.push(parts[i]);
      counts.push(sizes[i++]);
    }
    const lens = counts.map((c) => c * inner);
    while (group.length < 4) {
      group.push(none);
      lens.push(0);
    }
    const total = lens.reduce((a, b) => a + b, 0);
    const out = rt.run(CONCAT4, outer === 1 ? [total] : [total, outer], [...group, ...lens]);
    if (acc) rt.release(acc);
    acc = out;
    accSize = counts.reduce((a, b) => a + b, 0);
  }
  rt.release(none);
  return acc ?? rt.empty();
}

const GATHER: KernelSpec = {
  name: 'gather',
  fn: function (this: KernelThis, x: number[], index: number[], n: number, inner: number) {
    return x[(this.thread.z * n + ifloor(index[this.thread.y])) * inner + this.thread.x];
  },
  args: { x: 'Array', index: 'Array', n: 'Integer', inner: 'Integer' },
};

/** out[o, j, i] = x[o, index[j], i]; x viewed as [outer, n, inner], out as [outer, m, inner]. */
export function gather(
  rt: Runtime,
  x: GpuStorage,
  index: Int32Array,
  outer: number,
  n: number,
  inner: number,
): GpuStorage {
  return rt.run(GATHER, [inner, index.length, outer], [x, Float32Array.from(index), n, inner]);
}

/** out[o, k, i] = Σ g[o, j, i] over the j with index[j] = k, in increasing j (sources[start[k]…]).
 * */
const SCATTER_ADD: KernelSpec = {
  name: 'scatterAdd',
  fn: function (
    this: KernelThis,
    g: number[],
    sources: number[],
    start: number[],
    m: number,
    inner: number,
    most: number,
  ) {
    let acc = 0.0;
    for (let p = 0; p < most; p++) {
      if (p < ifloor(start[this.thread.y + 1]) - ifloor(start[this.thread.y])) {
        acc +=
          g[
            (this.thread.z * m + ifloor(sources[at(ifloor(start[this.thread.y]), p, 1)])) * inner +
              this.thread.x
          ];
      }
    }
    return acc;
  },
  args: {
    g: 'Array',
    sources: 'Array',
    start: 'Array',
    m: 'Integer',
    inner: 'Integer',
    most: 'Integer',
  },
};

/** out = zeros [outer, n, inner]; out[o, index[j], i] += g[o, j, i]. */
export function scatterAdd(
  rt: Runtime,
  g: GpuStorage,
  index: Int32Array,
  outer: number,
  n: number,
  inner: number,
): GpuStorage {
  // the inverse of the index on the host: start[k]… are the j with index[j] = k, increasing
  const start = new Float32Array(n + 1);
  for (const k of index) start[k + 1]++;
  let most = 0;
  for (let k = 0; k < n; k++) {
    most = Math.max(most, start[k + 1]);
    start[k + 1] += start[k];
  }
  const fill = start.slice(0, n);
  const sources = new Float32Array(Math.max(index.length, 1));
  index.forEach((k, j) => (sources[fill[k]++] = j));
  return rt.run(
    SCATTER_ADD,
    [inner, n, outer],
    [g, sources, start, index.length, inner, most],
    most,
  );
}
