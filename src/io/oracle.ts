// PyTorch parity fixtures (format `mini-dino-oracle-v1`): a float64 safetensors file written by
// tools/torch_dino.py `dump`, holding one DINO step (weights before and after,
// crops, center, loss, gradients, features and logits) and the whole configuration as JSON in
// the metadata. This loads one, validates the configuration and the presence and shapes of
// the tensors, and returns them as float64 tensors on the cpu backend.
// Format described in test/fixtures/README.md; tensor names follow the official DINO
// state-dict keys (vision_transformer.py) under `student.`, `teacher.`, `grad.`, `*_after.`.

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpu } from '../tensor/cpu/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensorsFromSafetensors } from './convert.js';
import { type Safetensors, SafetensorsError, parseSafetensors } from './safetensors.js';

export const ORACLE_FORMAT = 'mini-dino-oracle-v1';

/** The configuration of the dumped step (torch_dino.py flags, snake_case in the JSON). */
export interface OracleConfig {
  img: number;
  inChans: number;
  patch: number;
  dim: number;
  depth: number;
  heads: number;
  mlpRatio: number;
  outDim: number;
  headHidden: number;
  headBottleneck: number;
  batch: number;
  globalCrops: number;
  localCrops: number;
  localImg: number;
  studentTemp: number;
  teacherTemp: number;
  centerMomentum: number;
  ema: number;
  lr: number;
  wd: number;
  clipGrad: number;
}

type Kind = 'count' | 'nonneg' | 'positive' | 'number';
const FIELD_CHECK: Record<Kind, { want: string; ok: (v: unknown) => boolean }> = {
  count: { want: 'a positive integer', ok: (v) => Number.isSafeInteger(v) && (v as number) > 0 },
  nonneg: {
    want: 'a non-negative integer',
    ok: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  },
  positive: {
    want: 'a positive number',
    ok: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
  },
  number: { want: 'a finite number', ok: (v) => typeof v === 'number' && Number.isFinite(v) },
};
type Field = [key: keyof OracleConfig, json: string, kind: Kind];
const FIELDS: Field[] = [
  ['img', 'img', 'count'],
  ['inChans', 'in_chans', 'count'],
  ['patch', 'patch', 'count'],
  ['dim', 'dim', 'count'],
  ['depth', 'depth', 'count'],
  ['heads', 'heads', 'count'],
  ['mlpRatio', 'mlp_ratio', 'positive'],
  ['outDim', 'out_dim', 'count'],
  ['headHidden', 'head_hidden', 'count'],
  ['headBottleneck', 'head_bottleneck', 'count'],
  ['batch', 'batch', 'count'],
  ['globalCrops', 'global_crops', 'count'],
  ['localCrops', 'local_crops', 'nonneg'],
  ['localImg', 'local_img', 'count'],
  ['studentTemp', 'student_temp', 'positive'],
  ['teacherTemp', 'teacher_temp', 'positive'],
  ['centerMomentum', 'center_momentum', 'number'],
  ['ema', 'ema', 'number'],
  ['lr', 'lr', 'number'],
  ['wd', 'wd', 'number'],
  ['clipGrad', 'clip_grad', 'number'],
];

export interface OracleFixture {
  path: string;
  config: OracleConfig;
  /** All metadata strings (format, config, seed, pre_steps, torch, naming, optimizer). */
  metadata: Record<string, string>;
  /** Every tensor, float64 on the cpu backend, kept (never disposed by a scope). */
  tensors: Map<string, Tensor>;
  /** The tensor `name`; throws an error naming the fixture when it is missing. */
  get(name: string): Tensor;
  /** The tensors under `prefix` (e.g. 'student.'), keyed without it, in file order. */
  group(prefix: string): Map<string, Tensor>;
  /** input.crop0 … in order (global crops first). */
  crops(): Tensor[];
}

export class OracleFixtureError extends Error {
  constructor(path: string, problem: string) {
    super(`oracle fixture ${path}: ${problem}`);
    this.name = 'OracleFixtureError';
  }
}

export async function loadOracleFixture(path: string): Promise<OracleFixture> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new OracleFixtureError(path, `cannot read the file (${(e as Error).message})`);
  }
  return parseOracleFixture(bytes, path);
}

export function loadOracleFixtureSync(path: string): OracleFixture {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new OracleFixtureError(path, `cannot read the file (${(e as Error).message})`);
  }
  return parseOracleFixture(bytes, path);
}

/** Parses and validates a fixture held in memory (`path` is used in messages). */
export function parseOracleFixture(bytes: Uint8Array, path: string): OracleFixture {
  const fail = (problem: string): never => {
    throw new OracleFixtureError(path, problem);
  };
  let st: Safetensors;
  try {
    st = parseSafetensors(bytes, path);
  } catch (e) {
    if (e instanceof SafetensorsError) return fail(`not a valid safetensors file: ${e.message}`);
    throw e;
  }
  const format = st.metadata.format;
  if (format !== ORACLE_FORMAT) {
    fail(
      format === undefined
        ? `no 'format' in the metadata (expected '${ORACLE_FORMAT}')`
        : `unknown format '${format}' (expected '${ORACLE_FORMAT}')`,
    );
  }
  const config = parseConfig(st.metadata.config, fail);
  checkTensors(st, config, fail);
  const tensors = tensorsFromSafetensors(st, { dtype: 'float64', backend: cpu, keep: true });
  const get = (name: string): Tensor => {
    const t = tensors.get(name);
    if (!t) {
      const near = [...tensors.keys()]
        .filter((k) => k.includes(name.split('.').pop() ?? name))
        .slice(0, 3);
      return fail(`no tensor '${name}'${near.length ? ` (similar: ${near.join(', ')})` : ''}`);
    }
    return t;
  };
  const group = (prefix: string): Map<string, Tensor> => {
    const out = new Map<string, Tensor>();
    for (const [k, t] of tensors) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), t);
    return out;
  };
  const nCrops = config.globalCrops + config.localCrops;
  const crops = (): Tensor[] => Array.from({ length: nCrops }, (_, i) => get(`input.crop${i}`));
  return { path, config, metadata: st.metadata, tensors, get, group, crops };
}

/** The configuration JSON of a fixture (torch_dino.py flag names), validated; errors name `source`.
 * */
export function parseOracleConfig(text: string | undefined, source: string): OracleConfig {
  return parseConfig(text, (problem) => {
    throw new OracleFixtureError(source, problem);
  });
}

function parseConfig(text: string | undefined, fail: (p: string) => never): OracleConfig {
  if (text === undefined) fail(`no 'config' in the metadata`);
  let raw: unknown;
  try {
    raw = JSON.parse(text!);
  } catch (e) {
    return fail(`the metadata 'config' is not valid JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    fail(`the metadata 'config' must be a JSON object`);
  const obj = raw as Record<string, unknown>;
  const config = {} as OracleConfig;
  for (const [key, json, kind] of FIELDS) {
    const v = obj[json];
    if (v === undefined) fail(`config field '${json}' is missing`);
    if (!FIELD_CHECK[kind].ok(v))
      fail(`config field '${json}' must be ${FIELD_CHECK[kind].want}, got ${JSON.stringify(v)}`);
    config[key] = v as number;
  }
  if (config.img % config.patch !== 0)
    fail(`config: img ${config.img} is not a multiple of patch ${config.patch}`);
  if (config.localImg % config.patch !== 0)
    fail(`config: local_img ${config.localImg} is not a multiple of patch ${config.patch}`);
  if (config.dim % config.heads !== 0)
    fail(`config: dim ${config.dim} is not a multiple of heads ${config.heads}`);
  return config;
}

/** Presence and shapes of the tensors the parity check needs, derived from the config alone. */
function checkTensors(st: Safetensors, c: OracleConfig, fail: (p: string) => never): void {
  const nCrops = c.globalCrops + c.localCrops;
  const g0 = c.img / c.patch;
  const expected = new Map<string, number[]>([
    ['loss', []],
    ['center', [1, c.outDim]],
    ['center_after', [1, c.outDim]],
    ['out.student_features', [c.batch * nCrops, c.dim]],
    ['out.student_logits', [c.batch * nCrops, c.outDim]],
    ['out.teacher_features', [c.batch * c.globalCrops, c.dim]],
    ['out.teacher_logits', [c.batch * c.globalCrops, c.outDim]],
  ]);
  for (let i = 0; i < nCrops; i++) {
    const s = i < c.globalCrops ? c.img : c.localImg;
    expected.set(`input.crop${i}`, [c.batch, c.inChans, s, s]);
  }
  for (const h of ['student_temp', 'teacher_temp', 'center_momentum', 'ema', 'lr', 'wd'])
    expected.set(`hparam.${h}`, []);
  for (const p of ['student.', 'teacher.', 'student_after.', 'teacher_after.']) {
    expected.set(`${p}pos_embed`, [1, g0 * g0 + 1, c.dim]);
    expected.set(`${p}patch_embed.proj.weight`, [c.dim, c.inChans, c.patch, c.patch]);
    expected.set(`${p}head.last_layer.weight_v`, [c.outDim, c.headBottleneck]);
  }
  expected.set('grad.pos_embed', [1, g0 * g0 + 1, c.dim]);
  for (const [name, shape] of expected) {
    const t = st.tensors.get(name);
    if (!t) fail(`no tensor '${name}'`);
    if (t!.shape.length !== shape.length || t!.shape.some((d, i) => d !== shape[i])) {
      fail(
        `tensor '${name}' has shape [${t!.shape.join(', ')}] but the config ` +
          `implies [${shape.join(', ')}]`,
      );
    }
  }
  // Same keys before and after the step, for student and teacher; a gradient only for student keys.
  const keysOf = (p: string): string[] =>
    [...st.tensors.keys()]
      .filter((k) => k.startsWith(p))
      .map((k) => k.slice(p.length))
      .sort();
  const student = keysOf('student.');
  for (const p of ['teacher.', 'student_after.', 'teacher_after.']) {
    const other = keysOf(p);
    const diff = student
      .filter((k) => !other.includes(k))
      .concat(other.filter((k) => !student.includes(k)));
    if (diff.length > 0)
      fail(`the '${p}' keys differ from the 'student.' keys (${diff.slice(0, 3).join(', ')})`);
  }
  const stray = keysOf('grad.').filter((k) => !student.includes(k));
  if (stray.length > 0)
    fail(`gradients for keys that are not student weights: ${stray.slice(0, 3).join(', ')}`);
  // Every trainable student weight has its gradient, of its shape: a fixture missing one would
  // leave that gradient unchecked by the parity test without a word.
  const shapeOf = (name: string) => `[${st.tensors.get(name)!.shape.join(', ')}]`;
  for (const k of student) {
    if (FROZEN.includes(k)) continue;
    if (!st.tensors.has(`grad.${k}`))
      fail(`no tensor 'grad.${k}': every trainable student weight needs its gradient`);
    for (const p of ['grad.', 'teacher.', 'student_after.', 'teacher_after.']) {
      const want = shapeOf(`student.${k}`);
      if (st.tensors.has(p + k) && shapeOf(p + k) !== want)
        fail(`tensor '${p}${k}' has shape ${shapeOf(p + k)}, 'student.${k}' ${want}`);
    }
  }
}

/** Student weights without a gradient: the last layer's weight_g, frozen at 1 (norm_last_layer). */
const FROZEN = ['head.last_layer.weight_g'];
