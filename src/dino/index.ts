// mini-dino/dino: the method. The model (DINOHead, MultiCropWrapper), the loss and its center,
// the EMA teacher, multi-crop augmentation, the configuration, the training step and loop,
// checkpoints, weighted k-NN and attention maps. Tooling (benchmarks, the PyTorch parity check,
// the CLI's helpers) is not part of it: the CLI and bench/ import those files directly. Every
// public name is listed here (pinned by test/repo/public-api.test.ts).

// model
export { DINOHead, WeightNormLinear, type DINOHeadConfig } from './head.js';
export { MultiCropWrapper } from './multicrop.js';
// loss, center and teacher
export { Center, DINOLoss, type DINOLossOptions, type DINOLossOutput } from './loss.js';
export { cancelGradientsLastLayer, emaUpdate, initTeacher } from './teacher.js';
// augmentation
export {
  DataAugmentationDINO,
  EvalTransform,
  OFFICIAL_AUGMENT,
  type AugmentOptions,
  type EvalTransformOptions,
  type Interval,
} from './augment/index.js';
// configuration and training
export { defaultConfig, validateConfig, type DinoConfig } from './config.js';
export { buildDino, type DinoRun, type Schedules } from './build.js';
export {
  NonFiniteLossError,
  hyperAt,
  trainStep,
  type StepHyper,
  type StepMetrics,
  type StepObserver,
  type StepPhase,
  type StepTensors,
} from './train-step.js';
export {
  trainDino,
  type EpochRecord,
  type StepProgress,
  type TrainOptions,
  type TrainResult,
} from './trainer.js';
export {
  CheckpointError,
  loadBackbone,
  loadCheckpoint,
  restoreRun,
  saveCheckpoint,
  type CheckpointMeta,
  type LoadBackboneOptions,
  type LoadedBackbone,
  type LoadedCheckpoint,
  type Normalization,
} from './checkpoint.js';
// evaluation
export { extractFeatures, type FeatureOptions } from './features.js';
export { knnClassify, type FeatureSet, type KnnOptions, type KnnResult } from './knn.js';
export { knnBaselines, type BaselineOptions, type Baselines } from './baselines.js';
export {
  attentionMaps,
  prepareImage,
  writeAttentionPngs,
  type AttentionMaps,
  type AttentionPngOptions,
  type PrepareImageOptions,
} from './attention-maps.js';
