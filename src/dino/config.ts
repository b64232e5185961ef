// The one typed DINO configuration: every default lives here, with the official default, the
// paper value where it differs, and the reason for ours. CLI help (`mini-dino train --help`) and
// the README table are generated from these entries, so they cannot drift (the official repo's
// help says 30 for warmup_teacher_temp_epochs where the default is 0).
//
// Our defaults are the README recipe for a laptop: a small ViT (patch 7, dim 64, depth 4) on
// 28 px Fashion-MNIST, trained for minutes on a CPU. Each field's `official` is what
// facebookresearch/dino main_dino.py get_args_parser uses.

export type FieldType = 'int' | 'float' | 'bool' | 'enum' | 'floatPair' | 'floatList' | 'intList';
export type FieldGroup = 'model' | 'head' | 'loss' | 'optimization' | 'augmentation' | 'run';

export interface FieldSpec<T> {
  type: FieldType;
  group: FieldGroup;
  default: T;
  /** The official main_dino.py default (or 'hard-coded …'). */
  official: string;
  /** The paper's value where it differs from the official default. */
  paper?: string;
  /** One line: what it is and why our default. */
  doc: string;
  /** The official snake_case flag name, accepted by the CLI. */
  flag: string;
  values?: readonly string[];
  min?: number;
  max?: number;
  /** Length of a list value (pairs are 2). */
  length?: number;
}

const field = <T>(s: FieldSpec<T>): FieldSpec<T> => s;

export const CONFIG_FIELDS = {
  // ---- model
  arch: field<'custom' | 'vit_tiny' | 'vit_small' | 'vit_base'>({
    type: 'enum',
    group: 'model',
    flag: 'arch',
    values: ['custom', 'vit_tiny', 'vit_small', 'vit_base'],
    default: 'custom',
    official: 'vit_small',
    doc: 'backbone; custom uses embed_dim/depth/num_heads below (the named ViTs have depth 12)',
  }),
  patchSize: field<number>({
    type: 'int',
    group: 'model',
    flag: 'patch_size',
    min: 1,
    default: 7,
    official: '16',
    doc: 'ViT patch size; 7 cuts a 28 px crop into a 4×4 grid',
  }),
  embedDim: field<number>({
    type: 'int',
    group: 'model',
    flag: 'embed_dim',
    min: 1,
    default: 64,
    official: '384 (vit_small)',
    doc: 'token dimension D of a custom ViT',
  }),
  depth: field<number>({
    type: 'int',
    group: 'model',
    flag: 'depth',
    min: 1,
    max: 10_000,
    default: 4,
    official: '12',
    doc: 'number of transformer blocks of a custom ViT',
  }),
  numHeads: field<number>({
    type: 'int',
    group: 'model',
    flag: 'num_heads',
    min: 1,
    default: 4,
    official: '6 (vit_small)',
    doc: 'attention heads of a custom ViT (D must divide)',
  }),
  mlpRatio: field<number>({
    type: 'float',
    group: 'model',
    flag: 'mlp_ratio',
    min: 0,
    default: 4,
    official: '4',
    doc: 'MLP hidden size as a multiple of D',
  }),
  dropPathRate: field<number>({
    type: 'float',
    group: 'model',
    flag: 'drop_path_rate',
    min: 0,
    max: 1,
    default: 0,
    official: '0.1',
    doc:
      'stochastic depth of the student (linear in depth; the teacher has ' +
      'none); 0 as the PyTorch yardstick of the recipe',
  }),

  // ---- head
  outDim: field<number>({
    type: 'int',
    group: 'head',
    flag: 'out_dim',
    min: 1,
    default: 1024,
    official: '65536',
    doc:
      'K, dimension of the DINO head output; 1024 converges fast on small ' +
      'data (official issue #279)',
  }),
  headHiddenDim: field<number>({
    type: 'int',
    group: 'head',
    flag: 'head_hidden_dim',
    min: 1,
    default: 256,
    official: 'hard-coded 2048',
    doc: 'hidden width of the head MLP, scaled to D = 64',
  }),
  headBottleneckDim: field<number>({
    type: 'int',
    group: 'head',
    flag: 'head_bottleneck_dim',
    min: 1,
    default: 64,
    official: 'hard-coded 256',
    doc: 'bottleneck before the L2-normalised last layer',
  }),
  headLayers: field<number>({
    type: 'int',
    group: 'head',
    flag: 'head_nlayers',
    min: 1,
    max: 100,
    default: 3,
    official: 'hard-coded 3',
    doc: 'Linear layers in the head MLP',
  }),
  normLastLayer: field<boolean>({
    type: 'bool',
    group: 'head',
    flag: 'norm_last_layer',
    default: true,
    official: 'true',
    paper: 'false in the "boosted" ViT-S recipe',
    doc: 'freeze weight_g = 1 so logits are cosine similarities (more stable, official issue #126)',
  }),

  // ---- loss
  studentTemp: field<number>({
    type: 'float',
    group: 'loss',
    flag: 'student_temp',
    min: 0,
    default: 0.1,
    official: 'hard-coded 0.1',
    doc: 'τ_s of the student softmax',
  }),
  teacherTemp: field<number>({
    type: 'float',
    group: 'loss',
    flag: 'teacher_temp',
    min: 0,
    default: 0.04,
    official: '0.04',
    paper: '0.04 → 0.07 over 30 epochs',
    doc: 'τ_t after warm-up: sharpening (above 0.07 is usually unstable)',
  }),
  warmupTeacherTemp: field<number>({
    type: 'float',
    group: 'loss',
    flag: 'warmup_teacher_temp',
    min: 0,
    default: 0.04,
    official: '0.04',
    doc: 'τ_t at the start of the warm-up',
  }),
  warmupTeacherTempEpochs: field<number>({
    type: 'int',
    group: 'loss',
    flag: 'warmup_teacher_temp_epochs',
    min: 0,
    default: 0,
    official: '0 (its help text wrongly says 30)',
    paper: '30',
    doc: 'epochs of linear τ_t warm-up (per epoch, inclusive)',
  }),
  centerMomentum: field<number>({
    type: 'float',
    group: 'loss',
    flag: 'center_momentum',
    min: 0,
    max: 1,
    default: 0.9,
    official: 'hard-coded 0.9',
    doc: 'EMA momentum of the center',
  }),

  // ---- optimization
  batchSize: field<number>({
    type: 'int',
    group: 'optimization',
    flag: 'batch_size_per_gpu',
    min: 1,
    default: 64,
    official: '64 per GPU',
    doc: 'images per step',
  }),
  epochs: field<number>({
    type: 'int',
    group: 'optimization',
    flag: 'epochs',
    min: 1,
    default: 9,
    official: '100',
    paper: '300-800',
    doc: 'passes over the training set (6 left seeds 0 and 6 at the edge of learning: README)',
  }),
  lr: field<number>({
    type: 'float',
    group: 'optimization',
    flag: 'lr',
    min: 0,
    default: 0.008,
    official: '0.0005',
    doc: 'base learning rate at batch 256; peak = lr·batch/256 (2e-3 at batch 64)',
  }),
  minLr: field<number>({
    type: 'float',
    group: 'optimization',
    flag: 'min_lr',
    min: 0,
    default: 1e-6,
    official: '1e-6',
    doc: 'learning rate at the end of the cosine',
  }),
  warmupEpochs: field<number>({
    type: 'float',
    group: 'optimization',
    flag: 'warmup_epochs',
    min: 0,
    default: 0.5,
    official: '10',
    doc: 'linear lr warm-up in epochs (fractions allowed); short runs need a short warm-up',
  }),
  weightDecay: field<number>({
    type: 'float',
    group: 'optimization',
    flag: 'weight_decay',
    min: 0,
    default: 0.04,
    official: '0.04',
    doc: 'weight decay at the start (cosine schedule)',
  }),
  weightDecayEnd: field<number>({
    type: 'float',
    group: 'optimization',
    flag: 'weight_decay_end',
    min: 0,
    default: 0.4,
    official: '0.4',
    doc: 'weight decay at the end',
  }),
  clipGrad: field<number>({
    type: 'float',
    group: 'optimization',
    flag: 'clip_grad',
    min: 0,
    default: 3,
    official: '3.0',
    doc: 'per-tensor gradient norm clip (0 disables)',
  }),
  freezeLastLayer: field<number>({
    type: 'int',
    group: 'optimization',
    flag: 'freeze_last_layer',
    min: 0,
    default: 0,
    official: '1',
    doc: "epochs during which the head's last layer is not updated; 0 for runs of a few epochs",
  }),
  momentumTeacher: field<number>({
    type: 'float',
    group: 'optimization',
    flag: 'momentum_teacher',
    min: 0,
    max: 1,
    default: 0.98,
    official: '0.996',
    doc: 'base teacher EMA momentum (cosine to 1); lower for short runs with few steps',
  }),

  // ---- augmentation
  globalCropSize: field<number>({
    type: 'int',
    group: 'augmentation',
    flag: 'global_crop_size',
    min: 1,
    max: 4096,
    default: 28,
    official: 'hard-coded 224',
    doc: 'side of the 2 global crops (also the pos_embed grid)',
  }),
  globalCropsScale: field<[number, number]>({
    type: 'floatPair',
    group: 'augmentation',
    flag: 'global_crops_scale',
    length: 2,
    min: 0,
    max: 1,
    default: [0.4, 1],
    official: '(0.4, 1.0)',
    doc: 'area fraction range of the global crops',
  }),
  localCropsNumber: field<number>({
    type: 'int',
    group: 'augmentation',
    flag: 'local_crops_number',
    min: 0,
    max: 1000,
    default: 4,
    official: '8',
    doc: 'number of local crops (0 disables multi-crop)',
  }),
  localCropSize: field<number>({
    type: 'int',
    group: 'augmentation',
    flag: 'local_crop_size',
    min: 1,
    max: 4096,
    default: 14,
    official: 'hard-coded 96',
    doc: 'side of the local crops',
  }),
  localCropsScale: field<[number, number]>({
    type: 'floatPair',
    group: 'augmentation',
    flag: 'local_crops_scale',
    length: 2,
    min: 0,
    max: 1,
    default: [0.05, 0.4],
    official: '(0.05, 0.4)',
    doc: 'area fraction range of the local crops',
  }),
  colorJitterProb: field<number>({
    type: 'float',
    group: 'augmentation',
    flag: 'color_jitter_prob',
    min: 0,
    max: 1,
    default: 0.8,
    official: 'hard-coded 0.8',
    doc: 'probability of colour jitter per crop',
  }),
  brightness: field<number>({
    type: 'float',
    group: 'augmentation',
    flag: 'brightness',
    min: 0,
    default: 0.4,
    official: 'hard-coded 0.4',
    doc: 'brightness factor range 1 ± this',
  }),
  contrast: field<number>({
    type: 'float',
    group: 'augmentation',
    flag: 'contrast',
    min: 0,
    default: 0.4,
    official: 'hard-coded 0.4',
    doc: 'contrast factor range 1 ± this',
  }),
  saturation: field<number>({
    type: 'float',
    group: 'augmentation',
    flag: 'saturation',
    min: 0,
    default: 0.2,
    official: 'hard-coded 0.2',
    doc: 'saturation range 1 ± this (RGB only)',
  }),
  hue: field<number>({
    type: 'float',
    group: 'augmentation',
    flag: 'hue',
    min: 0,
    max: 0.5,
    default: 0.1,
    official: 'hard-coded 0.1',
    doc: 'hue shift range ± this (RGB only)',
  }),
  grayscaleProb: field<number>({
    type: 'float',
    group: 'augmentation',
    flag: 'grayscale_prob',
    min: 0,
    max: 1,
    default: 0.2,
    official: 'hard-coded 0.2',
    doc: 'probability of converting to grey (RGB only)',
  }),
  blurSigma: field<[number, number]>({
    type: 'floatPair',
    group: 'augmentation',
    flag: 'blur_sigma',
    length: 2,
    min: 0,
    default: [0.1, 1.0],
    official: 'radius 0.1–2.0 at 224 px',
    doc: 'Gaussian blur σ range in pixels, scaled down for 28 px crops',
  }),
  blurProb: field<number[]>({
    type: 'floatList',
    group: 'augmentation',
    flag: 'blur_prob',
    length: 3,
    min: 0,
    max: 1,
    default: [1.0, 0.1, 0.5],
    official: 'hard-coded 1.0 / 0.1 / 0.5',
    doc: 'blur probability for global crop 1, global crop 2, local crops',
  }),
  solarizationProb: field<number>({
    type: 'float',
    group: 'augmentation',
    flag: 'solarization_prob',
    min: 0,
    max: 1,
    default: 0.2,
    official: 'hard-coded 0.2',
    doc: 'probability of solarizing global crop 2',
  }),

  // ---- run
  seed: field<number>({
    type: 'int',
    group: 'run',
    flag: 'seed',
    min: 0,
    default: 0,
    official: '0',
    doc: 'seeds init, augmentation, shuffling and drop path (all reproducible)',
  }),
  limit: field<number>({
    type: 'int',
    group: 'run',
    flag: 'limit',
    min: 0,
    default: 0,
    official: '—',
    doc: 'train on the first N images only (0 = all)',
  }),
  knnEvery: field<number>({
    type: 'int',
    group: 'run',
    flag: 'knn_every',
    min: 0,
    default: 1,
    official: '—',
    doc: 'k-NN evaluation every N epochs on a test subset (0 = only at the end)',
  }),
  knnSubset: field<number>({
    type: 'int',
    group: 'run',
    flag: 'knn_subset',
    min: 0,
    default: 2000,
    official: '—',
    doc: 'test images for the per-epoch k-NN (the final one uses all)',
  }),
  knnK: field<number[]>({
    type: 'intList',
    group: 'run',
    flag: 'nb_knn',
    min: 1,
    default: [10, 20, 100, 200],
    official: '10 20 100 200 (eval_knn.py)',
    doc: 'k values of the weighted k-NN',
  }),
  knnTemperature: field<number>({
    type: 'float',
    group: 'run',
    flag: 'temperature',
    min: 0,
    default: 0.07,
    official: '0.07 (eval_knn.py)',
    doc: 'temperature of the k-NN vote weights exp(s/T)',
  }),
  saveckpFreq: field<number>({
    type: 'int',
    group: 'run',
    flag: 'saveckp_freq',
    min: 0,
    default: 0,
    official: '20',
    doc: 'also keep checkpoint{epoch}.safetensors every N epochs (0 = never)',
  }),
} as const;

export type ConfigKey = keyof typeof CONFIG_FIELDS;
export type DinoConfig = { -readonly [K in ConfigKey]: (typeof CONFIG_FIELDS)[K]['default'] };

/** The default configuration (the README recipe). */
export function defaultConfig(): DinoConfig {
  const out = {} as Record<string, unknown>;
  for (const [k, spec] of Object.entries(CONFIG_FIELDS)) {
    const d = spec.default as unknown;
    out[k] = Array.isArray(d) ? [...d] : d;
  }
  return out as DinoConfig;
}

/** A named recipe: the fields it changes from the defaults (`mini-dino train --preset NAME`). */
export interface Preset {
  /** One line: what it is for and what it reaches. */
  doc: string;
  /** The data it is meant for, used when --data is not given. */
  data: string;
  values: Partial<DinoConfig>;
}

/**
 * The presets. Flags given together with `--preset` still win over its values; the README table
 * and `train --help` show each preset's values beside the defaults.
 */
export const PRESETS = {
  full: {
    doc:
      'all 60 000 Fashion-MNIST training images, 4 epochs at the base lr 0.004 (the run of the ' +
      'PyTorch reference that reached 79.1% k-NN@20 on the 60 000-image bank)',
    data: '/usr/share/datasets/fashion-mnist',
    values: { epochs: 4, lr: 0.004 },
  },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;

/** The defaults with a preset's values applied (fresh arrays, like defaultConfig). */
export function presetConfig(name: string): DinoConfig {
  if (!Object.hasOwn(PRESETS, name))
    throw new Error(
      `config: --preset must be one of ${Object.keys(PRESETS).join(', ')}, got ${name}`,
    );
  const out = defaultConfig() as Record<string, unknown>;
  for (const [k, v] of Object.entries(PRESETS[name as PresetName].values))
    out[k] = Array.isArray(v) ? [...(v as unknown[])] : v;
  return out as DinoConfig;
}

/** Resolved architecture numbers for a config (named ViTs override the custom fields). */
export function archOf(c: DinoConfig): { embedDim: number; depth: number; numHeads: number } {
  switch (c.arch) {
    case 'vit_tiny':
      return { embedDim: 192, depth: 12, numHeads: 3 };
    case 'vit_small':
      return { embedDim: 384, depth: 12, numHeads: 6 };
    case 'vit_base':
      return { embedDim: 768, depth: 12, numHeads: 12 };
    default:
      return { embedDim: c.embedDim, depth: c.depth, numHeads: c.numHeads };
  }
}

/**
 * Checks a full config: types, ranges, and the relations between fields. Errors name the
 * field by its CLI flag.
 */
export function validateConfig(c: DinoConfig): void {
  const fail = (key: ConfigKey, msg: string) => {
    throw new Error(`config: --${kebab(key)} ${msg}`);
  };
  for (const [key, spec] of Object.entries(CONFIG_FIELDS) as [ConfigKey, FieldSpec<unknown>][]) {
    const v = c[key] as unknown;
    const nums = Array.isArray(v) ? v : [v];
    if (spec.type === 'bool') {
      if (typeof v !== 'boolean') fail(key, `must be true or false, got ${String(v)}`);
      continue;
    }
    if (spec.type === 'enum') {
      if (!spec.values!.includes(v as string))
        fail(key, `must be one of ${spec.values!.join(', ')}, got ${String(v)}`);
      continue;
    }
    const isList =
      spec.type === 'floatPair' || spec.type === 'floatList' || spec.type === 'intList';
    if (isList && (!Array.isArray(v) || v.length === 0))
      fail(key, `needs a list of values, got ${JSON.stringify(v)}`);
    if (spec.length !== undefined && (!Array.isArray(v) || v.length !== spec.length))
      fail(key, `needs ${spec.length} values, got ${JSON.stringify(v)}`);
    for (const x of nums) {
      if (typeof x !== 'number' || !Number.isFinite(x))
        fail(key, `must be a number, got ${String(x)}`);
      if ((spec.type === 'int' || spec.type === 'intList') && !Number.isInteger(x))
        fail(key, `must be an integer, got ${x}`);
      if (spec.min !== undefined && (x as number) < spec.min)
        fail(key, `must be ≥ ${spec.min}, got ${x}`);
      if (spec.max !== undefined && (x as number) > spec.max)
        fail(key, `must be ≤ ${spec.max}, got ${x}`);
    }
  }
  const { embedDim, numHeads } = archOf(c);
  if (embedDim % numHeads !== 0)
    fail('numHeads', `(${numHeads}) must divide the embedding dimension ${embedDim}`);
  if (c.globalCropsScale[0] > c.globalCropsScale[1])
    fail('globalCropsScale', `must be [min, max], got ${c.globalCropsScale.join(', ')}`);
  if (c.localCropsScale[0] > c.localCropsScale[1])
    fail('localCropsScale', `must be [min, max], got ${c.localCropsScale.join(', ')}`);
  if (c.blurSigma[0] > c.blurSigma[1])
    fail('blurSigma', `must be [min, max], got ${c.blurSigma.join(', ')}`);
  if (c.patchSize > c.globalCropSize)
    fail('patchSize', `(${c.patchSize}) is larger than the global crop (${c.globalCropSize} px)`);
  if (c.localCropsNumber > 0 && c.patchSize > c.localCropSize)
    fail('patchSize', `(${c.patchSize}) is larger than the local crops (${c.localCropSize} px)`);
}

/** camelCase → kebab-case (the CLI spelling): teacherTemp → teacher-temp. */
export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);
}
