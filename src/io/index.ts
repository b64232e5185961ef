// mini-dino/io: safetensors reading and writing (validated; files written atomically) and the
// conversion to and from mini-dino tensors, with the key prefixes of official DINO checkpoints.
// References: https://github.com/huggingface/safetensors (format); the official
// utils.load_pretrained_weights (prefixes). Every public name is listed here (pinned by
// test/repo/public-api.test.ts); mini-dino/browser's `io` is the same without files.

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
} from './convert.js';
export {
  SafetensorsError,
  parseSafetensors,
  serializeSafetensors,
  type SafeDType,
  type Safetensors,
  type SafetensorsTensor,
  type TensorEntries,
  type TensorEntry,
} from './safetensors.js';
export {
  readSafetensorsFile,
  readSafetensorsFileSync,
  writeSafetensorsFile,
  writeSafetensorsFileSync,
} from './safetensors-file.js';
