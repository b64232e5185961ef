// The io layer: safetensors reading and writing (validated, atomic), conversion to and from
// mini-dino tensors, official DINO checkpoint key prefixes, and the PyTorch parity fixtures.
// References: https://github.com/huggingface/safetensors (format); test/nn/vit.test.ts (key names);
// test/fixtures/README.md (the `mini-dino-oracle-v1` fixture format).

export {
  atomicTempTarget,
  copyFileAtomicSync,
  isTempFileOf,
  tempPathFor,
  writeFileAtomic,
  writeFileAtomicSync,
} from './atomic.js';
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
} from './convert.js';
export {
  ORACLE_FORMAT,
  type OracleConfig,
  type OracleFixture,
  OracleFixtureError,
  loadOracleFixture,
  loadOracleFixtureSync,
  parseOracleFixture,
} from './oracle.js';
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
  readSafetensorsFile,
  readSafetensorsFileSync,
  readSafetensorsHeaderFileSync,
  serializeSafetensors,
  writeSafetensorsFile,
  writeSafetensorsFileSync,
} from './safetensors.js';
