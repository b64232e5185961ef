// `mini-dino info` and `mini-dino bench step`.
// info --json: {"version", "backend": "cpu"|"wasm"|"gpu", "gpuMode": "webgpu"|"webasm"|"cpu"|null,
// "adapter", "reason": why --backend auto chose it (null when named), "node",
// "webgpu": {"adapter", "software", "reason"} | null (null with --backend cpu or wasm)}.
// bench step --json: {"config", "backend", "msPerStep", "imgPerSec", "phases"}.

import { BENCH_CONFIGS, type BenchConfigName, benchStep } from '../dino/bench-step.js';
import { type FlagSpec, parseArgs, UsageError } from './args.js';
import { chooseBackend } from './backend.js';
import { BACKEND_FLAG, bool, HELP_FLAG, JSON_FLAG, str } from './flags.js';
import { logger, printJson, version } from './output.js';
import { formatFlags } from './help.js';

const INFO_FLAGS: FlagSpec[] = [BACKEND_FLAG, JSON_FLAG, HELP_FLAG];

export async function infoCommand(argv: readonly string[]): Promise<number> {
  const p = parseArgs(argv, INFO_FLAGS, 'info');
  if (bool(p, 'help')) {
    process.stdout.write(
      [
        'Usage: mini-dino info [--backend auto|cpu|wasm|gpu] [--json]',
        '',
        'Version, the backend that would run and why, its gpu.js mode and adapter, and the WebGPU',
        'adapter this machine offers (a software one, such as SwiftShader, is used only with',
        '--backend gpu).',
        '',
        formatFlags(INFO_FLAGS),
      ].join('\n') + '\n',
    );
    return 0;
  }
  const json = bool(p, 'json');
  const wanted = str(p, 'backend') ?? 'auto';
  const { info } = await chooseBackend(wanted);
  // what WebGPU offers here (not asked with --backend cpu or wasm, which must not load Dawn)
  const webgpu =
    wanted === 'cpu' || wanted === 'wasm'
      ? null
      : await (await import('../tensor/gpu/mode.js')).probeWebGPU();
  const out = {
    version: version(),
    backend: info.backend,
    gpuMode: info.gpuMode,
    adapter: info.adapter,
    reason: info.reason,
    node: process.version,
    webgpu,
  };
  const lines = [
    `mini-dino ${out.version} on Node ${process.version}`,
    `backend: ${info.description}`,
  ];
  if (info.reason) lines.push(`chosen by --backend auto: ${info.reason}`);
  if (webgpu?.adapter && webgpu.software && info.gpuMode !== 'webgpu') {
    lines.push(
      `webgpu: ${webgpu.adapter} answered, a software renderer: --backend auto never picks it ` +
        '(slower than the CPU backends); --backend gpu runs on it',
    );
  } else if (webgpu && !webgpu.adapter) {
    lines.push(`webgpu: no adapter (${webgpu.reason})`);
  }
  logger(json)(lines.join('\n'));
  if (json) printJson(out);
  return 0;
}

const BENCH_FLAGS: FlagSpec[] = [
  {
    name: 'config',
    type: 'enum',
    values: BENCH_CONFIGS,
    defaultText: 'tiny',
    doc:
      'tiny (28 px, dim 64, batch 32), small (32 px, dim 192, batch 64) ' +
      'or recipe (the README default)',
  },
  { name: 'steps', type: 'int', defaultText: '5', doc: 'measured steps (after the warm-up steps)' },
  {
    name: 'warmup',
    type: 'int',
    defaultText: '2',
    doc: 'untimed steps first (kernel compilation, buffer pools, worker threads)',
  },
  BACKEND_FLAG,
  JSON_FLAG,
  HELP_FLAG,
];

export async function benchCommand(argv: readonly string[]): Promise<number> {
  const p = parseArgs(argv, BENCH_FLAGS, 'bench');
  if (bool(p, 'help') || p.positional[0] !== 'step') {
    if (!bool(p, 'help'))
      throw new UsageError(
        `bench: expected 'bench step', got '${p.positional[0] ?? ''}' (see mini-dino bench --help)`,
      );
    process.stdout.write(
      [
        'Usage: mini-dino bench step [--config tiny|small|recipe] [--backend ' +
          'cpu|gpu] [--steps N] [--warmup N] [--json]',
        '',
        'Times one full DINO training step on synthetic crops (the PyTorch ' +
          'reference bench configurations).',
        '',
        formatFlags(BENCH_FLAGS),
      ].join('\n') + '\n',
    );
    return 0;
  }
  const json = bool(p, 'json');
  const log = logger(json);
  const steps = (p.values.get('steps') as number | undefined) ?? 5;
  if (steps < 1) throw new UsageError(`--steps: must be at least 1, got ${steps}`);
  const warmup = (p.values.get('warmup') as number | undefined) ?? 2;
  if (warmup < 0) throw new UsageError(`--warmup: must be at least 0, got ${warmup}`);
  const { backend, info } = await chooseBackend(str(p, 'backend'));
  const name = (str(p, 'config') ?? 'tiny') as BenchConfigName;
  log(`bench step --config ${name} on ${info.description}, ${steps} steps after ${warmup} warm-up`);
  const r = await benchStep(name, backend, steps, warmup);
  const ph = Object.entries(r.phases)
    .map(([k, v]) => `${k} ${v.toFixed(0)}`)
    .join(', ');
  log(
    `${r.msPerStep.toFixed(1)} ms/step (median), ${r.imgPerSec.toFixed(1)} ` +
      `img/s; ms per phase: ${ph}`,
  );
  if (json)
    printJson({
      config: r.config,
      backend: r.backend,
      gpuMode: info.gpuMode,
      msPerStep: r.msPerStep,
      imgPerSec: r.imgPerSec,
      steps: r.steps,
      phases: r.phases,
    });
  return 0;
}
