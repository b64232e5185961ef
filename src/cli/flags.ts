// The flags several CLI commands share (--backend, --json, --data, --max-image-pixels, --help) and
// the readers of parsed values (str, bool, a checked --max-image-pixels, a required input file).
// Each command's own flags live with the command; help text is generated from these specs
// (src/cli/help.ts).

import { existsSync, statSync } from 'node:fs';
import { MAX_IMAGE_PIXELS } from '../data/image.js';
import type { FlagSpec, Parsed } from './args.js';
import { UsageError } from './args.js';

export const BACKEND_FLAG: FlagSpec = {
  name: 'backend',
  type: 'enum',
  values: ['auto', 'cpu', 'wasm', 'gpu'],
  defaultText: 'auto',
  doc:
    'wasm (WebAssembly SIMD on all cores), cpu (the TypeScript reference kernels, float64 too), ' +
    'gpu (gpu.js: WebGPU when an adapter answers, else its WebAssembly mode), or auto (WebGPU ' +
    'on a hardware adapter, else wasm)',
};
export const JSON_FLAG: FlagSpec = {
  name: 'json',
  type: 'bool',
  doc: 'print one JSON object on the last line of stdout',
};
export const DATA_FLAG: FlagSpec = {
  name: 'data',
  aliases: ['data_path', 'data-path'],
  type: 'string',
  meta: 'PATH',
  defaultText: 'the embedded Fashion-MNIST subset',
  doc:
    'a folder of Fashion-MNIST idx files, or of images (PNG/JPEG; one ' +
    'sub-folder per class, or train/ and val/)',
};
export const MAX_IMAGE_PIXELS_FLAG: FlagSpec = {
  name: 'max-image-pixels',
  type: 'int',
  meta: 'N',
  defaultText: String(MAX_IMAGE_PIXELS),
  doc: 'refuse images larger than this many pixels (4096²); a small PNG can decode to gigabytes',
};
export const HELP_FLAG: FlagSpec = {
  name: 'help',
  aliases: ['h'],
  type: 'bool',
  doc: 'show this help',
};

/** --max-image-pixels, checked. */
export function maxPixelsOf(p: Parsed): number | undefined {
  const v = p.values.get('max-image-pixels') as number | undefined;
  if (v !== undefined && v < 1) throw new UsageError(`--max-image-pixels: must be ≥ 1, got ${v}`);
  return v;
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values.get(name);
  return v === undefined ? undefined : String(v);
}

export function bool(p: Parsed, name: string): boolean {
  return p.values.get(name) === true;
}

export function requireFile(flag: string, path: string | undefined): string {
  if (!path) throw new UsageError(`${flag} is required`);
  if (!existsSync(path)) throw new UsageError(`${flag}: ${path}: no such file`);
  // (pipes stay allowed: --checkpoint <(zcat weights.safetensors.gz))
  if (statSync(path).isDirectory())
    throw new UsageError(`${flag}: ${path}: expected a file, got a folder`);
  return path;
}
