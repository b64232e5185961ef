// Checks a full DINO config before anything is built: each field's type and range from its
// entry in CONFIG_FIELDS (config.ts), then the relations between fields (heads divide the
// embedding, [min, max] pairs in order, patches fit in the crops). Each error is one line naming
// the field by its CLI flag, like the official argparse errors.

import { type ConfigKey, CONFIG_FIELDS, type DinoConfig } from './config.js';
import { archOf } from './config-arch.js';
import { type FieldSpec, kebab } from './config-field.js';

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
