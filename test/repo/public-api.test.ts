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

/** package.json exports: each source entry once, named by its first subpath (browser builds
 * of `.` are the `./browser` entry). */
function entries(): Map<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const out = new Map<string, string>();
  const seen = new Set<string>();
  for (const [sub, target] of Object.entries<Record<string, string>>(pkg.exports)) {
    for (const file of Object.values(target).filter((f) => f.endsWith('.js'))) {
      const src = join(root, file.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
      if (seen.has(src)) continue;
      seen.add(src);
      const name = sub === '.' && !out.has('mini-dino') ? 'mini-dino' : `mini-dino/${sub.slice(2)}`;
      out.set(src.includes('/browser/') ? 'mini-dino/browser' : name, src);
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
  const entryFiles = new Set([...files.values()]);
  const list = (name: string, mod: ts.Symbol, prefix: string) => {
    for (const sym of checker.getExportsOfModule(mod)) {
      const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
      const isValue = (target.flags & ts.SymbolFlags.Value) !== 0;
      lines.push(`${name}: ${isValue ? '' : 'type '}${prefix}${sym.getName()}`);
      // a namespace (import * as dino) that is not an entry of its own: list its names too
      const decl = target.valueDeclaration ?? target.declarations?.[0];
      if (target.flags & ts.SymbolFlags.ValueModule && decl && ts.isSourceFile(decl)) {
        if (!entryFiles.has(decl.fileName)) list(name, target, `${prefix}${sym.getName()}.`);
      }
    }
  };
  for (const [name, file] of files) {
    const sf = program.getSourceFile(file);
    assert.ok(sf, `${name}: ${file} not found`);
    list(name, checker.getSymbolAtLocation(sf!)!, '');
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

test('mini-dino/browser: the same engine, and namespaces that are subsets of the Node ones', () => {
  const names = publicNames();
  const of = (entry: string) =>
    names.filter((l) => l.startsWith(`${entry}: `)).map((l) => l.slice(entry.length + 2));
  const node = new Set(of('mini-dino'));
  const browser = of('mini-dino/browser');
  const browserOnly = ['browserPlatform', 'platform', 'setPlatform', 'type Platform'];
  const engine = (l: string) => !/^(type )?(data|dino|io|nn)(\.|$)/.test(l);
  assert.equal(
    browser.filter((l) => engine(l) && !browserOnly.includes(l)).sort(),
    [...node].filter(engine).sort(),
    'the engine names of the two entries differ',
  );
  const subpath = (ns: string) => new Set(of(`mini-dino/${ns}`));
  const extra = browser
    .filter((l) => !engine(l) && l.includes('.'))
    .filter((l) => {
      const [kind, rest] = l.startsWith('type ') ? ['type ', l.slice(5)] : ['', l];
      const [ns, name] = rest.split('.');
      return !subpath(ns).has(kind + name);
    });
  assert.equal(extra, ['data.fetchEmbeddedFashionMnist', 'type data.FetchBytes']);
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
