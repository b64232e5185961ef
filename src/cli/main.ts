#!/usr/bin/env node
// The mini-dino command line: train | eval-knn | linear | attention | parity | bench | info.
// Usage errors (unknown flags, bad values, missing files) are one line naming the flag or file,
// exit status 2; other failures exit 1 (MINI_DINO_DEBUG=1 prints the stack); `train` stopped by
// Ctrl-C exits 130 (SIGTERM: 143) after saving its checkpoint.

import '../autograd/index.js';
import { UsageError } from './args.js';
import { attentionCommand } from './attention.js';
import { version } from './output.js';
import { evalKnnCommand } from './eval-knn.js';
import { benchCommand, infoCommand } from './info.js';
import { linearCommand } from './linear.js';
import { parityCommand } from './parity.js';
import { trainCommand } from './train.js';

const COMMANDS: Record<
  string,
  { run: (argv: readonly string[]) => Promise<number>; summary: string }
> = {
  train: {
    run: trainCommand,
    summary:
      'train a ViT with DINO (embedded Fashion-MNIST by default), then k-NN on held-out images',
  },
  'eval-knn': { run: evalKnnCommand, summary: 'weighted k-NN top-1 of a checkpoint (eval_knn.py)' },
  linear: {
    run: linearCommand,
    summary: 'linear probe on frozen features (eval_linear.py, scaled down)',
  },
  attention: {
    run: attentionCommand,
    summary: "PNG maps of the last layer's [CLS] attention per head (visualize_attention.py)",
  },
  parity: { run: parityCommand, summary: 'check one DINO step against a PyTorch float64 fixture' },
  bench: {
    run: benchCommand,
    summary: 'time a full training step (bench step --config tiny|small|recipe)',
  },
  info: { run: infoCommand, summary: 'version, backend, gpu mode and adapter' },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  return [
    `mini-dino ${version()}: DINO self-supervised Vision Transformers ` +
      `on a from-scratch TypeScript engine`,
    '',
    'Usage: mini-dino <command> [flags]     (mini-dino <command> --help for its flags)',
    '',
    ...Object.entries(COMMANDS).map(([c, { summary }]) => `  ${c.padEnd(width)}${summary}`),
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(usage() + '\n');
    return cmd ? 0 : 2;
  }
  if (cmd === '--version' || cmd === '-v') {
    process.stdout.write(version() + '\n');
    return 0;
  }
  const command = COMMANDS[cmd];
  if (!command) {
    process.stderr.write(
      `mini-dino: unknown command '${cmd}' (expected one of ${Object.keys(COMMANDS).join(', ')})\n`,
    );
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    const err = e as Error;
    if (process.env.MINI_DINO_DEBUG && process.env.MINI_DINO_DEBUG !== '0')
      process.stderr.write(`${err.stack}\n`);
    process.stderr.write(`mini-dino ${cmd}: ${err.message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
