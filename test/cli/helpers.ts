// Helpers for the CLI tests (not a test file itself): run `mini-dino` from the sources as a child
// process, a tiny Fashion-MNIST idx folder cut from the embedded data (so trainings and k-NN on
// it take seconds), and the tiny training configuration every CLI test uses.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEmbeddedFashionMnist } from '../../src/data/embedded.js';
import type { ImageDataset } from '../../src/data/image-dataset.js';
import { encodeIdx, IDX_FILES } from '../../src/data/idx.js';

export const ROOT = join(import.meta.dirname, '..', '..');

/** A small model and head: a step takes milliseconds. */
export const TINY_MODEL = [
  '--embed-dim',
  '32',
  '--depth',
  '2',
  '--num-heads',
  '2',
  '--out-dim',
  '128',
  '--head-hidden-dim',
  '64',
  '--head-bottleneck-dim',
  '32',
];

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  /** Resolves when the process has exited. */
  done: Promise<CliResult>;
  /** Resolves when `pattern` has appeared on stdout or stderr. */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
}

/** Starts `mini-dino ARGS` (from src/, with tsx) in the repository root. */
export function startCli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const check = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].re.test(stdout) || waiters[i].re.test(stderr)) {
        waiters[i].resolve();
        waiters.splice(i, 1);
      }
    }
  };
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    check();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    check();
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const waitFor = (pattern: RegExp | string, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const re =
        typeof pattern === 'string'
          ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          : pattern;
      const timer = setTimeout(
        () => reject(new Error(`no ${re} within ${timeoutMs} ms; stderr:\n${stderr}`)),
        timeoutMs,
      );
      const ok = () => {
        clearTimeout(timer);
        resolve();
      };
      waiters.push({ re, resolve: ok });
      void done.then((r) => {
        clearTimeout(timer);
        if (waiters.some((w) => w.resolve === ok))
          reject(new Error(`exited (${r.code ?? r.signal}) before ${re}; stderr:\n${r.stderr}`));
      });
      check();
    });
  return { child, done, waitFor };
}

/** Runs `mini-dino ARGS` to the end. */
export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  return startCli(args, env).done;
}

/** The last line of stdout as JSON (the --json contract). */
export function lastJson(r: CliResult): Record<string, unknown> {
  const lines = r.stdout.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
  } catch {
    throw new Error(
      `the last stdout line is not JSON (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`,
    );
  }
}

/** Fails with both streams shown when the exit status is not `code`. */
export function expectExit(r: CliResult, code: number, what: string): void {
  if (r.code !== code)
    throw new Error(
      `${what}: exit ${r.code ?? r.signal}, expected ${code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`,
    );
}

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `mini-dino-cli-${tag}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

function writeSplit(dir: string, prefix: 'train' | 't10k', ds: ImageDataset, n: number): void {
  const stride = Math.floor(ds.length / n); // spread over the classes
  const px = 28 * 28;
  const images = new Uint8Array(n * px);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    images.set(ds.image(i * stride).data, i * px);
    labels[i] = ds.labels![i * stride];
  }
  const [img, lab] =
    prefix === 'train'
      ? [IDX_FILES.trainImages, IDX_FILES.trainLabels]
      : [IDX_FILES.testImages, IDX_FILES.testLabels];
  writeFileSync(join(dir, img), encodeIdx([n, 28, 28], images));
  writeFileSync(join(dir, lab), encodeIdx([n], labels));
}

/** A Fashion-MNIST idx folder with `nTrain` train and `nTest` test images of the embedded data. */
export function makeTinyIdx(dir: string, nTrain: number, nTest: number): string {
  const { train, test } = loadEmbeddedFashionMnist();
  mkdirSync(dir, { recursive: true });
  writeSplit(dir, 'train', train, nTrain);
  writeSplit(dir, 't10k', test, nTest);
  return dir;
}
