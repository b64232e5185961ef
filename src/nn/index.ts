// mini-dino/nn: modules with the official DINO state-dict names, AdamW, schedules.

export {
  Module,
  buffer,
  copyInto,
  describeReport,
  isParameter,
  parameter,
  type LoadReport,
  type ModuleOptions,
} from './module.js';
export { GELU, LayerNorm, Linear, type LinearOptions } from './layers.js';
export { constantInit, torchDefaultInit, truncNormalInit } from './init.js';
export { Attention, Block, Mlp, type BlockOptions } from './transformer.js';
export {
  PatchEmbed,
  VisionTransformer,
  vit_base,
  vit_small,
  vit_tiny,
  type ViTConfig,
} from './vit.js';
export { bicubicMatrix, posEmbedInterpolationMatrix } from './pos-embed.js';
export {
  AdamW,
  clipGradients,
  getParamsGroups,
  type AdamWOptions,
  type ParamGroup,
} from './optim.js';
export { cosineScheduler, linspace, teacherTempSchedule } from './schedules.js';
