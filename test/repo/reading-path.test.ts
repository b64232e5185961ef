// The reading path of an op stays short: forward and backward in one file, then the kernel in
// each backend, in a file of the kernel's name. This test computes, from the source, the files a
// reader opens to follow `matmul`, `softmax` and `layerNorm`, fails above five, and checks that
// docs/READING.md lists exactly those files.
//
// How the files are found: the op's function in src/autograd/ops/ and the functions of that file
// it calls (matmul → gemm) give the kernels it runs (`k.name(` inside run()); each backend folder
// must define each kernel as an exported function in one file, which its index.ts imports; and
// any other file of that folder the kernel file imports counts too, unless it is the backend's
// machinery (storage, launching, the module writer: read once per backend, not per op, and
// listed in docs/READING.md).

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const MAX_FILES = 5;
const OPS = ['matmul', 'softmax', 'layerNorm'];

/** Per backend folder, the files every kernel leans on that are read once (docs/READING.md). */
const MACHINERY: Record<string, string[]> = {
  cpu: ['index.ts'],
  wasm: [
    'index.ts',
    'runtime.ts',
    'heap.ts',
    'module.ts',
    'writer.ts',
    'instructions.ts',
    'simd.ts',
    'rows.ts',
    'threads.ts',
    'worker.ts',
    'control.ts',
  ],
  gpu: ['index.ts', 'runtime.ts', 'helpers.ts', 'mode.ts', 'wgsl.ts', 'device.ts', 'gpujs.ts'],
};

const backends = readdirSync(join(root, 'src/tensor'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, 'src/tensor', d.name, 'index.ts')))
  .map((d) => d.name)
  .sort();

/** The body of `function name(...)` in `text`, or null. */
function functionBody(text: string, name: string): string | null {
  const m = new RegExp(`function ${name}\\s*[(<]`).exec(text);
  if (!m) return null;
  let i = m.index + m[0].length - 1;
  let depth = 0;
  for (; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) break;
  }
  const open = text.indexOf('{', i);
  depth = 0;
  for (let j = open; j < text.length; j++) {
    if (text[j] === '{') depth++;
    else if (text[j] === '}' && --depth === 0) return text.slice(open, j + 1);
  }
  return null;
}

/** The ops file that defines `op`, and the kernels it and its same-file helpers run. */
function opKernels(op: string): { file: string; kernels: Set<string> } {
  const dir = 'src/autograd/ops';
  const file = readdirSync(join(root, dir))
    .map((f) => `${dir}/${f}`)
    .find((f) => new RegExp(`^export function ${op}\\(`, 'm').test(read(f)));
  assert.ok(file, `no src/autograd/ops file defines ${op}`);
  const text = read(file!);
  const kernels = new Set<string>();
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const body = functionBody(text, name);
    if (!body) return; // not a function of this file
    assert.not.match(body, /\.backend\.\w+\(/, `${op}: ${name} calls a kernel outside run()`);
    for (const m of body.matchAll(/\bk\.(\w+)\(/g)) kernels.add(m[1]);
    for (const m of body.matchAll(/\b(\w+)\(/g)) visit(m[1]);
  };
  visit(op);
  assert.ok(/\brecord\(/.test(text), `${file}: no backward rule (record) next to ${op}`);
  return { file: file!, kernels };
}

/** The files of `backend` a reader opens for `kernel`. */
function kernelFiles(backend: string, kernel: string): string[] {
  const dir = `src/tensor/${backend}`;
  const defining = readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .filter((f) =>
      new RegExp(`^export (async )?function ${kernel}\\b`, 'm').test(read(`${dir}/${f}`)),
    );
  assert.is(defining.length, 1, `${dir}: ${kernel} defined in ${defining.length} files`);
  const file = defining[0];
  const index = read(`${dir}/index.ts`);
  const imports = new RegExp(
    `import \\{[^}]*\\b${kernel}\\b[^}]*\\} from '\\./${file.replace('.ts', '.js')}'`,
  );
  assert.ok(imports.test(index), `${dir}/index.ts does not take ${kernel} from ${file}`);
  const out = [`${dir}/${file}`];
  for (const m of read(`${dir}/${file}`).matchAll(
    /^import (type )?\{[^}]*\} from '\.\/([\w-]+)\.js'/gm,
  )) {
    const dep = `${m[2]}.ts`;
    if (m[1] || MACHINERY[backend]?.includes(dep)) continue;
    out.push(`${dir}/${dep}`);
  }
  return out;
}

function readingPath(op: string): string[] {
  const { file, kernels } = opKernels(op);
  assert.ok(kernels.size > 0, `${op}: no kernel found`);
  const files = new Set([file]);
  for (const backend of backends) {
    for (const kernel of kernels) for (const f of kernelFiles(backend, kernel)) files.add(f);
  }
  return [...files];
}

/** The files docs/READING.md lists for `op` in its reading-paths table. */
function documented(op: string): string[] {
  const doc = read('docs/READING.md');
  const table = /<!-- reading-paths[^>]*-->([\s\S]*?)<!-- \/reading-paths -->/.exec(doc);
  assert.ok(table, 'docs/READING.md has no reading-paths table');
  const row = table![1].split('\n').find((l) => l.startsWith(`| \`${op}\` |`));
  assert.ok(row, `docs/READING.md: no row for ${op}`);
  return [...row!.matchAll(/`(src\/[^`]+)`/g)].map((m) => m[1]);
}

for (const op of OPS) {
  test(`${op}: at most ${MAX_FILES} files, as docs/READING.md lists them`, () => {
    const files = readingPath(op);
    assert.ok(
      files.length <= MAX_FILES,
      `${op} is read in ${files.length} files:\n${files.join('\n')}`,
    );
    assert.equal([...documented(op)].sort(), [...files].sort(), `${op}: docs/READING.md differs`);
    console.log(`${op}: ${files.length} files (${files.join(', ')})`);
  });
}

test('every backend machinery file exists and docs/READING.md names it', () => {
  const doc = read('docs/READING.md');
  for (const backend of backends) {
    for (const f of MACHINERY[backend] ?? []) {
      if (!existsSync(join(root, 'src/tensor', backend, f))) continue; // not (or no longer) there
      assert.ok(
        doc.includes(`\`${backend}/${f}\``),
        `docs/READING.md does not name ${backend}/${f}`,
      );
    }
  }
});

test('the counter sees what it should: a kernel file importing a helper file counts it', () => {
  // gpu/softmax.ts reuses the gpu reduction kernels: a reader opens gpu/reduce.ts too
  if (backends.includes('gpu') && /from '\.\/reduce\.js'/.test(read('src/tensor/gpu/softmax.ts')))
    assert.ok(kernelFiles('gpu', 'softmax').includes('src/tensor/gpu/reduce.ts'));
  assert.equal(opKernels('softmax').kernels, new Set(['softmax', 'softmaxBackward']));
  assert.equal(opKernels('matmul').kernels, new Set(['matmul']));
});

test.run();
