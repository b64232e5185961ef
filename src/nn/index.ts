// mini-dino/nn: modules with the official DINO state-dict names (Module, Linear, LayerNorm, the
// Vision Transformer), their initialisation, AdamW with the official parameter groups and the
// schedules. Every public name is listed here (pinned by test/repo/public-api.test.ts).

export { Module, buffer, parameter, type LoadReport, type ModuleOptions } from './module.js';
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
export { posEmbedInterpolationMatrix } from './pos-embed.js';
export {
  AdamW,
  clipGradients,
  getParamsGroups,
  type AdamWOptions,
  type ParamGroup,
} from './optim.js';
export { cosineScheduler, teacherTempSchedule } from './schedules.js';
