// mini-dino/dino: the method. The model (DINOHead, MultiCropWrapper), the loss and its center,
// the EMA teacher, multi-crop augmentation, the configuration, the training step and loop,
// checkpoints, weighted k-NN and attention maps. Tooling (benchmarks, the PyTorch parity check,
// the CLI's helpers) is not part of it: the CLI and bench/ import those files directly. Every
// public name is listed here (pinned by test/repo/public-api.test.ts); mini-dino/browser's
// `dino` (src/browser/dino.ts) is the same list without the functions that use files.

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
  augmentOptionsFor,
  type AugmentOptions,
  type EvalTransformOptions,
  type Interval,
} from './augment/index.js';
// configuration and training
export { defaultConfig, type DinoConfig } from './config.js';
export { validateConfig } from './config-validate.js';
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
export { epochOrder, type EpochRecord } from './epoch.js';
export { trainDino, type StepProgress, type TrainOptions, type TrainResult } from './trainer.js';
// checkpoints, as bytes and as files
export {
  CheckpointError,
  backboneFromSafetensors,
  checkpointBytes,
  checkpointFromSafetensors,
  restoreRun,
  type CheckpointMeta,
  type LoadBackboneOptions,
  type LoadedBackbone,
  type LoadedCheckpoint,
  type Normalization,
} from './checkpoint.js';
export { loadBackbone, loadCheckpoint, saveCheckpoint } from './checkpoint-file.js';
// evaluation
export { extractFeatures, type FeatureOptions } from './features.js';
export {
  backboneKnn,
  knnClassify,
  type FeatureSet,
  type KnnOptions,
  type KnnResult,
} from './knn.js';
export {
  knnBaselines,
  linearBaselines,
  type BaselineOptions,
  type Baselines,
  type LinearBaselineOptions,
  type LinearBaselines,
} from './baselines.js';
export {
  attentionMaps,
  prepareImage,
  type AttentionMaps,
  type PrepareImageOptions,
} from './attention-maps.js';
export { writeAttentionPngs, type AttentionPngOptions } from './attention-png.js';
