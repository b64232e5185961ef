// The `io` namespace of mini-dino/browser: safetensors from and to bytes, conversion to and
// from tensors, official DINO key prefixes (the Node namespace, src/io/index.ts, adds files).

export {
  type FromSafetensorsOptions,
  type StripOptions,
  type StripResult,
  type ToSafetensorsOptions,
  renameKeys,
  safetensorsFromTensors,
  safetensorsFromTensorsAsync,
  stripPrefixes,
  tensorsFromSafetensors,
} from '../io/convert.js';
export {
  type DecodedArray,
  type HeaderEntry,
  MAX_HEADER_BYTES,
  MAX_HEADER_KEYS,
  type SafeDType,
  type Safetensors,
  SafetensorsError,
  type SafetensorsHeader,
  type SafetensorsTensor,
  type TensorEntries,
  type TensorEntry,
  type WritableDType,
  parseSafetensors,
  parseSafetensorsHeader,
  serializeSafetensors,
} from '../io/safetensors.js';
