// The `dino` namespace of mini-dino/browser: the method without files. The same names as the
// Node namespace (src/dino/index.ts) except the CLI's training loop, which writes logs and
// checkpoint files (trainDino; a browser loop uses trainStep and epoch.ts as trainer.ts does),
// the file wrappers of checkpoints (use checkpointBytes and checkpointFromSafetensors) and the
// attention PNG files. test/repo/public-api.test.ts checks that this list stays a subset.

// model
export { DINOHead, WeightNormLinear, type DINOHeadConfig } from '../dino/head.js';
export { MultiCropWrapper } from '../dino/multicrop.js';
// loss, center and teacher
export { Center, DINOLoss, type DINOLossOptions, type DINOLossOutput } from '../dino/loss.js';
export { cancelGradientsLastLayer, emaUpdate, initTeacher } from '../dino/teacher.js';
// augmentation
export {
  DataAugmentationDINO,
  EvalTransform,
  OFFICIAL_AUGMENT,
  augmentOptionsFor,
  type AugmentOptions,
  type EvalTransformOptions,
  type Interval,
} from '../dino/augment/index.js';
// configuration and training
export { defaultConfig, type DinoConfig } from '../dino/config.js';
export { validateConfig } from '../dino/config-validate.js';
export { buildDino, type DinoRun, type Schedules } from '../dino/build.js';
export {
  NonFiniteLossError,
  hyperAt,
  trainStep,
  type StepHyper,
  type StepMetrics,
  type StepObserver,
  type StepPhase,
  type StepTensors,
} from '../dino/train-step.js';
export { epochOrder } from '../dino/epoch.js';
// checkpoints, as bytes
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
} from '../dino/checkpoint.js';
// evaluation
export { extractFeatures, type FeatureOptions } from '../dino/features.js';
export {
  backboneKnn,
  knnClassify,
  type FeatureSet,
  type KnnOptions,
  type KnnResult,
} from '../dino/knn.js';
export {
  knnBaselines,
  linearBaselines,
  type BaselineOptions,
  type Baselines,
  type LinearBaselineOptions,
  type LinearBaselines,
} from '../dino/baselines.js';
export {
  attentionMaps,
  prepareImage,
  type AttentionMaps,
  type PrepareImageOptions,
} from '../dino/attention-maps.js';
