// A minimal WebAssembly module writer: just enough of the binary format (types, one imported
// memory, functions with locals, exports) and of the instruction set (locals, i32 arithmetic,
// loops, 128-bit SIMD loads, stores and f32x4 arithmetic) to build the cpu backend's matrix
// kernel (gemm-simd.ts). Instructions are written as named helpers so the kernel reads like
// its WAT text. Reference: WebAssembly Core Specification 2.0, §5 (binary format), and the
// fixed-width SIMD proposal (opcodes 0xFD …).

export const I32 = 0x7f;
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32 constants). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const name = (s: string) => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const simd = (code: number, ...imm: number[]) => [0xfd, ...uleb(code), ...imm];

/** The instructions the kernels use (each returns its bytes). */
export const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Ne: [0x47],
  i32LtU: [0x49],
  /** block/loop without results; close with end. */
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  /** v128.load (alignment hint 2^align bytes) at a constant offset from the address on the stack.
   * */
  v128Load: (offset: number, align = 4) => simd(0x00, align, ...uleb(offset)),
  v128Store: (offset: number, align = 4) => simd(0x0b, align, ...uleb(offset)),
  /** Loads one f32 and replicates it into the 4 lanes. */
  v128Load32Splat: (offset: number) => simd(0x09, 2, ...uleb(offset)),
  v128Zero: simd(0x0c, ...new Array<number>(16).fill(0)),
  f32x4Add: simd(0xe4),
  f32x4Mul: simd(0xe6),
} as const;

export interface WasmFunction {
  name: string;
  params: number[];
  /** Extra locals as [count, type] groups. */
  locals: [number, number][];
  body: number[];
}

/** A module importing `env.memory` (at least `minPages` 64 KiB pages) and exporting the functions.
 * */
export function buildModule(functions: WasmFunction[], minPages = 1): Uint8Array {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((p) => [p])), 0]);
  const bodies = functions.map((f) => {
    const code = [...vector(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.body, ...op.end];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vector(types)),
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(minPages)]])),
    ...section(3, vector(functions.map((_, i) => uleb(i)))),
    ...section(7, vector(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vector(bodies)),
  ]);
}
