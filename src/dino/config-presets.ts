// The named recipes of `mini-dino train --preset NAME`, each a few fields changed from the
// defaults of config.ts, and presetConfig, the defaults with a preset applied.

import { type DinoConfig, defaultConfig } from './config.js';

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
      'all 60 000 Fashion-MNIST training images, 8 epochs at the default base lr 0.008: k-NN@20 ' +
      '82.6% on the 60 000-image bank (the PyTorch reference: 79.1% with 4 epochs at lr 0.004)',
    data: '/usr/share/datasets/fashion-mnist',
    values: { epochs: 8 },
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
