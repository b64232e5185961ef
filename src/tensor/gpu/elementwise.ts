// gpu.js twin of src/tensor/cpu/elementwise.ts: unary kernels, x·scale + shift, x^p, the GELU
// backward, and binary kernels with broadcasting. Same function names and arguments, with the
// output buffer replaced by the runtime; one thread per output element.
//
// Binary kernels get the output shape and per-operand strides already merged by the op
// (shape.collapseDims). Up to rank 3 the thread's (z, y, x) are the coordinates; ranks 4–6 fold
// the leading dimensions into thread.z and recover them with the exact integer helpers
// (./helpers.ts: index math stays in Integer terms). The op is a uniform kernel argument, the
// cpu twin's switch. Note: kernels cannot see module constants, so 1/√2 and 1/√(2π) are literals.

import type { BinaryKernel, UnaryKernel } from '../backend.js';
// for type checking only: kernels call the gpu helper erf32 (./erf.ts)
import { erf32 } from '../cpu/erf.js';
import { fmtShape } from '../shape.js';
import { ERF_HELPERS } from './erf.js';
import { isNan, lead4 } from './helpers.js';
import type { GpuStorage, KernelSpec, KernelThis, Runtime } from './runtime.js';

type Unary = (this: KernelThis, x: number[]) => number;
const unarySpec = (name: string, fn: Unary, erf = false): KernelSpec => ({
  name,
  fn,
  args: { x: 'Array' },
  helpers: erf ? ERF_HELPERS : [],
});

const UNARY: Record<UnaryKernel, KernelSpec> = {
  neg: unarySpec('neg', function (x) {
    return -x[this.thread.x];
  }),
  exp: unarySpec('exp', function (x) {
    return Math.exp(x[this.thread.x]);
  }),
  // WGSL's log and sqrt are undefined outside their domain (SwiftShader: log(−1) = 0, log(0) =
  // −88): the edges are explicit, with NaN and −∞ passed in (gpu.js has no such literals)
  log: {
    name: 'log',
    fn: function (this: KernelThis, x: number[], nan: number, negInf: number) {
      const v = x[this.thread.x];
      if (v > 0.0) {
        return Math.log(v);
      }
      if (v === 0.0) {
        return negInf;
      }
      return nan;
    },
    args: { x: 'Array', nan: 'Float', negInf: 'Float' },
  },
  sqrt: {
    name: 'sqrt',
    fn: function (this: KernelThis, x: number[], nan: number) {
      const v = x[this.thread.x];
      if (v >= 0.0) {
        return Math.sqrt(v);
      }
      return nan;
    },
    args: { x: 'Array', nan: 'Float' },
  },
  abs: unarySpec('abs', function (x) {
    return Math.abs(x[this.thread.x]);
  }),
  sign: unarySpec('sign', function (x) {
    const v = x[this.thread.x];
    if (v > 0.0) {
      return 1.0;
    }
    if (v < 0.0) {
      return -1.0;
    }
    return 0.0;
  }),
  erf: unarySpec(
    'erf',
    function (x) {
      return erf32(x[this.thread.x]);
    },
    true,
  ),
  gelu: unarySpec(
    'gelu',
    function (x) {
      const v = x[this.thread.x];
      return v * 0.5 * (1.0 + erf32(v * 0.7071067811865476));
    },
    true,
  ),
};

/** The special values the log and sqrt kernels return outside their domain. */
const EDGES: Partial<Record<UnaryKernel, number[]>> = { log: [NaN, -Infinity], sqrt: [NaN] };

export function unary(rt: Runtime, op: UnaryKernel, x: GpuStorage): GpuStorage {
  return rt.run(UNARY[op], [x.size], [x, ...(EDGES[op] ?? [])]);
}

const AFFINE: KernelSpec = {
  name: 'affine',
  fn: function (this: KernelThis, x: number[], scale: number, shift: number) {
    return x[this.thread.x] * scale + shift;
  },
  args: { x: 'Array', scale: 'Float', shift: 'Float' },
};

/** x·scale + shift. */
export function affine(rt: Runtime, x: GpuStorage, scale: number, shift: number): GpuStorage {
  return rt.run(AFFINE, [x.size], [x, scale, shift]);
}

const POW: Record<'square' | 'copy' | 'reciprocal' | 'sqrt' | 'general', KernelSpec> = {
  square: unarySpec('pow2', function (x) {
    return x[this.thread.x] * x[this.thread.x];
  }),
  copy: unarySpec('pow1', function (x) {
    return x[this.thread.x];
  }),
  reciprocal: unarySpec('pow-1', function (x) {
    return 1.0 / x[this.thread.x];
  }),
  sqrt: { ...UNARY.sqrt, name: 'pow0.5' },
  // WGSL's pow is exp2(p·log2 x), undefined for x ≤ 0: take the sign out as Math.pow does, and
  // return 0 or ∞ for a zero base
  general: {
    name: 'pow',
    fn: function (
      this: KernelThis,
      x: number[],
      p: number,
      pInt: number,
      pOdd: number,
      nan: number,
      inf: number,
    ) {
      const v = x[this.thread.x];
      if (p === 0.0) {
        return 1.0;
      }
      if (isNan(v) > 0.0) {
        return nan;
      }
      if (v === 0.0) {
        if (p < 0.0) {
          return inf;
        }
        if (p > 0.0) {
          return 0.0;
        }
      }
      if (v < 0.0) {
        if (pInt > 0) {
          if (pOdd > 0) {
            return -Math.pow(-v, p);
          }
          return Math.pow(-v, p);
        }
        if (v < -3.4028234663852886e38) {
          // −∞ to a fractional power: ∞ or 0, as Math.pow
          if (p > 0.0) {
            return inf;
          }
          return 0.0;
        }
        return nan; // a negative base with a fractional exponent
      }
      return Math.pow(v, p);
    },
    args: {
      x: 'Array',
      p: 'Float',
      pInt: 'Integer',
      pOdd: 'Integer',
      nan: 'Float',
      inf: 'Float',
    },
  },
};

/** x^p. Integer powers 2 and −1, and 1 and ½, avoid pow (exact and faster), as in the cpu twin. */
export function powScalar(rt: Runtime, x: GpuStorage, p: number): GpuStorage {
  if (p === 2) return rt.run(POW.square, [x.size], [x]);
  if (p === 1) return rt.run(POW.copy, [x.size], [x]);
  if (p === -1) return rt.run(POW.reciprocal, [x.size], [x]);
  if (p === 0.5) return rt.run(POW.sqrt, [x.size], [x, NaN]);
  const isInt = Number.isInteger(p);
  return rt.run(
    POW.general,
    [x.size],
    [x, p, isInt ? 1 : 0, isInt && Math.abs(p % 2) === 1 ? 1 : 0, NaN, Infinity],
  );
}

const GELU_BACKWARD: KernelSpec = {
  name: 'geluBackward',
  fn: function (this: KernelThis, x: number[], dy: number[]) {
    const v = x[this.thread.x];
    const cdf = 0.5 * (1.0 + erf32(v * 0.7071067811865476));
    const pdf = Math.exp(-0.5 * v * v) * 0.3989422804014327;
    return dy[this.thread.x] * (cdf + v * pdf);
  },
  args: { x: 'Array', dy: 'Array' },
  helpers: ERF_HELPERS,
};

/** dy · GELU′(x) with GELU′(x) = Φ(x) + x·φ(x) (PyTorch's GeluBackward). */
export function geluBackward(rt: Runtime, x: GpuStorage, dy: GpuStorage): GpuStorage {
  return rt.run(GELU_BACKWARD, [x.size], [x, dy]);
}

/** The op codes of the binary kernels' switch (a uniform argument). */
const BINARY_OP: Record<BinaryKernel, number> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
  greater: 6,
  equal: 7,
};

/** Ranks 0–3: (z, y, x) are the coordinates. NaN handling of maximum/minimum as the cpu twin. */
const BINARY3: KernelSpec = {
  name: 'binary3',
  fn: function (
    this: KernelThis,
    a: number[],
    b: number[],
    op: number,
    as0: number,
    as1: number,
    as2: number,
    bs0: number,
    bs1: number,
    bs2: number,
  ) {
    const va = a[this.thread.z * as0 + this.thread.y * as1 + this.thread.x * as2];
    const vb = b[this.thread.z * bs0 + this.thread.y * bs1 + this.thread.x * bs2];
    if (op === 0) {
      return va + vb;
    }
    if (op === 1) {
      return va - vb;
    }
    if (op === 2) {
      return va * vb;
    }
    if (op === 3) {
      return va / vb;
    }
    if (op === 4) {
      if (va >= vb || isNan(va) > 0.0) {
        return va;
      }
      return vb;
    }
    if (op === 5) {
      if (va <= vb || isNan(va) > 0.0) {
        return va;
      }
      return vb;
    }
    if (op === 6) {
      if (va > vb) {
        return 1.0;
      }
      return 0.0;
    }
    if (va === vb) {
      return 1.0;
    }
    return 0.0;
  },
  args: {
    a: 'Array',
    b: 'Array',
    op: 'Integer',
    as0: 'Integer',
    as1: 'Integer',
    as2: 'Integer',
    bs0: 'Integer',
    bs1: 'Integer',
    bs2: 'Integer',
  },
};

/** Ranks 4–6: thread.z runs over the four leading dimensions [d0, d1, d2, d3]. */
const BINARY6: KernelSpec = {
  name: 'binary6',
  fn: function (
    this: KernelThis,
    a: number[],
    b: number[],
    op: number,
    d1: number,
    d2: number,
    d3: number,
    as0: number,
    as1: number,
    as2: number,
    as3: number,
    as4: number,
    as5: number,
    bs0: number,
    bs1: number,
    bs2: number,
    bs3: number,
    bs4: number,
    bs5: number,
  ) {
    const va =
      a[
        lead4(this.thread.z, d1, d2, d3, as0, as1, as2, as3) +
          this.thread.y * as4 +
          this.thread.x * as5
      ];
    const vb =
      b[
        lead4(this.thread.z, d1, d2, d3, bs0, bs1, bs2, bs3) +
          this.thread.y * bs4 +
          this.thread.x * bs5
      ];
    if (op === 0) {
      return va + vb;
    }
    if (op === 1) {
      return va - vb;
    }
    if (op === 2) {
      return va * vb;
    }
    if (op === 3) {
      return va / vb;
    }
    if (op === 4) {
      if (va >= vb || isNan(va) > 0.0) {
        return va;
      }
      return vb;
    }
    if (op === 5) {
      if (va <= vb || isNan(va) > 0.0) {
        return va;
      }
      return vb;
    }
    if (op === 6) {
      if (va > vb) {
        return 1.0;
      }
      return 0.0;
    }
    if (va === vb) {
      return 1.0;
    }
    return 0.0;
  },
  args: {
    a: 'Array',
    b: 'Array',
    op: 'Integer',
    d1: 'Integer',
    d2: 'Integer',
    d3: 'Integer',
    as0: 'Integer',
    as1: 'Integer',
    as2: 'Integer',
    as3: 'Integer',
    as4: 'Integer',
    as5: 'Integer',
    bs0: 'Integer',
    bs1: 'Integer',
    bs2: 'Integer',
    bs3: 'Integer',
    bs4: 'Integer',
    bs5: 'Integer',
  },
};

/** Left-pads a shape with 1s and strides with 0s to rank r. */
export function padRank(
  shape: readonly number[],
  strides: readonly number[][],
  r: number,
): { shape: number[]; strides: number[][] } {
  const k = r - shape.length;
  return {
    shape: [...new Array<number>(k).fill(1), ...shape],
    strides: strides.map((s) => [...new Array<number>(k).fill(0), ...s]),
  };
}

/** gpu.js output dims for a row-major shape of rank ≤ 3: [x, y, z] = the shape reversed ([1] for a
 * scalar). */
export function outputOf(shape: readonly number[]): number[] {
  return shape.length === 0 ? [1] : [...shape].reverse();
}

/** Binary op with broadcasting; `shape` and strides come merged from the op. */
export function binary(
  rt: Runtime,
  op: BinaryKernel,
  a: GpuStorage,
  b: GpuStorage,
  shape: number[],
  aStrides: number[],
  bStrides: number[],
): GpuStorage {
  const r = shape.length;
  if (r <= 3) {
    const p = padRank(shape, [aStrides, bStrides], 3);
    const [as, bs] = p.strides;
    return rt.run(BINARY3, outputOf(shape), [
      a,
      b,
      BINARY_OP[op],
      as[0],
      as[1],
      as[2],
      bs[0],
      bs[1],
      bs[2],
    ]);
  }
  if (r > 6)
    throw new Error(
      `${op}: the gpu backend handles at most 6 dimensions after merging, got ${fmtShape(shape)}`,
    );
  const {
    shape: d,
    strides: [as, bs],
  } = padRank(shape, [aStrides, bStrides], 6);
  return rt.run(
    BINARY6,
    [d[5], d[4], d[0] * d[1] * d[2] * d[3]],
    [a, b, BINARY_OP[op], d[1], d[2], d[3], ...as, ...bs],
  );
}
