// The configuration form: the main knobs of src/dino/config.ts, each with its default, the
// official value and the one-line reason from the config (the same text as `mini-dino train
// --help` and the README table). Every other field keeps its default.

import {
  CONFIG_FIELDS,
  type ConfigKey,
  type DinoConfig,
  defaultConfig,
} from '../../../src/dino/config.js';
import { type FieldGroup, type FieldSpec, kebab } from '../../../src/dino/config-field.js';
import { validateConfig } from '../../../src/dino/config-validate.js';

/** The knobs shown, in order: what shapes the model, the method, the schedule and the run. */
export const KNOBS: readonly ConfigKey[] = [
  'epochs',
  'batchSize',
  'lr',
  'warmupEpochs',
  'momentumTeacher',
  'teacherTemp',
  'centerMomentum',
  'outDim',
  'localCropsNumber',
  'globalCropsScale',
  'localCropsScale',
  'patchSize',
  'embedDim',
  'depth',
  'numHeads',
  'seed',
  'knnSubset',
  'knnEvery',
];

const GROUP_TITLES: Record<FieldGroup, string> = {
  optimization: 'Optimization',
  loss: 'The DINO loss',
  head: 'The DINO head',
  augmentation: 'Multi-crop augmentation',
  model: 'The Vision Transformer',
  run: 'Run and k-NN monitor',
};

const show = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v));

/** Fills `form` with the knobs (fieldsets by group, in the order of KNOBS). */
export function renderKnobs(form: HTMLFormElement): void {
  const groups = new Map<FieldGroup, ConfigKey[]>();
  for (const k of KNOBS) {
    const g = CONFIG_FIELDS[k].group;
    groups.set(g, [...(groups.get(g) ?? []), k]);
  }
  const defaults = defaultConfig();
  for (const [group, keys] of groups) {
    const fs = document.createElement('fieldset');
    const legend = document.createElement('legend');
    legend.textContent = GROUP_TITLES[group];
    fs.append(legend);
    for (const key of keys) {
      const spec = CONFIG_FIELDS[key] as FieldSpec<unknown>;
      const id = `knob-${kebab(key)}`;
      const row = document.createElement('div');
      row.className = 'knob';
      const label = document.createElement('label');
      label.htmlFor = id;
      label.innerHTML = `<code>${kebab(key)}</code>`;
      const input = document.createElement('input');
      input.id = id;
      input.name = key;
      input.value = show(defaults[key]);
      input.inputMode = spec.type === 'int' ? 'numeric' : 'decimal';
      input.setAttribute('aria-describedby', `${id}-doc`);
      input.autocomplete = 'off';
      const doc = document.createElement('p');
      doc.id = `${id}-doc`;
      doc.className = 'doc';
      doc.textContent = `${spec.doc}. Default ${show(spec.default)}; official ${spec.official}.`;
      row.append(label, input, doc);
      fs.append(row);
    }
    form.append(fs);
  }
}

/** The config the form describes (unknown fields at their defaults), validated. */
export function readKnobs(form: HTMLFormElement): DinoConfig {
  const config = defaultConfig() as Record<ConfigKey, unknown>;
  for (const key of KNOBS) {
    const input = form.elements.namedItem(key) as HTMLInputElement;
    const text = input.value.trim();
    const spec = CONFIG_FIELDS[key] as FieldSpec<unknown>;
    const list = spec.type === 'floatPair' || spec.type === 'floatList' || spec.type === 'intList';
    config[key] = list ? text.split(',').map((s) => Number(s.trim())) : Number(text);
    if (text === '') config[key] = NaN;
  }
  validateConfig(config as DinoConfig);
  return config as DinoConfig;
}

/** Puts every knob back to its default. */
export function resetKnobs(form: HTMLFormElement): void {
  const defaults = defaultConfig();
  for (const key of KNOBS)
    (form.elements.namedItem(key) as HTMLInputElement).value = show(defaults[key]);
}

/** Writes `config`'s values into the form (after loading a checkpoint). */
export function writeKnobs(form: HTMLFormElement, config: DinoConfig): void {
  for (const key of KNOBS)
    (form.elements.namedItem(key) as HTMLInputElement).value = show(config[key]);
}
