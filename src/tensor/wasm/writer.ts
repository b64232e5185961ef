// A small WebAssembly module writer: the binary format (types, imports, functions, exports) and
// structured control flow, so that the wasm backend's kernels are written in TypeScript and read
// like their WAT text: `set(i, i32.add(i, 4))` is `(local.set $i (i32.add (local.get $i)
// (i32.const 4)))`. Each helper returns the bytes of its instruction after those of its operands,
// which is exactly the stack machine's order, as nested arrays that are flattened once when the
// module is encoded (copying at every level would make building quadratic). The instructions
// themselves are in instructions.ts. Reference: WebAssembly Core Specification 2.0, §5.

/** Bytes of code: numbers and nested arrays of them, in order. */
export type Code = readonly (number | Code)[];
export type ValType = 'i32' | 'f32' | 'f64' | 'v128';

const TYPE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** A local variable (or parameter) of a function. */
export class Local {
  constructor(
    readonly index: number,
    readonly type: ValType,
  ) {}
}

/** An operand: code that leaves one value on the stack, a local (read), or an i32 constant. */
export type Expr = Code | Local | number;

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
  n |= 0;
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

/** The bytes of an operand. */
export function ex(e: Expr): Code {
  if (typeof e === 'number') return [0x41, sleb(e)];
  if (e instanceof Local) return [0x20, uleb(e.index)];
  return e;
}

/** The bytes of nested code, flat. */
export function flatten(code: Code): number[] {
  const out: number[] = [];
  const walk = (c: Code) => {
    for (const x of c) {
      if (typeof x === 'number') out.push(x);
      else walk(x);
    }
  };
  walk(code);
  return out;
}

/** Instructions in order. */
export const seq = (...parts: Code[]): Code => parts;

export const set = (l: Local, v: Expr): Code => [ex(v), 0x21, uleb(l.index)];
export const tee = (l: Local, v: Expr): Code => [ex(v), 0x22, uleb(l.index)];
export const drop = (v: Expr): Code => [ex(v), 0x1a];

// ---- structured control flow (blocks without results)

export const block = (...body: Code[]): Code => [0x02, 0x40, body, 0x0b];
export const loop = (...body: Code[]): Code => [0x03, 0x40, body, 0x0b];
export const br = (depth: number): Code => [0x0c, uleb(depth)];
export const brIf = (depth: number, cond: Expr): Code => [ex(cond), 0x0d, uleb(depth)];
export const ret: Code = [0x0f];

/** if (cond) then else otherwise. */
export function ifElse(cond: Expr, then: Code[], otherwise: Code[] = []): Code {
  return [ex(cond), 0x04, 0x40, then, otherwise.length > 0 ? [0x05, otherwise] : [], 0x0b];
}

/** cond ? then : otherwise, each leaving one value of `type`. */
export function ifValue(type: ValType, cond: Expr, then: Code[], otherwise: Code[]): Code {
  return [ex(cond), 0x04, TYPE[type], then, 0x05, otherwise, 0x0b];
}

/** for (i = from; i < to; i += step) body, with a signed comparison; `to` is re-read each time. */
export function forRange(i: Local, from: Expr, to: Expr, step: Expr, ...body: Code[]): Code {
  return [
    set(i, from),
    block(
      loop(
        [ex(i), ex(to), 0x4e, 0x0d, 1], // br_if 1 (i >= to)
        body,
        [ex(i), ex(step), 0x6a, 0x21, uleb(i.index)], // i += step
        br(0),
      ),
    ),
  ];
}

/** Calls function `index` with the given arguments. */
export const call = (index: number, ...args: Expr[]): Code => [args.map(ex), 0x10, uleb(index)];

// ---- functions and modules

/** A function under construction: parameters are locals 0..n−1, `local()` adds more. */
export class Func {
  readonly params: Local[];
  private readonly extra: ValType[] = [];
  private readonly code: Code[] = [];

  constructor(
    readonly index: number,
    readonly name: string,
    readonly paramTypes: readonly ValType[],
    readonly resultTypes: readonly ValType[],
    readonly exported: boolean,
  ) {
    this.params = paramTypes.map((t, i) => new Local(i, t));
  }

  local(type: ValType): Local {
    this.extra.push(type);
    return new Local(this.paramTypes.length + this.extra.length - 1, type);
  }

  locals(type: ValType, n: number): Local[] {
    return Array.from({ length: n }, () => this.local(type));
  }

  emit(...code: Code[]): this {
    this.code.push(...code);
    return this;
  }

  /** The function's body: local declarations, instructions, end. */
  encodeBody(): number[] {
    const groups: number[][] = [];
    for (let i = 0; i < this.extra.length;) {
      let j = i;
      while (j < this.extra.length && this.extra[j] === this.extra[i]) j++;
      groups.push([...uleb(j - i), TYPE[this.extra[i]]]);
      i = j;
    }
    const body = [...vector(groups), ...flatten(this.code), 0x0b];
    return [...uleb(body.length), ...body];
  }
}

interface FunctionImport {
  module: string;
  name: string;
  params: readonly ValType[];
  results: readonly ValType[];
}

const utf8 = (s: string): number[] => {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
};
const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
function vector(items: number[][]): number[] {
  const out = uleb(items.length);
  for (const item of items) for (const b of item) out.push(b);
  return out;
}

/**
 * A module that imports one memory (`env.memory`) and host functions, and defines functions.
 * Imports take the first function indices, so declare them all before the first function.
 */
export class ModuleWriter {
  private readonly imports: FunctionImport[] = [];
  private readonly funcs: Func[] = [];

  constructor(private readonly memory: { minPages: number; maxPages: number; shared: boolean }) {}

  importFunction(
    module: string,
    name: string,
    params: readonly ValType[],
    results: readonly ValType[],
  ): number {
    if (this.funcs.length > 0) throw new Error('ModuleWriter: import functions before defining');
    this.imports.push({ module, name, params, results });
    return this.imports.length - 1;
  }

  /** A new function (exported under its name unless `exported` is false). */
  func(
    name: string,
    params: readonly ValType[],
    results: readonly ValType[] = [],
    exported = true,
  ): Func {
    const f = new Func(this.imports.length + this.funcs.length, name, params, results, exported);
    this.funcs.push(f);
    return f;
  }

  /** Names of the exported functions, in order. */
  exportNames(): string[] {
    return this.funcs.filter((f) => f.exported).map((f) => f.name);
  }

  encode(): Uint8Array {
    const sigs: string[] = [];
    const typeOf = (p: readonly ValType[], r: readonly ValType[]) => {
      const key = `${p.join(',')}:${r.join(',')}`;
      let i = sigs.indexOf(key);
      if (i < 0) i = sigs.push(key) - 1;
      return i;
    };
    const importTypes = this.imports.map((f) => typeOf(f.params, f.results));
    const funcTypes = this.funcs.map((f) => typeOf(f.paramTypes, f.resultTypes));
    const types = sigs.map((key) => {
      const [p, r] = key.split(':').map((s) => (s ? (s.split(',') as ValType[]) : []));
      return [0x60, ...vector(p.map((t) => [TYPE[t]])), ...vector(r.map((t) => [TYPE[t]]))];
    });
    const { minPages, maxPages, shared } = this.memory;
    const limits = shared
      ? [0x03, ...uleb(minPages), ...uleb(maxPages)]
      : [0x00, ...uleb(minPages)];
    const imports = [
      [...utf8('env'), ...utf8('memory'), 0x02, ...limits],
      ...this.imports.map((f, i) => [
        ...utf8(f.module),
        ...utf8(f.name),
        0x00,
        ...uleb(importTypes[i]),
      ]),
    ];
    const exports = this.funcs
      .filter((f) => f.exported)
      .map((f) => [...utf8(f.name), 0x00, ...uleb(f.index)]);
    return new Uint8Array([
      ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      ...section(1, vector(types)),
      ...section(2, vector(imports)),
      ...section(3, vector(funcTypes.map((t) => uleb(t)))),
      ...section(7, vector(exports)),
      ...section(10, vector(this.funcs.map((f) => f.encodeBody()))),
    ]);
  }
}
