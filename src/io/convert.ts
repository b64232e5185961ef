// Conversions between safetensors contents and mini-dino tensors, and the recognition of the
// key prefixes found in official DINO checkpoints (`module.`, `backbone.`, `teacher.` /
// `student.`), applied as the official evaluation scripts do (utils.load_pretrained_weights:
// take state_dict[checkpoint_key], default "teacher", then drop "module." and "backbone.").
// References: official issues #44 and #66 (checkpoint naming);
// the safetensors format, https://github.com/huggingface/safetensors.

import type { Backend } from '../tensor/backend.js';
import { tensor } from '../tensor/creation.js';
import type { DType } from '../tensor/dtype.js';
import { Tensor, keep as keepTensor } from '../tensor/tensor.js';
import type { Safetensors, SafetensorsTensor, TensorEntry } from './safetensors.js';

export interface FromSafetensorsOptions {
  /** Element type of the tensors. Default: float64 for 64-bit sources (F64, I64, U64, U32), float32
   * otherwise. */
  dtype?: DType;
  /** Backend (default: the current default backend). */
  backend?: Backend;
  /** Exempt the tensors from scope disposal (for long-lived weights). Default false. */
  keep?: boolean;
}

/** mini-dino tensors from parsed safetensors (integers and BOOL become floats of `dtype`). */
export function tensorsFromSafetensors(
  st: Safetensors | Map<string, SafetensorsTensor>,
  opts: FromSafetensorsOptions = {},
): Map<string, Tensor> {
  const source = st instanceof Map ? st : st.tensors;
  const out = new Map<string, Tensor>();
  for (const [name, { shape, data }] of source) {
    const dtype: DType = opts.dtype ?? (data instanceof Float64Array ? 'float64' : 'float32');
    const host = data instanceof Int32Array ? Float64Array.from(data) : data;
    let t: Tensor;
    try {
      t = tensor(host, { shape, dtype, backend: opts.backend });
    } catch (e) {
      throw new Error(`tensorsFromSafetensors: tensor '${name}': ${(e as Error).message}`, {
        cause: e,
      });
    }
    t.name = name;
    out.set(name, opts.keep ? keepTensor(t) : t);
  }
  return out;
}

export interface ToSafetensorsOptions {
  /** Stored element type. Default: F64 for float64 tensors, F32 for float32 ones. */
  dtype?: 'F32' | 'F64';
}

type TensorMap = Map<string, Tensor> | Record<string, Tensor>;

/** Entries for serializeSafetensors / writeSafetensorsFile, read synchronously (cpu, webasm). */
export function safetensorsFromTensors(
  tensors: TensorMap,
  opts: ToSafetensorsOptions = {},
): Map<string, TensorEntry> {
  const out = new Map<string, TensorEntry>();
  for (const [name, t] of entriesOf(tensors)) {
    const data = t.dataSync(); // sync point
    out.set(name, {
      dtype: opts.dtype ?? (t.dtype === 'float64' ? 'F64' : 'F32'),
      shape: [...t.shape],
      data,
    });
  }
  return out;
}

/** The same, reading asynchronously (works on every backend, WebGPU included). */
export async function safetensorsFromTensorsAsync(
  tensors: TensorMap,
  opts: ToSafetensorsOptions = {},
): Promise<Map<string, TensorEntry>> {
  const out = new Map<string, TensorEntry>();
  for (const [name, t] of entriesOf(tensors)) {
    const data = await t.data(); // sync point
    out.set(name, {
      dtype: opts.dtype ?? (t.dtype === 'float64' ? 'F64' : 'F32'),
      shape: [...t.shape],
      data,
    });
  }
  return out;
}

function entriesOf(tensors: TensorMap): [string, Tensor][] {
  const list = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  for (const [name, t] of list) {
    if (!(t instanceof Tensor))
      throw new Error(`safetensorsFromTensors: '${name}' is not a Tensor`);
  }
  return list;
}

// ---- official checkpoint key prefixes

export interface StripOptions {
  /**
   * The sub-model to take from a file that holds several, like the official `--checkpoint_key`
   * (default 'teacher'). When no key starts with `teacher.` but some start with `student.`, the
   * student is taken (and the summary says so). null keeps every key.
   */
  checkpointKey?: string | null;
}

export interface StripResult {
  /** Original key -> stripped key, for every key kept (renamed or not), in input order. */
  mapping: Map<string, string>;
  /** The kept keys whose name changed. */
  renamed: { from: string; to: string }[];
  /** Keys left out because they lie outside the selected sub-model (e.g. `student.*`, `center`). */
  skipped: string[];
  /** The sub-model prefix taken (without the dot), or null. */
  selected: string | null;
  /** One line for logs: what was taken, stripped and skipped. */
  summary: string;
}

/** Leading key segments dropped after the sub-model is chosen (official: "module.", "backbone.").
 * */
const WRAPPER_SEGMENTS = ['module', 'backbone'];

/**
 * Maps official checkpoint keys to mini-dino module keys:
 *   `teacher.backbone.blocks.0.norm1.weight` -> `blocks.0.norm1.weight`,
 *   `student.module.head.mlp.0.weight` (checkpointKey 'student') -> `head.mlp.0.weight`,
 *   `module.backbone.cls_token` -> `cls_token`.
 * The official scripts replace the substrings "module." and "backbone." anywhere in a key; here
 * only leading whole segments are dropped, which is the same for every real DINO key and cannot
 * corrupt a name that merely contains them. Two keys that would collide are an error.
 */
export function stripPrefixes(keys: Iterable<string>, opts: StripOptions = {}): StripResult {
  const all = [...keys];
  const wanted = opts.checkpointKey === undefined ? 'teacher' : opts.checkpointKey;
  const has = (p: string): boolean => all.some((k) => k.startsWith(`${p}.`));
  let selected: string | null = null;
  let note = '';
  if (wanted !== null && has(wanted)) selected = wanted;
  else if (wanted === 'teacher' && has('student')) {
    selected = 'student';
    note = ` (no 'teacher.' keys, so the student was taken)`;
  }

  const mapping = new Map<string, string>();
  const renamed: { from: string; to: string }[] = [];
  const skipped: string[] = [];
  const origin = new Map<string, string>();
  const dropped = new Map<string, number>();
  for (const key of all) {
    let rest = key;
    if (selected !== null) {
      if (!key.startsWith(`${selected}.`)) {
        skipped.push(key);
        continue;
      }
      rest = key.slice(selected.length + 1);
    }
    let seg = rest.indexOf('.');
    while (seg > 0 && WRAPPER_SEGMENTS.includes(rest.slice(0, seg))) {
      const name = rest.slice(0, seg + 1);
      dropped.set(name, (dropped.get(name) ?? 0) + 1);
      rest = rest.slice(seg + 1);
      seg = rest.indexOf('.');
    }
    const before = origin.get(rest);
    if (before !== undefined)
      throw new Error(`stripPrefixes: keys '${before}' and '${key}' both become '${rest}'`);
    origin.set(rest, key);
    mapping.set(key, rest);
    if (rest !== key) renamed.push({ from: key, to: rest });
  }

  const parts: string[] = [];
  if (selected !== null) parts.push(`took '${selected}.' (${mapping.size} keys)${note}`);
  for (const [name, n] of dropped) parts.push(`stripped '${name}' from ${n} keys`);
  if (skipped.length > 0)
    parts.push(
      `skipped ${skipped.length} other keys ` +
        `(${skipped.slice(0, 3).join(', ')}${skipped.length > 3 ? ', …' : ''})`,
    );
  const summary =
    parts.length > 0 ? parts.join('; ') : `no prefixes (${mapping.size} keys kept as they are)`;
  return { mapping, renamed, skipped, selected, summary };
}

/** Applies a stripPrefixes mapping to a map of values (tensors or safetensors entries). */
export function renameKeys<T>(
  values: Map<string, T>,
  mapping: Map<string, string>,
): Map<string, T> {
  const out = new Map<string, T>();
  for (const [from, to] of mapping) {
    const v = values.get(from);
    if (v !== undefined) out.set(to, v);
  }
  return out;
}
