// The `dino` namespace of mini-dino/browser: the method without files. Everything of the Node
// namespace (src/dino/index.ts) except the CLI's training loop, which writes logs and checkpoint
// files (trainer.ts; a browser loop uses trainStep and epoch.ts as trainer.ts does), the file
// wrappers of checkpoints (checkpoint-file.ts: use checkpointBytes and checkpointFromSafetensors)
// and the PyTorch parity fixtures (files).

export * from '../dino/augment/index.js';
export {
  attentionMaps,
  convertChannels,
  prepareImage,
  thresholdMask,
  viridis,
  type AttentionMaps,
  type PrepareImageOptions,
} from '../dino/attention-maps.js';
export {
  knnBaselines,
  pixelFeatures,
  type BaselineOptions,
  type Baselines,
} from '../dino/baselines.js';
export {
  BENCH_CONFIGS,
  benchConfig,
  benchStep,
  type BenchConfigName,
  type StepBenchResult,
} from '../dino/bench-step.js';
export {
  buildDino,
  buildSchedules,
  buildWrapper,
  type DinoRun,
  type Schedules,
} from '../dino/build.js';
export {
  CHECKPOINT_FORMAT,
  CheckpointError,
  backboneFromSafetensors,
  checkpointBytes,
  checkpointFromSafetensors,
  restoreRun,
  type CheckpointMeta,
  type DatasetFingerprint,
  type LoadBackboneOptions,
  type LoadedBackbone,
  type LoadedCheckpoint,
  type Normalization,
} from '../dino/checkpoint.js';
export {
  CONFIG_FIELDS,
  archOf,
  defaultConfig,
  kebab,
  validateConfig,
  type ConfigKey,
  type DinoConfig,
  type FieldGroup,
  type FieldSpec,
  type FieldType,
} from '../dino/config.js';
export {
  augmentOptionsFor,
  backboneKnn,
  epochOrder,
  evaluateKnn,
  normalizationOf,
} from '../dino/epoch.js';
export { extractFeatures, type FeatureOptions } from '../dino/features.js';
export { DINOHead, WeightNormLinear, type DINOHeadConfig } from '../dino/head.js';
export {
  knnClassify,
  normalizeRows,
  topK,
  type FeatureSet,
  type KnnOptions,
  type KnnResult,
} from '../dino/knn.js';
export { Center, DINOLoss, type DINOLossOptions, type DINOLossOutput } from '../dino/loss.js';
export { MultiCropWrapper } from '../dino/multicrop.js';
export { cancelGradientsLastLayer, emaUpdate, initTeacher } from '../dino/teacher.js';
export {
  NonFiniteLossError,
  hyperAt,
  trainStep,
  type StepHyper,
  type StepMetrics,
  type StepOptions,
  type StepTensors,
  type StepTimings,
} from '../dino/train-step.js';
