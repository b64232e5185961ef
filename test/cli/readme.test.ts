// README.md contains the configuration table generated from src/dino/config.ts by
// configTableMarkdown() (src/cli/help.ts), so README, `train --help` and the defaults cannot
// drift apart. When a config field changes, paste the new table into README.md:
//   npx tsx -e "import('./src/cli/help.ts').then((m) => console.log(m.configTableMarkdown()))"
// NOTE (CLI tests, for the lead): this test fails until README.md exists and holds the table.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configTableMarkdown } from '../../src/cli/help.js';

const readme = join(import.meta.dirname, '..', '..', 'README.md');
const HOW =
  "regenerate it with: npx tsx -e \"import('./src/cli/help.ts').then((m) " +
  '=> console.log(m.configTableMarkdown()))"';

test('README.md contains the generated configuration table', () => {
  assert.ok(
    existsSync(readme),
    `README.md does not exist yet (it must contain the configuration table; ${HOW})`,
  );
  const text = readFileSync(readme, 'utf8').replace(/\r\n/g, '\n');
  const table = configTableMarkdown();
  if (!text.includes(table)) {
    // Name the first row that differs, to make the fix obvious.
    const rows = table.split('\n');
    const missing = rows.find((r) => !text.includes(r));
    assert.unreachable(
      `README.md lacks the configuration table${missing ? ` (first missing or changed row: ${missing})` : ' (rows present but not contiguous)'}; ` +
        `${HOW}`,
    );
  }
});

test.run();
