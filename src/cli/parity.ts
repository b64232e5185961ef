// `mini-dino parity FIXTURE`: one DINO step against a PyTorch float64 fixture, reporting
// the worst relative error per group. float64 on the cpu backend; float32 elsewhere (or with
// --dtype float32), each against its stated tolerances. Exit status 1 when a group is over.
// --json: {"ok", "backend", "dtype", "errors": {"loss", "features", "logits", "grads", "after"}}.

import { runParity } from '../dino/parity.js';
import type { DType } from '../tensor/dtype.js';
import { type FlagSpec, parseArgs, UsageError } from './args.js';
import { chooseBackend } from './backend.js';
import { BACKEND_FLAG, bool, HELP_FLAG, JSON_FLAG, requireFile, str } from './flags.js';
import { logger, printJson } from './output.js';
import { formatFlags } from './help.js';

const FLAGS: FlagSpec[] = [
  BACKEND_FLAG,
  {
    name: 'dtype',
    type: 'enum',
    values: ['float64', 'float32'],
    defaultText: 'float64 on cpu, float32 on gpu',
    doc: 'precision of the run',
  },
  JSON_FLAG,
  HELP_FLAG,
];

export function parityHelp(): string {
  return [
    'Usage: mini-dino parity FIXTURE [--backend cpu|gpu] [--dtype float64|float32] [--json]',
    '',
    'FIXTURE: a mini-dino-oracle-v1 file from tools/torch_dino.py ' +
      'dump (e.g. test/fixtures/*.safetensors).',
    '',
    formatFlags(FLAGS),
  ].join('\n');
}

export async function parityCommand(argv: readonly string[]): Promise<number> {
  const p = parseArgs(argv, FLAGS, 'parity');
  if (bool(p, 'help')) {
    process.stdout.write(parityHelp() + '\n');
    return 0;
  }
  if (p.positional.length !== 1)
    throw new UsageError('parity: expected exactly one FIXTURE file (see mini-dino parity --help)');
  const file = requireFile('FIXTURE', p.positional[0]);
  const json = bool(p, 'json');
  const log = logger(json);
  const { backend } = await chooseBackend(str(p, 'backend') ?? 'cpu');
  const dtype = str(p, 'dtype') as DType | undefined;
  if (dtype === 'float64' && !backend.supportsDtype('float64'))
    throw new UsageError(`--dtype float64: the ${backend.name} backend is float32 only`);
  const r = await runParity(file, { backend, dtype });
  for (const [g, e] of Object.entries(r.errors)) {
    const tol = r.tolerances[g as keyof typeof r.tolerances];
    log(
      `${g.padEnd(9)} ${e.toExponential(2).padStart(9)}  (tolerance ${tol.toExponential(0)}) ` +
        `${e <= tol ? 'ok' : 'FAIL'}  worst: ${r.worst[g as keyof typeof r.worst]}`,
    );
  }
  log(`${r.ok ? 'parity ok' : 'parity FAILED'}: ${file} on ${r.backend} in ${r.dtype}`);
  if (json)
    printJson({
      ok: r.ok,
      backend: r.backend,
      dtype: r.dtype,
      errors: r.errors,
      worst: r.worst,
      tolerances: r.tolerances,
      fixture: file,
    });
  return r.ok ? 0 : 1;
}
