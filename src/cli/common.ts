// Pieces shared by the CLI commands: common flags (--backend, --json, --data), choosing the
// backend, loading data with warnings for skipped files, the progress bar, and output rules:
// with --json, everything human-readable goes to stderr and stdout's last line is one JSON
// object (scripts depend on it; the fields are documented in the README).

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../data/dataset.js';
import type { DatasetSplits } from '../data/image-dataset.js';
import { MAX_IMAGE_PIXELS } from '../data/image.js';
import { loadTrainValFolders } from '../data/folder.js';
import type { Backend, BackendName } from '../tensor/backend.js';
import { cpu } from '../tensor/cpu/index.js';
import { setDefaultBackend } from '../tensor/tensor.js';
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

export interface BackendInfo {
  backend: BackendName;
  gpuMode: 'webgpu' | 'webasm' | 'cpu' | null;
  adapter: string | null;
  description: string;
  /** Why --backend auto chose this backend (null when one was named). */
  reason: string | null;
}

/** Resolves --backend, makes it the default backend, and describes it. */
export async function chooseBackend(
  name: string | undefined,
): Promise<{ backend: Backend; info: BackendInfo }> {
  const wanted = (name ?? 'auto') as 'auto' | 'cpu' | 'wasm' | 'gpu';
  if (wanted === 'cpu') {
    setDefaultBackend(cpu);
    return {
      backend: cpu,
      info: {
        backend: 'cpu',
        gpuMode: null,
        adapter: null,
        description: cpu.describe(),
        reason: null,
      },
    };
  }
  const select = await import('../tensor/select.js');
  const backend = await select.selectBackend(wanted);
  const gi = select.backendInfo(backend);
  return {
    backend,
    info: {
      backend: gi.backend,
      gpuMode: gi.gpuMode,
      adapter: gi.adapter,
      description: backend.describe(),
      reason: wanted === 'auto' ? select.autoReason() : null,
    },
  };
}

export function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) return (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version;
    dir = dirname(dir);
  }
  return 'unknown';
}

/**
 * The dataset of --data, with skipped files reported on stderr. A folder holding train/ and
 * val/ (or test/) image sub-folders gives both splits (the layout of the official eval scripts).
 */
export function loadData(
  path: string | undefined,
  log: (s: string) => void,
  maxPixels?: number,
): DatasetSplits {
  const warn = (msg: string) => log(`warning: ${msg}`);
  if (path) {
    if (!existsSync(path)) throw new UsageError(`--data: ${path}: no such file or directory`);
    if (!statSync(path).isDirectory())
      throw new UsageError(
        `--data: ${path}: expected a folder (of Fashion-MNIST idx files, or of images), got a file`,
      );
  }
  if (path && existsSync(path) && statSync(path).isDirectory()) {
    const trainDir = join(path, 'train');
    const testDir = ['val', 'test']
      .map((d) => join(path, d))
      .find((d) => existsSync(d) && statSync(d).isDirectory());
    if (existsSync(trainDir) && statSync(trainDir).isDirectory() && testDir)
      return loadTrainValFolders(trainDir, testDir, { warn, maxPixels });
  }
  return loadDataset(path, { warn, maxPixels });
}

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

/** Where human-readable output goes: stderr under --json, else stdout. */
export function logger(json: boolean): (s: string) => void {
  return json ? (s) => process.stderr.write(s + '\n') : (s) => process.stdout.write(s + '\n');
}

export function printJson(obj: unknown): void {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`;
}

/** A one-line progress bar on a TTY; on pipes a plain line every `every` updates. */
export class ProgressBar {
  private count = 0;
  /** A TTY bar line is on screen without its newline. */
  private open = false;
  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly every = 10,
  ) {}

  update(fraction: number, text: string): void {
    this.count++;
    if (this.stream.isTTY) {
      const width = 24;
      const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
      const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`;
      const cols = (this.stream.columns ?? 120) - 1;
      this.stream.write(`\r${line.slice(0, cols).padEnd(Math.min(119, cols))}`);
      this.open = true;
    } else if (this.count % this.every === 0 || fraction >= 1) {
      this.stream.write(`${text}\n`);
    }
  }

  /** Ends the bar's line (if one is on screen), so that other output starts on a fresh line. */
  done(): void {
    if (this.open) this.stream.write('\n');
    this.open = false;
  }
}
