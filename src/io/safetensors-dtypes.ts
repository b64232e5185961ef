// safetensors element types: their sizes, decoding raw little-endian bytes into JS typed arrays,
// and encoding typed arrays back into bytes. Used by src/io/safetensors.ts.
// Reference: the safetensors format, https://github.com/huggingface/safetensors (dtype list in
// safetensors/src/tensor.rs). F16 and BF16 follow IEEE 754 binary16 and bfloat16 (the upper 16
// bits of a float32). The float8 types are known to the format but not read here.

/** The element types mini-dino reads (the format also has F8_E4M3 / F8_E5M2, not supported). */
export type SafeDType =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U64'
  | 'U32'
  | 'U16'
  | 'U8'
  | 'BOOL';

/** The element types mini-dino writes. */
export type WritableDType = 'F64' | 'F32' | 'I64' | 'I32';

/**
 * What a dtype decodes to: floats of up to 32 bits as Float32Array, F64 as Float64Array,
 * integers of up to 32 bits (signed) or 16 bits (unsigned) and BOOL (0/1) as Int32Array, and
 * I64 / U64 / U32 as Float64Array (exact: 64-bit values beyond ±2^53 are rejected, not rounded).
 */
export type DecodedArray = Float32Array | Float64Array | Int32Array;

/** Bytes per element. */
export const ITEM_SIZE: Readonly<Record<SafeDType, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
};

/** In the format but not readable by mini-dino (reported as such rather than as unknown). */
export const UNSUPPORTED_DTYPES: readonly string[] = [
  'F8_E4M3',
  'F8_E5M2',
  'F8_E8M0',
  'F4',
  'F6_E2M3',
  'F6_E3M2',
  'C64',
];

export function isSafeDType(x: unknown): x is SafeDType {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(ITEM_SIZE, x);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** IEEE binary16 bits -> number (subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Decodes `n` elements of `dtype` from `bytes` (exactly n · itemsize bytes, already validated).
 * Returns an error message instead of throwing, so the caller can name the file and tensor.
 */
export function decode(dtype: SafeDType, bytes: Uint8Array, n: number): DecodedArray | string {
  if (LITTLE_ENDIAN && (dtype === 'F32' || dtype === 'F64' || dtype === 'I32')) {
    // a fresh, aligned copy (Uint8Array.prototype.slice: on a Node Buffer, .slice() is a view)
    const copy = Uint8Array.prototype.slice.call(bytes);
    if (dtype === 'F32') return new Float32Array(copy.buffer, 0, n);
    if (dtype === 'F64') return new Float64Array(copy.buffer, 0, n);
    return new Int32Array(copy.buffer, 0, n);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F64':
      return fill(new Float64Array(n), (i) => v.getFloat64(8 * i, true));
    case 'F32':
      return fill(new Float32Array(n), (i) => v.getFloat32(4 * i, true));
    case 'F16':
      return fill(new Float32Array(n), (i) => halfToFloat(v.getUint16(2 * i, true)));
    case 'BF16': {
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = v.getUint16(2 * i, true) << 16;
      return new Float32Array(bits.buffer);
    }
    case 'I32':
      return fill(new Int32Array(n), (i) => v.getInt32(4 * i, true));
    case 'I16':
      return fill(new Int32Array(n), (i) => v.getInt16(2 * i, true));
    case 'I8':
      return fill(new Int32Array(n), (i) => v.getInt8(i));
    case 'U16':
      return fill(new Int32Array(n), (i) => v.getUint16(2 * i, true));
    case 'U8':
      return fill(new Int32Array(n), (i) => v.getUint8(i));
    case 'BOOL':
      return fill(new Int32Array(n), (i) => (v.getUint8(i) === 0 ? 0 : 1));
    case 'U32':
      return fill(new Float64Array(n), (i) => v.getUint32(4 * i, true));
    case 'I64':
    case 'U64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const x = dtype === 'I64' ? v.getBigInt64(8 * i, true) : v.getBigUint64(8 * i, true);
        if (x > BigInt(Number.MAX_SAFE_INTEGER) || x < BigInt(Number.MIN_SAFE_INTEGER)) {
          return (
            `element ${i} of ${dtype} is ${x}, beyond the ±2^53 that a JS number ` + `holds exactly`
          );
        }
        out[i] = Number(x);
      }
      return out;
    }
  }
}

function fill<A extends DecodedArray>(out: A, at: (i: number) => number): A {
  for (let i = 0; i < out.length; i++) out[i] = at(i);
  return out;
}

/** Checks that `data` can be stored as `dtype`; returns an error message or null. */
export function checkEncodable(dtype: WritableDType, data: ArrayLike<number>): string | null {
  if (dtype === 'F32' || dtype === 'F64') return null;
  const [lo, hi] =
    dtype === 'I32'
      ? [-(2 ** 31), 2 ** 31 - 1]
      : [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (!Number.isInteger(x) || x < lo || x > hi)
      return `element ${i} is ${x}, not an integer in [${lo}, ${hi}] as ${dtype} needs`;
  }
  return null;
}

/** Writes `data` as little-endian `dtype` into `out` (exactly data.length · itemsize bytes). */
export function encodeInto(dtype: WritableDType, data: ArrayLike<number>, out: Uint8Array): void {
  const n = data.length;
  if (LITTLE_ENDIAN && dtype !== 'I64') {
    const arr =
      dtype === 'F64'
        ? new Float64Array(n)
        : dtype === 'F32'
          ? new Float32Array(n)
          : new Int32Array(n);
    if (ArrayBuffer.isView(data)) arr.set(data as unknown as ArrayLike<number>);
    else for (let i = 0; i < n; i++) arr[i] = data[i];
    out.set(new Uint8Array(arr.buffer));
    return;
  }
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < n; i++) {
    if (dtype === 'F64') v.setFloat64(8 * i, data[i], true);
    else if (dtype === 'F32') v.setFloat32(4 * i, data[i], true);
    else if (dtype === 'I32') v.setInt32(4 * i, data[i], true);
    else v.setBigInt64(8 * i, BigInt(data[i]), true);
  }
}
