// safetensors: parse and serialize the format, with every header field validated before any
// tensor data is touched, so a malformed file is a clear `safetensors: FILE: problem` error,
// never a crash, a hang or an out-of-range read.
// Reference: https://github.com/huggingface/safetensors (format: u64 little-endian header length
// N, N bytes of UTF-8 JSON {name: {dtype, shape, data_offsets: [begin, end)}, "__metadata__":
// {string: string}}, then the data section; offsets are relative to its start, tensors must not
// overlap and must cover it without holes). Bytes in, bytes out: this module touches no file
// system, so browsers use it as it is; reading and writing files (atomically) is
// safetensors-file.ts.

import {
  type DecodedArray,
  ITEM_SIZE,
  type SafeDType,
  UNSUPPORTED_DTYPES,
  type WritableDType,
  checkEncodable,
  decode,
  encodeInto,
  isSafeDType,
} from './safetensors-dtypes.js';

export type { DecodedArray, SafeDType, WritableDType } from './safetensors-dtypes.js';

/** Every problem with a safetensors file or buffer; the message starts `safetensors: SOURCE:`. */
export class SafetensorsError extends Error {
  constructor(
    readonly source: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`safetensors: ${source}: ${problem}`, options);
    this.name = 'SafetensorsError';
  }
}

/** A sanity cap on the JSON header (the reference implementation uses 100 MB too). */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * A cap on the keys of the JSON header, counted before it is parsed: JSON.parse of an object
 * with 200 000 entries takes seconds and a lot of memory, even with no tensor data at all. Each
 * tensor needs 4 keys (its name, dtype, shape, data_offsets): this admits 50 000 tensors, many
 * times what a ViT (a few hundred) or a large language model shard (a few thousand) holds.
 */
export const MAX_HEADER_KEYS = 200_000;

export interface SafetensorsTensor {
  dtype: SafeDType;
  shape: number[];
  data: DecodedArray;
}

export interface Safetensors {
  /** In file order (ascending data offset), which is the writer's order. */
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

/** One validated header entry: where a tensor's bytes are, relative to the data section. */
export interface HeaderEntry {
  name: string;
  dtype: SafeDType;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  entries: HeaderEntry[];
  metadata: Record<string, string>;
  /** Byte offset of the data section in the file (8 + header length). */
  dataStart: number;
}

/** Validates the header (length, JSON, every entry, overlaps and holes) without decoding data. */
export function parseSafetensorsHeader(bytes: Uint8Array, source = '<buffer>'): SafetensorsHeader {
  return parseSafetensorsHeaderOfFile(bytes, bytes.length, source);
}

/** The same for a file of `fileLength` bytes of which `bytes` holds at least the header (read
 * from a file without its data: safetensors-file.ts `readSafetensorsHeaderFileSync`). */
export function parseSafetensorsHeaderOfFile(
  bytes: Uint8Array,
  fileLength: number,
  source: string,
): SafetensorsHeader {
  const fail = (problem: string): never => {
    throw new SafetensorsError(source, problem);
  };
  if (fileLength < 8)
    fail(`the file is ${fileLength} bytes, too short for the 8-byte header length`);
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 < 2n) fail(`the header length is ${n64} bytes; the smallest header, '{}', is 2`);
  if (n64 > BigInt(MAX_HEADER_BYTES))
    fail(`the header length is ${n64} bytes, more than the ${MAX_HEADER_BYTES}-byte limit`);
  const n = Number(n64);
  if (8 + n > fileLength)
    fail(
      `the header length is ${n} bytes but the file has only ${fileLength - 8} ` +
        `bytes after the length field`,
    );
  const dataStart = 8 + n;
  const dataLength = fileLength - dataStart;

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    return fail('the header is not valid UTF-8');
  }
  const keys = countJsonKeys(text);
  if (keys > MAX_HEADER_KEYS)
    fail(
      `the header has ${keys} JSON keys, more than the ${MAX_HEADER_KEYS} accepted ` +
        `(about ${MAX_HEADER_KEYS / 4} tensors)`,
    );
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`the header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    fail(`the header must be a JSON object, got ${describe(header)}`);
  }

  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null) continue;
      if (typeof info !== 'object' || Array.isArray(info))
        fail(`__metadata__ must be an object of strings, got ${describe(info)}`);
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== 'string')
          fail(`__metadata__ value '${quote(k)}' must be a string, got ${describe(v)}`);
        Object.defineProperty(metadata, k, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      continue;
    }
    entries.push(parseEntry(name, info, dataLength, fail));
  }

  // No overlaps and no holes: sorted by offset (a stable sort), each tensor starts where the
  // previous one ended and the last one ends with the file.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  sorted.forEach((e, i) => {
    const p = sorted[i - 1];
    if (e.begin < pos)
      fail(
        `tensors '${quote(p.name)}' ${fmtOffsets(p)} and '${quote(e.name)}' ` +
          `${fmtOffsets(e)} overlap`,
      );
    if (e.begin > pos)
      fail(`the data section has a hole: bytes [${pos}, ${e.begin}) belong to no tensor`);
    pos = e.end;
  });
  if (pos < dataLength)
    fail(
      `the data section has a hole: bytes [${pos}, ${dataLength}) at its end belong to no tensor`,
    );
  return { entries: sorted, metadata, dataStart };
}

function parseEntry(
  name: string,
  info: unknown,
  dataLength: number,
  fail: (p: string) => never,
): HeaderEntry {
  const what = `tensor '${quote(name)}'`;
  if (info === null || typeof info !== 'object' || Array.isArray(info)) {
    fail(`${what} must be an object with dtype, shape and data_offsets, got ${describe(info)}`);
  }
  for (const field of ['dtype', 'shape', 'data_offsets']) {
    if (!Object.prototype.hasOwnProperty.call(info, field)) fail(`${what} has no ${field}`);
  }
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (!isSafeDType(dtype)) {
    if (typeof dtype === 'string' && UNSUPPORTED_DTYPES.includes(dtype)) {
      fail(
        `${what} has dtype ${dtype}, which mini-dino does not read (supported: ` +
          `${Object.keys(ITEM_SIZE).join(', ')})`,
      );
    }
    fail(
      `${what} has unknown dtype ${describe(dtype)} ` +
        `(supported: ${Object.keys(ITEM_SIZE).join(', ')})`,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    fail(`${what} has shape ${describe(shape)}, which is not an array of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    fail(
      `${what} has data_offsets ${describe(offsets)}, which is not two ` +
        `non-negative integers [begin, end]`,
    );
  }
  const [begin, end] = offsets as number[];
  const e: HeaderEntry = { name, dtype: dtype as SafeDType, shape: shape as number[], begin, end };
  if (begin > end) fail(`${what} has data_offsets ${fmtOffsets(e)} with begin > end`);
  if (end > dataLength)
    fail(
      `${what} has data_offsets ${fmtOffsets(e)} beyond the data section, ` +
        `which is ${dataLength} bytes`,
    );
  const need = byteSize(e.shape, ITEM_SIZE[e.dtype]);
  if (need !== end - begin) {
    const needs = Number.isFinite(need)
      ? `${need} bytes`
      : `more than ${Number.MAX_SAFE_INTEGER} bytes`;
    fail(
      `${what} has data_offsets ${fmtOffsets(e)} but shape ${fmtShapeShort(e.shape)} ` +
        `of ${e.dtype} needs ${needs}`,
    );
  }
  return e;
}

/** Parses and decodes a whole file held in memory. */
export function parseSafetensors(bytes: Uint8Array, source = '<buffer>'): Safetensors {
  const { entries, metadata, dataStart } = parseSafetensorsHeader(bytes, source);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of entries) {
    const n = (e.end - e.begin) / ITEM_SIZE[e.dtype];
    const data = decode(e.dtype, bytes.subarray(dataStart + e.begin, dataStart + e.end), n);
    if (typeof data === 'string')
      throw new SafetensorsError(source, `tensor '${quote(e.name)}': ${data}`);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return { tensors, metadata };
}

/** What serializeSafetensors takes per tensor (dtype defaults from the array: F64, F32, I32). */
export interface TensorEntry {
  dtype?: WritableDType;
  shape: readonly number[];
  data: ArrayLike<number>;
}

export type TensorEntries =
  Map<string, TensorEntry> | Record<string, TensorEntry> | Iterable<readonly [string, TensorEntry]>;

/**
 * Serializes tensors (in the given order) and string metadata. Throws a SafetensorsError
 * naming the tensor for a shape / length mismatch, a value the dtype cannot hold, or a bad name.
 */
export function serializeSafetensors(
  entries: TensorEntries,
  metadata?: Record<string, string>,
  source = '<buffer>',
): Uint8Array {
  const fail = (problem: string): never => {
    throw new SafetensorsError(source, problem);
  };
  const list = toList(entries);
  const parts: string[] = [];
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string')
        fail(`metadata value '${quote(k)}' must be a string, got ${describe(v)}`);
    }
    parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  const seen = new Set<string>();
  const plan: { dtype: WritableDType; data: ArrayLike<number>; begin: number; end: number }[] = [];
  let offset = 0;
  for (const [name, entry] of list) {
    const what = `tensor '${quote(name)}'`;
    if (name === '__metadata__')
      fail(`a tensor cannot be named __metadata__ (the key is reserved)`);
    if (seen.has(name)) fail(`${what} appears twice`);
    seen.add(name);
    const dtype = entry.dtype ?? defaultDtype(entry.data);
    if (!['F64', 'F32', 'I64', 'I32'].includes(dtype))
      fail(`${what}: cannot write dtype ${describe(dtype)} (writable: F64, F32, I64, I32)`);
    if (!Array.isArray(entry.shape) || !entry.shape.every(isCount))
      fail(
        `${what} has shape ${describe(entry.shape)}, which is not an array ` +
          `of non-negative integers`,
      );
    const numel = entry.shape.reduce((a, b) => a * b, 1);
    if (numel !== entry.data.length)
      fail(
        `${what} has ${entry.data.length} elements but shape ${fmtShapeShort(entry.shape)} ` +
          `needs ${numel}`,
      );
    const bad = checkEncodable(dtype, entry.data);
    if (bad) fail(`${what}: ${bad}`);
    const end = offset + numel * ITEM_SIZE[dtype];
    const info = { dtype, shape: entry.shape, data_offsets: [offset, end] };
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(info)}`);
    plan.push({ dtype, data: entry.data, begin: offset, end });
    offset = end;
  }
  const header = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = Math.ceil(header.length / 8) * 8; // keeps the data section 8-byte aligned
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(header, 8);
  out.fill(0x20, 8 + header.length, 8 + padded);
  const dataStart = 8 + padded;
  for (const p of plan)
    encodeInto(p.dtype, p.data, out.subarray(dataStart + p.begin, dataStart + p.end));
  return out;
}

function toList(entries: TensorEntries): (readonly [string, TensorEntry])[] {
  if (entries instanceof Map) return [...entries];
  if (Symbol.iterator in entries) return [...(entries as Iterable<readonly [string, TensorEntry]>)];
  return Object.entries(entries as Record<string, TensorEntry>);
}

function defaultDtype(data: ArrayLike<number>): WritableDType {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Int32Array) return 'I32';
  return 'F64';
}

// ---- helpers

/** The number of object keys in a JSON text (the colons outside strings), in one linear scan. */
function countJsonKeys(text: string): number {
  let n = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x3a) n++;
  }
  return n;
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** numel · itemsize, or Infinity when it exceeds 2^53 (no hang for absurd shapes). */
function byteSize(shape: readonly number[], itemSize: number): number {
  if (shape.includes(0)) return 0;
  let n = itemSize;
  for (const d of shape) {
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) return Infinity;
  }
  return n;
}

function fmtOffsets(e: HeaderEntry): string {
  return `[${e.begin}, ${e.end}]`;
}

function fmtShapeShort(shape: readonly number[]): string {
  return shape.length <= 8
    ? `[${shape.join(', ')}]`
    : `[${shape.slice(0, 8).join(', ')}, … (${shape.length} dims)]`;
}

/** A JSON value for a message, cut to 80 characters. */
function describe(x: unknown): string {
  let s: string;
  try {
    s = x === undefined ? 'nothing' : JSON.stringify(x);
  } catch {
    s = String(x);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** A tensor name for a message: control characters escaped, cut to 100 characters. */
function quote(name: string): string {
  const s = JSON.stringify(name).slice(1, -1);
  return s.length > 100 ? `${s.slice(0, 97)}...` : s;
}
