// The `io` namespace of mini-dino/browser: safetensors from and to bytes, conversion to and
// from tensors, official DINO key prefixes (the Node namespace, src/io/index.ts, adds files).

export {
  renameKeys,
  safetensorsFromTensors,
  safetensorsFromTensorsAsync,
  stripPrefixes,
  tensorsFromSafetensors,
  type FromSafetensorsOptions,
  type StripOptions,
  type StripResult,
  type ToSafetensorsOptions,
} from '../io/convert.js';
export {
  SafetensorsError,
  parseSafetensors,
  serializeSafetensors,
  type SafeDType,
  type Safetensors,
  type SafetensorsTensor,
  type TensorEntries,
  type TensorEntry,
} from '../io/safetensors.js';
