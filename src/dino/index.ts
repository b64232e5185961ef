// mini-dino/dino: the method. DINOHead, MultiCropWrapper, DINOLoss + Center, the EMA teacher,
// multi-crop augmentation, the configuration, the training step and loop, checkpoints, weighted
// k-NN, attention maps, PyTorch parity. (mini-dino/browser has the same without files.)

export * from './augment/index.js';
export {
  attentionMaps,
  convertChannels,
  prepareImage,
  thresholdMask,
  viridis,
  type AttentionMaps,
  type PrepareImageOptions,
} from './attention-maps.js';
export { writeAttentionPngs, type AttentionPngOptions } from './attention-png.js';
export { knnBaselines, pixelFeatures, type BaselineOptions, type Baselines } from './baselines.js';
export {
  BENCH_CONFIGS,
  benchConfig,
  benchStep,
  type BenchConfigName,
  type StepBenchResult,
} from './bench-step.js';
export { buildDino, buildSchedules, buildWrapper, type DinoRun, type Schedules } from './build.js';
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
} from './checkpoint.js';
export {
  loadBackbone,
  loadCheckpoint,
  readCheckpointInfo,
  saveCheckpoint,
} from './checkpoint-file.js';
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
} from './config.js';
export { extractFeatures, type FeatureOptions } from './features.js';
export { DINOHead, WeightNormLinear, type DINOHeadConfig } from './head.js';
export {
  knnClassify,
  normalizeRows,
  topK,
  type FeatureSet,
  type KnnOptions,
  type KnnResult,
} from './knn.js';
export { Center, DINOLoss, type DINOLossOptions, type DINOLossOutput } from './loss.js';
export { MultiCropWrapper } from './multicrop.js';
export {
  FLOAT32_TOLERANCES,
  FLOAT64_TOLERANCES,
  configFromOracle,
  runParity,
  wrapperKey,
  type ParityGroup,
  type ParityResult,
} from './parity.js';
export { cancelGradientsLastLayer, emaUpdate, initTeacher } from './teacher.js';
export {
  NonFiniteLossError,
  hyperAt,
  trainStep,
  type StepHyper,
  type StepMetrics,
  type StepOptions,
  type StepTensors,
  type StepTimings,
} from './train-step.js';
export {
  augmentOptionsFor,
  backboneKnn,
  epochOrder,
  evaluateKnn,
  normalizationOf,
} from './epoch.js';
export {
  readLog,
  trainDino,
  type EpochRecord,
  type StepProgress,
  type TrainOptions,
  type TrainResult,
} from './trainer.js';
