// The repository stands on its own: no comment, doc or script may point at something a reader of
// the package cannot open (a path outside the repository, a section of a private specification, a
// ticket of a private tracker). Official DINO issues are cited as "official issue #N" or by URL;
// the method by the paper's section (Caron et al. 2021, §3.1) or the official file and function.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const roots = ['src', 'bench', 'tools', 'test', 'docs', 'demo', '.ci', 'README.md', 'package.json'];
const textFile = /\.(ts|mts|js|mjs|json|md|py|sh|html|css)$|^run$/;

function walk(p: string): string[] {
  let st;
  try {
    st = statSync(p);
  } catch {
    return []; // a root that does not exist (yet)
  }
  if (!st.isDirectory()) return textFile.test(p.split('/').pop()!) ? [p] : [];
  return readdirSync(p).flatMap((name) => (name === 'fixtures' ? [] : walk(join(p, name))));
}

/** What may not appear, and why. Patterns are built from pieces so this file does not match. */
const FORBIDDEN: [RegExp, string][] = [
  [new RegExp(['\\.\\.', 'shared'].join('/')), 'a path outside the repository'],
  [new RegExp('/work' + '/(shared|wt|main)\\b'), 'an absolute path of the development machine'],
  [new RegExp('\\bspec ' + '§|dino-' + 'spec', 'i'), 'a section of a specification not shipped'],
  [new RegExp('\\bissues? ' + '\\d', 'i'), 'a ticket of a tracker not shipped (cite "#N" only)'],
];

test('no comment, doc or script points outside the repository', () => {
  const hits: string[] = [];
  for (const file of roots.flatMap((r) => walk(join(root, r)))) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const [re, why] of FORBIDDEN) {
        if (re.test(line)) hits.push(`${relative(root, file)}:${i + 1}: ${why}: ${line.trim()}`);
      }
    });
  }
  assert.equal(hits.length, 0, `references that leave the repository:\n${hits.join('\n')}`);
});

test('the patterns catch what they are meant to catch', () => {
  const bad = [
    'see ' + '../' + 'shared/docs/gpu.md',
    '(spec ' + '§4)',
    'the default recipe (' + 'issue' + ' 5)',
    'the tiny config of ' + 'issues' + ' 4 and 5',
  ];
  for (const line of bad)
    assert.ok(
      FORBIDDEN.some(([re]) => re.test(line)),
      line,
    );
  const good = ['official issue #279', 'paper §3.1', 'main_dino.py DINOLoss', 'issue #8'];
  for (const line of good)
    assert.not.ok(
      FORBIDDEN.some(([re]) => re.test(line)),
      line,
    );
});

test.run();
