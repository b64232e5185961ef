// DINO's multi-crop data augmentation (main_dino.py DataAugmentationDINO; paper §3.1) and the
// evaluation transform, on uint8 images from src/data, with PIL-exact pixel operations:
// bicubic resize (resize.ts), Gaussian blur (blur.ts), colour ops (color.ts), crop boxes
// (crop.ts), options and official values (options.ts), the batched pipeline (pipeline.ts).

export {
  OFFICIAL_AUGMENT,
  augmentOptionsFor,
  validateAugmentOptions,
  type AugmentOptions,
  type Interval,
} from './options.js';
export {
  DataAugmentationDINO,
  EvalTransform,
  type CropRecord,
  type EvalTransformOptions,
  type JitterOp,
} from './pipeline.js';
export { randomResizedCropBox, roundHalfEven, type CropBox } from './crop.js';
export { BicubicResizer, bicubicCoeffs, type AxisCoeffs } from './resize.js';
export { GaussianBlurPIL, boxRadiusForGaussian } from './blur.js';
export { ColorOps, flipHorizontal, grayscale, luma, solarize } from './color.js';
