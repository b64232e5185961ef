// The public API is small, explicit and pinned. Every entry of package.json `exports` is read
// with the TypeScript compiler and its exported names (values and types) are compared with
// test/repo/public-api.txt, so a name that appears or disappears is a decision made in a diff of
// that file. Also: no entry re-exports with `export *` (a reader sees every name where it is
// exported), and no function or class is public under two names.
// To accept a change: UPDATE_PUBLIC_API=1 npx tsx test/repo/public-api.test.ts

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const pinned = join(root, 'test', 'repo', 'public-api.txt');

/** package.json exports: subpath → source entry (./dist/nn/index.js → src/nn/index.ts). */
function entries(): Map<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const out = new Map<string, string>();
  for (const [sub, target] of Object.entries<Record<string, string>>(pkg.exports)) {
    for (const file of new Set(Object.values(target).filter((f) => f.endsWith('.js')))) {
      const name = sub === '.' ? 'mini-dino' : `mini-dino/${sub.slice(2)}`;
      const src = join(root, file.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
      const key = out.has(name) ? `${name} (${file})` : name;
      out.set(key, src);
    }
  }
  return out;
}

function publicNames(): string[] {
  const files = entries();
  const program = ts.createProgram([...files.values()], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const lines: string[] = [];
  for (const [name, file] of files) {
    const sf = program.getSourceFile(file);
    assert.ok(sf, `${name}: ${file} not found`);
    const mod = checker.getSymbolAtLocation(sf!);
    for (const sym of checker.getExportsOfModule(mod!)) {
      const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
      const isValue = (target.flags & ts.SymbolFlags.Value) !== 0;
      lines.push(`${name}: ${isValue ? '' : 'type '}${sym.getName()}`);
    }
  }
  return lines.sort();
}

test('no entry re-exports with export *', () => {
  for (const [name, file] of entries()) {
    const text = readFileSync(file, 'utf8');
    assert.not.ok(/^export \*/m.test(text), `${name} (${file}) has an export *`);
  }
});

test('the public names are the pinned list', () => {
  const now = publicNames();
  if (process.env.UPDATE_PUBLIC_API) writeFileSync(pinned, now.join('\n') + '\n');
  const want = readFileSync(pinned, 'utf8').trim().split('\n');
  const added = now.filter((n) => !want.includes(n));
  const removed = want.filter((n) => !now.includes(n));
  assert.equal(
    { added, removed },
    { added: [], removed: [] },
    'public API changed; if intended, UPDATE_PUBLIC_API=1 npx tsx test/repo/public-api.test.ts',
  );
});

test('one name per function: no value is public under two names', async () => {
  const seen = new Map<unknown, string>();
  const dupes: string[] = [];
  for (const [name, file] of entries()) {
    const mod: Record<string, unknown> = await import(pathToFileURL(file).href);
    for (const [key, value] of Object.entries(mod)) {
      if (typeof value !== 'function') continue;
      const here = `${name}: ${key}`;
      const first = seen.get(value);
      // the same value under the same name in the top level's namespace and its subpath is fine
      if (first !== undefined && first.split(': ')[1] !== key) dupes.push(`${first} = ${here}`);
      else if (first === undefined) seen.set(value, here);
    }
  }
  assert.equal(dupes, [], `aliases:\n${dupes.join('\n')}`);
});

test.run();
