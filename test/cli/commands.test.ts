// The small commands and the CLI's contract: `parity`, `bench step`, `info` (--json fields as the
// README documents them; no WebGPU adapter is a clear error), usage errors (one line naming the
// flag or file, exit 2), and --help for every command (train's lists every config field's flag).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../src/cli/args.js';
import { attentionCommand } from '../../src/cli/attention.js';
import { evalKnnCommand } from '../../src/cli/eval-knn.js';
import { benchCommand, infoCommand } from '../../src/cli/info.js';
import { linearCommand } from '../../src/cli/linear.js';
import { parityCommand } from '../../src/cli/parity.js';
import { trainCommand } from '../../src/cli/train.js';
import { CONFIG_FIELDS } from '../../src/dino/config.js';
import { kebab } from '../../src/dino/config-field.js';
import { expectExit, lastJson, ROOT, runCli, type CliResult } from './helpers.js';

const pkgVersion = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

/** stderr without the lines Dawn prints when it looks for Vulkan (not ours). */
const ownStderr = (r: CliResult) => r.stderr.split('\n').filter((l) => l.trim() !== '');

/** Lines Dawn (the webgpu package) writes when it looks for Vulkan and finds none. */
const DAWN_NOISE = /^Warning:|at operator\(\)|BackendVk|vkCreateInstance|VK_ERROR/;

/** Chromium's SwiftShader Vulkan driver (Debian package chromium; .ci/run installs it). */
const SWIFTSHADER = {
  VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json',
  LD_LIBRARY_PATH: '/usr/lib/chromium',
};

test('parity FIXTURE --json: ok, backend, dtype, errors per group', async () => {
  const r = await runCli(['parity', 'test/fixtures/initial-1ch.safetensors', '--json']);
  expectExit(r, 0, 'parity');
  const j = lastJson(r);
  assert.is(j.ok, true);
  assert.is(j.backend, 'cpu');
  assert.is(j.dtype, 'float64');
  const errors = j.errors as Record<string, number>;
  assert.equal(Object.keys(errors).sort(), ['after', 'features', 'grads', 'logits', 'loss']);
  for (const [g, e] of Object.entries(errors)) assert.ok(e >= 0 && e <= 1e-8, `${g}: ${e}`);
});

test(
  'bench step --config tiny --steps 1 --json: config, backend, msPerStep, ' + 'imgPerSec',
  async () => {
    const r = await runCli([
      'bench',
      'step',
      '--config',
      'tiny',
      '--steps',
      '1',
      '--warmup',
      '0',
      '--backend',
      'wasm',
      '--json',
    ]);
    expectExit(r, 0, 'bench step');
    const j = lastJson(r);
    assert.is(j.config, 'tiny');
    assert.is(j.backend, 'wasm');
    assert.ok(typeof j.msPerStep === 'number' && j.msPerStep > 0);
    assert.ok(
      typeof j.imgPerSec === 'number' &&
        Math.abs((j.imgPerSec as number) - 32000 / (j.msPerStep as number)) <
          1e-6 * (j.imgPerSec as number),
      'batch 32',
    );
  },
);

test('info --json: version, backend, gpuMode, adapter, why auto chose it', async () => {
  const r = await runCli(['info', '--json']);
  expectExit(r, 0, 'info');
  const j = lastJson(r);
  assert.is(j.version, pkgVersion);
  // auto: WebGPU on a hardware adapter, else wasm (Node 20 has WebAssembly SIMD and threads)
  assert.ok(j.backend === 'wasm' || j.backend === 'gpu', String(j.backend));
  assert.match(String(j.reason), j.backend === 'gpu' ? /adapter .* answered/ : /WebGPU adapter/);
  assert.match(ownStderr(r).join('\n'), /chosen by --backend auto: /);
  assert.ok(
    [null, 'webgpu', 'webasm', 'cpu'].includes(j.gpuMode as string | null),
    String(j.gpuMode),
  );
  assert.ok('adapter' in j);
  if (j.backend === 'wasm') assert.is(j.gpuMode, null);
  assert.ok(j.webgpu && typeof j.webgpu === 'object', 'webgpu: what WebGPU offers here');
  const noise = r.stderr.split('\n').filter((l) => DAWN_NOISE.test(l));
  assert.equal(noise, [], 'no Dawn/Vulkan warnings on stderr');
  const cpu = lastJson(await runCli(['info', '--backend', 'cpu', '--json']));
  assert.equal(
    [cpu.backend, cpu.gpuMode, cpu.adapter, cpu.reason, cpu.webgpu],
    ['cpu', null, null, null, null],
  );
  const wasm = lastJson(await runCli(['info', '--backend', 'wasm', '--json']));
  assert.equal([wasm.backend, wasm.gpuMode, wasm.reason, wasm.webgpu], ['wasm', null, null, null]);
});

test('info with a Vulkan loader but no driver: no adapter, said in one line, no Dawn noise', async () => {
  const r = await runCli(['info', '--json'], {
    LD_LIBRARY_PATH: SWIFTSHADER.LD_LIBRARY_PATH,
    VK_ICD_FILENAMES: '/nonexistent/icd.json',
  });
  expectExit(r, 0, 'info');
  const j = lastJson(r);
  assert.is(j.backend, 'wasm');
  assert.equal(
    r.stderr.split('\n').filter((l) => DAWN_NOISE.test(l)),
    [],
  );
  assert.match(r.stderr, /webgpu: no adapter \(.*Vulkan/);
});

(existsSync(SWIFTSHADER.VK_ICD_FILENAMES) ? test : test.skip)(
  'SwiftShader (software WebGPU): auto keeps the wasm backend and says why; --backend gpu uses it',
  async () => {
    const auto = await runCli(['info', '--json'], SWIFTSHADER);
    expectExit(auto, 0, 'info');
    const a = lastJson(auto);
    assert.equal([a.backend, a.gpuMode], ['wasm', null]);
    const w = a.webgpu as { adapter: string; software: boolean };
    assert.match(w.adapter, /SwiftShader/);
    assert.is(w.software, true);
    assert.match(auto.stderr, /software renderer: --backend auto never picks it/);
    const gpu = lastJson(await runCli(['info', '--backend', 'gpu', '--json'], SWIFTSHADER));
    assert.equal([gpu.backend, gpu.gpuMode], ['gpu', 'webgpu']);
    assert.match(String(gpu.adapter), /SwiftShader/);
  },
);

test('info --backend gpu with MINI_DINO_GPU_MODE=webgpu: no adapter is a clear error', async () => {
  const r = await runCli(['info', '--backend', 'gpu', '--json'], { MINI_DINO_GPU_MODE: 'webgpu' });
  if (r.code === 0) {
    // A machine with a WebGPU adapter: then it must be used.
    const j = lastJson(r);
    assert.equal([j.backend, j.gpuMode], ['gpu', 'webgpu']);
    assert.ok(j.adapter, 'adapter described');
    return;
  }
  assert.ok(r.code !== null && r.code !== 0, `exit ${r.code}`);
  assert.match(ownStderr(r).join('\n'), /^mini-dino info: .*no WebGPU adapter was found/);
  assert.is(r.stdout, '');
});

// ---- usage errors: one line naming the flag or file, exit 2, nothing on stdout

/** Through the real CLI process: exit status, one line on stderr, empty stdout. */
const spawnedUsageErrors: [string[], RegExp][] = [
  [
    ['train', '--epoch', '2'],
    /^mini-dino train: unknown flag --epoch for 'mini-dino train'; did you mean --epochs\?/,
  ],
  [['train', '--epochs', 'two'], /^mini-dino train: --epochs: expected an integer, got 'two'$/],
  [
    ['train', '--data', '/nonexistent/fashion'],
    /^mini-dino train: --data: \/nonexistent\/fashion: no such file or directory$/,
  ],
  [
    ['eval-knn', '--checkpoint', '/nonexistent.safetensors'],
    /^mini-dino eval-knn: --checkpoint: \/nonexistent\.safetensors: no such file$/,
  ],
  [
    ['parity', '/nonexistent.safetensors'],
    /^mini-dino parity: FIXTURE: \/nonexistent\.safetensors: no such file$/,
  ],
  [['frobnicate'], /^mini-dino: unknown command 'frobnicate'/],
];

test('usage errors from the CLI process: one line naming the flag or file, exit 2', async () => {
  const results = await Promise.all(spawnedUsageErrors.map(([args]) => runCli(args)));
  spawnedUsageErrors.forEach(([args, re], i) => {
    const r = results[i];
    const what = `mini-dino ${args.join(' ')}`;
    expectExit(r, 2, what);
    const lines = ownStderr(r);
    assert.is(lines.length, 1, `${what}: ${lines.length} lines on stderr:\n${r.stderr}`);
    assert.match(lines[0], re, what);
    assert.is(r.stdout, '', `${what}: stdout`);
  });
});

/** In-process (main.ts turns a UsageError into one line and exit 2): the error and its message. */
const usageErrors: [(argv: readonly string[]) => Promise<number>, string[], RegExp][] = [
  [trainCommand, ['--teacher_temp', 'hot'], /^--teacher_temp: expected a number, got 'hot'$/],
  [trainCommand, ['--epochs', '0'], /^--epochs must be ≥ 1, got 0$/],
  [trainCommand, ['--global-crops-scale=0.4'], /^--global-crops-scale: expected 2 values, got 1/],
  [
    trainCommand,
    ['--num-heads', '3'],
    /^--num-heads \(3\) must divide the embedding dimension 64$/,
  ],
  [trainCommand, ['--preset', 'huge'], /^--preset: expected one of full, got 'huge'$/],
  [
    trainCommand,
    ['--backend', 'tpu'],
    /^--backend: expected one of auto, cpu, wasm, gpu, got 'tpu'$/,
  ],
  [trainCommand, ['--data', 'package.json'], /^--data: package\.json: expected a folder/],
  [trainCommand, ['extra'], /unexpected argument 'extra'/],
  [trainCommand, ['--epochs'], /^--epochs: missing value \(expected an integer\)$/],
  // hostile values: Number() would read '0x10' as 16, '' as 0; huge integers lose digits.
  // (--epochs 0 makes a wrongly accepted value fail fast instead of starting a training.)
  [trainCommand, ['--lr', '0x10', '--epochs', '0'], /^--lr: expected a number, got '0x10'$/],
  [trainCommand, ['--lr=', '--epochs', '0'], /^--lr: expected a number, got ''$/],
  [
    trainCommand,
    ['--global-crops-scale', '0x1,1', '--epochs', '0'],
    /^--global-crops-scale: expected numbers/,
  ],
  [trainCommand, ['--nb_knn', '1e3', '--epochs', '0'], /^--nb_knn: expected integers, got '1e3'$/],
  [
    trainCommand,
    ['--epochs', '100000000000000000000'],
    /^--epochs: '100000000000000000000' is out of range \(expected an integer below 2\^53\)$/,
  ],
  [trainCommand, ['--data=', '--epochs', '0'], /^--data: empty value \(expected PATH\)$/],
  [trainCommand, ['--out=', '--epochs', '0'], /^--out: empty value \(expected DIR\)$/],
  [
    trainCommand,
    ['--norm-last-layer=maybe'],
    /^--norm-last-layer: expected true or false, got 'maybe'$/,
  ],
  [evalKnnCommand, [], /^--checkpoint is required$/],
  [
    evalKnnCommand,
    ['--checkpoint', 'package.json', '--k', '0,20'],
    /^--k: every k must be at least 1/,
  ],
  [
    evalKnnCommand,
    ['--checkpoint', 'package.json', '--k', '10,x'],
    /^--k: expected integers, got 'x'$/,
  ],
  [
    evalKnnCommand,
    ['--checkpoint', 'package.json', '--data', '/nonexistent'],
    /^--data: \/nonexistent: no such file or directory$/,
  ],
  [
    linearCommand,
    ['--checkpoint', '/nonexistent.safetensors'],
    /^--checkpoint: \/nonexistent\.safetensors: no such file$/,
  ],
  [linearCommand, ['--checkpoint', 'package.json', '--lr', '0'], /^--lr: must be positive, got 0$/],
  [
    attentionCommand,
    ['--checkpoint', 'package.json', '--image', '/nonexistent.png'],
    /^--image: \/nonexistent\.png: no such file$/,
  ],
  [
    attentionCommand,
    ['--checkpoint', 'package.json', '--image', 'src'],
    /^--image: src: expected a file, got a folder$/,
  ],
  [evalKnnCommand, ['--checkpoint', 'src'], /^--checkpoint: src: expected a file, got a folder$/],
  [
    attentionCommand,
    ['--checkpoint', 'package.json', '--image', 'package.json', '--threshold', '2'],
    /^--threshold: expected a fraction in \[0, 1\], got 2$/,
  ],
  [parityCommand, [], /expected exactly one FIXTURE file/],
  [parityCommand, ['a', 'b'], /expected exactly one FIXTURE file/],
  [benchCommand, [], /expected 'bench step'/],
  [
    benchCommand,
    ['step', '--config', 'huge'],
    /^--config: expected one of tiny, small, recipe, got 'huge'$/,
  ],
  [benchCommand, ['step', '--steps', '0'], /^--steps: must be at least 1, got 0$/],
  [benchCommand, ['step', '--warmup', '-1'], /^--warmup: must be at least 0, got -1$/],
  [infoCommand, ['--verbose'], /^unknown flag --verbose for 'mini-dino info'/],
];

test('usage errors: a UsageError naming the flag or file, on one line', async () => {
  for (const [command, argv, re] of usageErrors) {
    const what = `${command.name} ${argv.join(' ')}`;
    try {
      await command(argv);
      assert.unreachable(`${what}: no error`);
    } catch (e) {
      assert.instance(e, UsageError, `${what}: ${(e as Error).message}`);
      assert.match((e as Error).message, re, what);
      assert.not.match((e as Error).message, /\n/, `${what}: one line`);
    }
  }
});

// ---- help (in-process: each command prints its help on stdout and returns 0)

async function helpOf(command: (argv: readonly string[]) => Promise<number>): Promise<string> {
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    assert.is(await command(['--help']), 0, `${command.name} --help`);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

const helpMentions: [string, (argv: readonly string[]) => Promise<number>, string[]][] = [
  [
    'eval-knn',
    evalKnnCommand,
    ['--checkpoint', '--data', '--k', '--baselines', '--checkpoint-key', '--backend', '--json'],
  ],
  [
    'linear',
    linearCommand,
    ['--checkpoint', '--epochs', '--lr', 'default 0.2', '--n-last-blocks', '--json'],
  ],
  [
    'attention',
    attentionCommand,
    ['--checkpoint', '--image', '--out', '--size', '--threshold', '--json'],
  ],
  ['parity', parityCommand, ['FIXTURE', '--backend', '--dtype', '--json']],
  ['bench', benchCommand, ['bench step', '--config', '--steps', '--warmup', '--backend', '--json']],
  ['info', infoCommand, ['--backend', '--json']],
  [
    'train',
    trainCommand,
    ['--data', '--out', '--resume', '--backend', '--json', '--baselines', '--quiet', '--preset'],
  ],
];

test('<command> --help: usage and the flags on stdout, status 0', async () => {
  for (const [name, command, mentions] of helpMentions) {
    const out = await helpOf(command);
    assert.match(out, new RegExp(`^Usage: mini-dino ${name}`), name);
    for (const m of mentions) assert.ok(out.includes(m), `${name} --help does not mention ${m}`);
  }
});

test(
  'train --help lists every config field (kebab-case and official spelling, ' + 'with defaults)',
  async () => {
    const out = await helpOf(trainCommand);
    for (const [key, f] of Object.entries(CONFIG_FIELDS)) {
      const name = kebab(key);
      assert.ok(new RegExp(`--${name}\\b`).test(out), `--${name} missing from train --help`);
      assert.ok(
        new RegExp(`--${f.flag}\\b`).test(out),
        `--${f.flag} (official) missing from train --help`,
      );
    }
    assert.match(
      out,
      /--teacher-temp, --teacher_temp <number>\n\s+.*\(default 0\.04; official 0\.04; paper 0\.04 → 0\.07 over 30 epochs\)/,
    );
    // a preset's value beside the default, and the preset on its own line with its data
    assert.match(out, /--epochs <int>\n\s+.*\(default 9; --preset full: 8; official 100/);
    assert.match(out, /^ {2}full: .*; data \/usr\/share\/datasets\/fashion-mnist unless --data; /m);
  },
);

test(
  'mini-dino --help, <command> --help, no command, --version (the process ' + 'exit statuses)',
  async () => {
    const [help, trainHelp, none, ver] = await Promise.all([
      runCli(['--help']),
      runCli(['train', '--help']),
      runCli([]),
      runCli(['--version']),
    ]);
    expectExit(help, 0, '--help');
    expectExit(trainHelp, 0, 'train --help');
    assert.match(trainHelp.stdout, /^Usage: mini-dino train/);
    for (const c of ['train', 'eval-knn', 'linear', 'attention', 'parity', 'bench', 'info'])
      assert.match(help.stdout, new RegExp(`^  ${c} `, 'm'));
    expectExit(none, 2, 'no command');
    assert.match(none.stdout, /^mini-dino /);
    expectExit(ver, 0, '--version');
    assert.is(ver.stdout.trim(), pkgVersion);
  },
);

test.run();
