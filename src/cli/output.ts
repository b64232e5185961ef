// How the CLI writes: with --json, everything human-readable goes to stderr and stdout's last
// line is one JSON object (scripts depend on it; the fields are documented in the README); the
// progress bar, durations and the package version.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) return (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version;
    dir = dirname(dir);
  }
  return 'unknown';
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
