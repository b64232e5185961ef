#!/usr/bin/env node
// Runs every test file (test/**/*.test.ts) in its own Node process with tsx, two at a time,
// and prints one summary line "N passed, N failed" that CI counts. Each file is a uvu suite.
//   npm test                      all files
//   npm test -- test/autograd     only files under a path (or matching a substring)
// Environment: TEST_JOBS (parallel processes, default 2), MINI_DINO_GPU_MODE is passed through.

import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const filters = process.argv.slice(2);
const jobs = Math.max(1, Number(process.env.TEST_JOBS ?? 2));

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

const files = walk(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x.replace(/^\.\//, ''))))
  .sort();

// eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');

function runFile(file) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      const text = strip(out);
      const total = Number(/Total:\s+(\d+)/.exec(text)?.[1] ?? NaN);
      const passed = Number(/Passed:\s+(\d+)/.exec(text)?.[1] ?? NaN);
      // uvu's Total counts the tests that ran; skipped ones are reported apart
      let p = passed;
      let f = total - passed;
      if (Number.isNaN(total) || Number.isNaN(passed)) {
        p = 0;
        f = 1; // the file crashed before reporting
      } else if (code !== 0 && f === 0) {
        f = 1; // exited non-zero after reporting (an unhandled error)
      }
      resolve({ file, passed: p, failed: f, ms: Date.now() - t0, text });
    });
  });
}

const results = [];
let next = 0;
async function worker() {
  while (next < files.length) {
    const file = files[next++];
    const r = await runFile(file);
    results.push(r);
    const status = r.failed === 0 ? 'ok  ' : 'FAIL';
    console.log(
      `${status} ${r.file}  (${r.passed} passed, ${r.failed} failed, ${(r.ms / 1000).toFixed(1)} ` +
        `s)`,
    );
    if (r.failed > 0)
      console.log(
        r.text
          .split('\n')
          .map((l) => '    ' + l)
          .join('\n'),
      );
  }
}
const t0 = Date.now();
await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));
const passed = results.reduce((s, r) => s + r.passed, 0);
const failed = results.reduce((s, r) => s + r.failed, 0);
console.log(`\n${files.length} files in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && files.length > 0 ? 0 : 1);
