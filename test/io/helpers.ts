// Shared helpers for the io tests: raw safetensors files built byte by byte (to make malformed
// ones), and fast-check arbitraries for writable tensors and metadata.
// Format: https://github.com/huggingface/safetensors.
import fc from 'fast-check';
import type { WritableDType } from '../../src/io/safetensors.js';

/** 8-byte little-endian length (the header's own unless `headerLength` is given), header, data. */
export function rawFile(
  header: object | string | Uint8Array,
  data: Uint8Array | number,
  headerLength?: number,
): Uint8Array {
  const h =
    header instanceof Uint8Array
      ? header
      : new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const d = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + h.length + d.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength ?? h.length), true);
  out.set(h, 8);
  out.set(d, 8 + h.length);
  return out;
}

export interface TestEntry {
  dtype: WritableDType;
  shape: number[];
  data: Float32Array | Float64Array | number[];
}

const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });

/** A writable tensor: dtype, shape with up to 4 dims of size 0..4, values the dtype holds. */
export const entryArb: fc.Arbitrary<TestEntry> = fc
  .tuple(fc.constantFrom<WritableDType>('F32', 'F64', 'I32', 'I64'), shapeArb)
  .chain(([dtype, shape]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const el =
      dtype === 'I32'
        ? fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
        : dtype === 'I64'
          ? fc.maxSafeInteger()
          : fc.double();
    return fc.array(el, { minLength: n, maxLength: n }).map((vals) => ({
      dtype,
      shape,
      data:
        dtype === 'F32'
          ? Float32Array.from(vals)
          : dtype === 'F64'
            ? Float64Array.from(vals)
            : vals,
    }));
  });

export const metadataArb = fc.dictionary(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  { maxKeys: 4 },
);
