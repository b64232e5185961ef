// Validation of checkpoint files before anything is allocated from them: every tensor the model
// needs is present with the shape its configuration implies (so a configuration claiming a huge
// ViT is refused instead of built), and every weight is finite (a NaN checkpoint would otherwise
// give confident wrong answers: NaN logits ranked first, NaN features voting in the k-NN).
// Errors are one line, `checkpoint FILE: problem`, naming the tensor or metadata field.
// Official counterpart: none (utils.load_pretrained_weights loads with strict=False and prints
// the missing keys); the key names follow main_dino.py save_dict.

import type { SafetensorsTensor } from '../io/safetensors.js';
import { type DinoConfig, defaultConfig } from './config.js';
import { validateConfig } from './config-validate.js';
import type { ShapeMap } from './shapes.js';

export class CheckpointError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`checkpoint ${path}: ${problem}`);
    this.name = 'CheckpointError';
  }
}

const list = (xs: string[]) => xs.slice(0, 4).join(', ') + (xs.length > 4 ? ', …' : '');
const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * Every key of `expected` must be in `present` under `prefix` with exactly its shape. Returns the
 * present entries keyed without the prefix, in `expected`'s order.
 */
export function requireShapes(
  path: string,
  present: Map<string, SafetensorsTensor>,
  expected: ShapeMap,
  prefix: string,
  what: string,
): Map<string, SafetensorsTensor> {
  const out = new Map<string, SafetensorsTensor>();
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const [key, shape] of expected) {
    const t = present.get(prefix + key);
    if (!t) missing.push(prefix + key);
    else if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      wrong.push(`${prefix}${key} is ${fmt(t.shape)}, expected ${fmt(shape)}`);
    else out.set(key, t);
  }
  if (missing.length > 0)
    throw new CheckpointError(
      path,
      `${missing.length} ${what} tensor(s) missing (${list(missing)})` +
        (wrong.length ? `; mis-shaped: ${list(wrong)}` : ''),
    );
  if (wrong.length > 0)
    throw new CheckpointError(
      path,
      `${what} tensors do not match its configuration: ${list(wrong)}`,
    );
  return out;
}

/** Throws naming the first tensor that holds NaN or ±Infinity. */
export function requireFinite(path: string, tensors: Iterable<[string, SafetensorsTensor]>): void {
  for (const [name, t] of tensors) {
    const d = t.data;
    let bad = 0;
    let first = 0;
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i])) {
        if (bad === 0) first = d[i];
        bad++;
      }
    }
    if (bad > 0)
      throw new CheckpointError(
        path,
        `tensor '${name}' has ${bad} non-finite value(s) (${first}) out of ${d.length}: the ` +
          `weights are unusable (a run that diverged?)`,
      );
  }
}

/** A metadata string parsed as JSON; errors name the key. */
export function metadataJson(path: string, md: Record<string, string>, key: string): unknown {
  if (md[key] === undefined) throw new CheckpointError(path, `metadata '${key}' is missing`);
  try {
    return JSON.parse(md[key]);
  } catch (e) {
    throw new CheckpointError(
      path,
      `metadata '${key}' is not valid JSON (${(e as Error).message})`,
    );
  }
}

/** Our config from the metadata: a JSON object of known fields, completed with the defaults and
 * validated like command-line flags (the error names the flag). */
export function metadataConfig(path: string, md: Record<string, string>): DinoConfig {
  const raw = metadataJson(path, md, 'config');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new CheckpointError(path, `metadata 'config' must be a JSON object`);
  const config = { ...defaultConfig(), ...(raw as Partial<DinoConfig>) };
  try {
    validateConfig(config);
  } catch (e) {
    throw new CheckpointError(path, `metadata 'config': ${(e as Error).message}`);
  }
  return config;
}

/** A non-negative integer from a metadata string. */
export function metadataCount(path: string, md: Record<string, string>, key: string): number {
  const v = md[key];
  if (v === undefined || !/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)))
    throw new CheckpointError(
      path,
      `metadata '${key}' must be a non-negative integer, got ${JSON.stringify(v ?? null)}`,
    );
  return Number(v);
}
