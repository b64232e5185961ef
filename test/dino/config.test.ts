// The DINO config (src/dino/config.ts, the single source of defaults): every field documented
// with its official default and snake_case flag, the official flags and defaults as main_dino.py
// get_args_parser lists them, defaultConfig valid and fresh, and validateConfig errors naming the
// CLI flag (--kebab-case) of the offending field, for every field and for the relations between
// fields.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CONFIG_FIELDS,
  defaultConfig,
  type ConfigKey,
  type DinoConfig,
} from '../../src/dino/config.js';
import { archOf } from '../../src/dino/config-arch.js';
import { kebab, type FieldSpec } from '../../src/dino/config-field.js';
import { PRESETS, presetConfig } from '../../src/dino/config-presets.js';
import { validateConfig } from '../../src/dino/config-validate.js';

const FIELDS = Object.entries(CONFIG_FIELDS) as [ConfigKey, FieldSpec<unknown>][];

function errorOf(over: Record<string, unknown>): string {
  try {
    validateConfig({ ...defaultConfig(), ...over } as DinoConfig);
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

test(
  'every field has a doc line, an official default, a snake_case flag, ' +
    'a group; flags and CLI names are unique',
  () => {
    const groups = new Set(['model', 'head', 'loss', 'optimization', 'augmentation', 'run']);
    for (const [key, f] of FIELDS) {
      assert.ok(typeof f.doc === 'string' && f.doc.trim().length > 10, `${key}: doc`);
      assert.ok(typeof f.official === 'string' && f.official.trim().length > 0, `${key}: official`);
      assert.match(f.flag, /^[a-z][a-z0-9_]*$/, `${key}: flag ${f.flag}`);
      assert.ok(groups.has(f.group), `${key}: group ${f.group}`);
      if (f.paper !== undefined) assert.ok(f.paper.trim().length > 0, `${key}: paper`);
    }
    const flags = FIELDS.map(([, f]) => f.flag);
    assert.is(new Set(flags).size, flags.length, 'official flags are unique');
    // every spelling the CLI accepts (--kebab-name, the official flag, the camelCase key) belongs
    // to
    // one field
    const owner = new Map<string, ConfigKey>();
    for (const [key, f] of FIELDS) {
      for (const spelling of new Set([kebab(key), f.flag, key])) {
        assert.ok(
          !owner.has(spelling) || owner.get(spelling) === key,
          `${spelling}: ${owner.get(spelling)} and ${key}`,
        );
        owner.set(spelling, key);
      }
    }
    assert.is(kebab('warmupTeacherTempEpochs'), 'warmup-teacher-temp-epochs');
  },
);

test('the defaults have their declared types and lie within their declared ranges', () => {
  for (const [key, f] of FIELDS) {
    const d = f.default;
    const values = Array.isArray(d) ? d : [d];
    if (f.type === 'bool') assert.type(d, 'boolean', key);
    else if (f.type === 'enum') assert.ok(f.values!.includes(d as string), key);
    else {
      if (f.length !== undefined) assert.is(values.length, f.length, `${key}: length`);
      for (const v of values) {
        assert.type(v, 'number', key);
        if (f.type === 'int' || f.type === 'intList')
          assert.ok(Number.isInteger(v), `${key}: integer`);
        if (f.min !== undefined) assert.ok((v as number) >= f.min, `${key}: ≥ min`);
        if (f.max !== undefined) assert.ok((v as number) <= f.max, `${key}: ≤ max`);
      }
    }
  }
});

test('defaultConfig is valid, has every field, and returns fresh copies (lists included)', () => {
  const c = defaultConfig();
  validateConfig(c);
  assert.equal(Object.keys(c).sort(), FIELDS.map(([k]) => k).sort());
  c.globalCropsScale[0] = 0.9;
  c.knnK.push(1);
  assert.equal(defaultConfig().globalCropsScale, [0.4, 1]);
  assert.equal(CONFIG_FIELDS.globalCropsScale.default, [0.4, 1]);
  assert.equal(defaultConfig().knnK, [10, 20, 100, 200]);
});

test('official flags and defaults as in main_dino.py get_args_parser', () => {
  const official: [ConfigKey, string, string][] = [
    ['arch', 'arch', 'vit_small'],
    ['patchSize', 'patch_size', '16'],
    ['outDim', 'out_dim', '65536'],
    ['normLastLayer', 'norm_last_layer', 'true'],
    ['momentumTeacher', 'momentum_teacher', '0.996'],
    ['warmupTeacherTemp', 'warmup_teacher_temp', '0.04'],
    ['teacherTemp', 'teacher_temp', '0.04'],
    ['warmupTeacherTempEpochs', 'warmup_teacher_temp_epochs', '0'],
    ['weightDecay', 'weight_decay', '0.04'],
    ['weightDecayEnd', 'weight_decay_end', '0.4'],
    ['clipGrad', 'clip_grad', '3.0'],
    ['batchSize', 'batch_size_per_gpu', '64'],
    ['epochs', 'epochs', '100'],
    ['freezeLastLayer', 'freeze_last_layer', '1'],
    ['lr', 'lr', '0.0005'],
    ['warmupEpochs', 'warmup_epochs', '10'],
    ['minLr', 'min_lr', '1e-6'],
    ['dropPathRate', 'drop_path_rate', '0.1'],
    ['globalCropsScale', 'global_crops_scale', '(0.4, 1.0)'],
    ['localCropsNumber', 'local_crops_number', '8'],
    ['localCropsScale', 'local_crops_scale', '(0.05, 0.4)'],
    ['seed', 'seed', '0'],
    ['saveckpFreq', 'saveckp_freq', '20'],
    ['studentTemp', 'student_temp', '0.1'],
    ['centerMomentum', 'center_momentum', '0.9'],
  ];
  for (const [key, flag, value] of official) {
    const f = CONFIG_FIELDS[key] as FieldSpec<unknown>;
    assert.is(f.flag, flag, key);
    assert.ok(
      f.official === value ||
        f.official.startsWith(`${value} `) ||
        f.official === `hard-coded ${value}`,
      `${key}: official '${f.official}' vs ${value}`,
    );
  }
  assert.match(CONFIG_FIELDS.teacherTemp.paper!, '0.07');
  assert.is(CONFIG_FIELDS.warmupTeacherTempEpochs.paper, '30');
});

/** Invalid values for a field, by type and range. */
function invalidValues(f: FieldSpec<unknown>): unknown[] {
  const out: unknown[] = [];
  switch (f.type) {
    case 'bool':
      out.push('yes', 1);
      break;
    case 'enum':
      out.push('vit_huge');
      break;
    case 'int':
    case 'float':
      out.push(NaN, Infinity, 'x');
      if (f.type === 'int') out.push(1.5);
      if (f.min !== undefined) out.push(f.min - 1);
      if (f.max !== undefined) out.push(f.max + 0.5);
      break;
    default: {
      // lists
      const d = f.default as number[];
      if (f.length !== undefined) out.push([...d, d[0]], d.slice(1), 5);
      out.push(d.map((v, i) => (i === 0 ? NaN : v)));
      if (f.min !== undefined) out.push(d.map((v, i) => (i === 0 ? (f.min as number) - 1 : v)));
      if (f.max !== undefined)
        out.push(d.map((v, i) => (i === d.length - 1 ? (f.max as number) + 1 : v)));
      if (f.type === 'intList') out.push(d.map((v, i) => (i === 0 ? v + 0.5 : v)));
    }
  }
  return out;
}

test(
  'validateConfig: every invalid value of every field is an error naming ' +
    "that field's CLI flag",
  () => {
    let n = 0;
    for (const [key, f] of FIELDS) {
      for (const bad of invalidValues(f)) {
        const msg = errorOf({ [key]: bad });
        assert.ok(
          msg.startsWith(`config: --${kebab(key)} `),
          `${key} = ${JSON.stringify(bad)}: '${msg}'`,
        );
        n++;
      }
    }
    assert.ok(n > 150, `${n} cases`);
    assert.is(errorOf({ teacherTemp: -0.04 }), 'config: --teacher-temp must be ≥ 0, got -0.04');
    assert.is(errorOf({ batchSize: 2.5 }), 'config: --batch-size must be an integer, got 2.5');
    assert.is(
      errorOf({ arch: 'resnet50' }),
      'config: --arch must be one of custom, vit_tiny, vit_small, vit_base, got resnet50',
    );
  },
);

test('validateConfig: relations between fields name the flag to change', () => {
  assert.is(
    errorOf({ embedDim: 64, numHeads: 3 }),
    'config: --num-heads (3) must divide the embedding dimension 64',
  );
  assert.is(
    errorOf({ arch: 'vit_small', embedDim: 64, numHeads: 5 }),
    '',
    'a named ViT ignores the custom numbers',
  );
  assert.match(
    errorOf({ globalCropsScale: [0.9, 0.4] }),
    /^config: --global-crops-scale must be \[min, max\]/,
  );
  assert.match(
    errorOf({ localCropsScale: [0.4, 0.05] }),
    /^config: --local-crops-scale must be \[min, max\]/,
  );
  assert.match(errorOf({ blurSigma: [2, 0.1] }), /^config: --blur-sigma must be \[min, max\]/);
  assert.is(
    errorOf({ patchSize: 32, globalCropSize: 28 }),
    'config: --patch-size (32) is larger than the global crop (28 px)',
  );
  assert.is(
    errorOf({ patchSize: 16, globalCropSize: 28, localCropSize: 14 }),
    'config: --patch-size (16) is larger than the local crops (14 px)',
  );
  assert.is(
    errorOf({ patchSize: 16, globalCropSize: 28, localCropSize: 14, localCropsNumber: 0 }),
    '',
    'no local crops, no constraint',
  );
});

test('presets: valid configs, the defaults plus their values, fresh; an unknown name is an error', () => {
  for (const name of Object.keys(PRESETS) as (keyof typeof PRESETS)[]) {
    const c = presetConfig(name);
    validateConfig(c);
    const values = PRESETS[name].values as Partial<Record<ConfigKey, unknown>>;
    assert.ok(Object.keys(values).length > 0, `${name} changes something`);
    for (const [key] of FIELDS)
      assert.equal(c[key], key in values ? values[key] : defaultConfig()[key], `${name}.${key}`);
    c.globalCropsScale[0] = 0.9;
    assert.is.not(presetConfig(name).globalCropsScale[0], 0.9, `${name}: fresh lists`);
  }
  assert.throws(() => presetConfig('huge'), /--preset must be one of full, got huge/);
  assert.throws(() => presetConfig('toString'), /--preset must be one of/);
});

test('archOf: the named ViTs (depth 12) override the custom numbers', () => {
  const c = defaultConfig();
  assert.equal(archOf(c), { embedDim: c.embedDim, depth: c.depth, numHeads: c.numHeads });
  assert.equal(archOf({ ...c, arch: 'vit_tiny' }), { embedDim: 192, depth: 12, numHeads: 3 });
  assert.equal(archOf({ ...c, arch: 'vit_small' }), { embedDim: 384, depth: 12, numHeads: 6 });
  assert.equal(archOf({ ...c, arch: 'vit_base' }), { embedDim: 768, depth: 12, numHeads: 12 });
});

test.run();
