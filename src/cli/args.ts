// Command-line parsing. Each command declares its flags; `train` adds one flag per config field
// (src/dino/config.ts), spelled in kebab-case (--teacher-temp) with the official snake_case name
// accepted too (--teacher_temp). Values: --flag value or --flag=value; booleans as --flag,
// --no-flag or --flag true|false (the official bool_flag style); pairs and lists as 0.4,1 or as
// separate values (--global_crops_scale 0.4 1, argparse nargs style). Unknown flags and bad
// values are one-line errors naming the flag, with a suggestion for near misses.

import { CONFIG_FIELDS, type ConfigKey, type DinoConfig } from '../dino/config.js';
import { type FieldSpec, kebab } from '../dino/config-field.js';

export type FlagType =
  'string' | 'int' | 'float' | 'bool' | 'enum' | 'floatPair' | 'floatList' | 'intList';

export interface FlagSpec {
  /** kebab-case name without dashes. */
  name: string;
  aliases?: string[];
  type: FlagType;
  doc: string;
  values?: readonly string[];
  /** Fixed number of list values. */
  length?: number;
  /** Shown in help. */
  defaultText?: string;
  /** Metavar in help, e.g. PATH. */
  meta?: string;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type FlagValue = string | number | boolean | number[];

export interface Parsed {
  values: Map<string, FlagValue>;
  positional: string[];
}

export function parseArgs(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  command: string,
): Parsed {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) for (const n of [s.name, ...(s.aliases ?? [])]) byName.set(n, s);
  const values = new Map<string, FlagValue>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--') || arg === '--') {
      positional.push(arg);
      continue;
    }
    let name = arg.slice(2);
    let inline: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      inline = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    let negated = false;
    let spec = byName.get(name);
    if (!spec && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'bool') {
      spec = byName.get(name.slice(3));
      negated = true;
    }
    if (!spec)
      throw new UsageError(
        `unknown flag --${name} for 'mini-dino ${command}'${suggest(name, byName)} ` +
          `(see mini-dino ${command} --help)`,
      );
    const flag = `--${name}`;
    if (spec.type === 'bool') {
      if (negated) values.set(spec.name, false);
      else if (inline !== undefined) values.set(spec.name, parseBool(flag, inline));
      else if (i + 1 < argv.length && isBoolLiteral(argv[i + 1]))
        values.set(spec.name, parseBool(flag, argv[++i]));
      else values.set(spec.name, true);
      continue;
    }
    if (spec.type === 'floatPair' || spec.type === 'floatList' || spec.type === 'intList') {
      const tokens: string[] = [];
      if (inline !== undefined) tokens.push(inline);
      else {
        const max = spec.length ?? Infinity;
        while (i + 1 < argv.length && !argv[i + 1].startsWith('--') && tokens.length < max)
          tokens.push(argv[++i]);
      }
      values.set(spec.name, parseList(flag, spec, tokens.join(',')));
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined || (inline === undefined && raw.startsWith('--')))
      throw new UsageError(`${flag}: missing value (expected ${describeType(spec)})`);
    values.set(spec.name, parseScalar(flag, spec, raw));
  }
  return { values, positional };
}

/** Decimal numbers only: JavaScript's Number() also takes '0x10', '0b1', '' and ' ', which a
 * typo should not turn into a value. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal number, or an error message naming the flag. */
function parseNumber(flag: string, raw: string, integer: boolean): number {
  const s = raw.trim();
  const what = integer ? 'an integer' : 'a number';
  if (integer ? !/^[+-]?\d+$/.test(s) : !DECIMAL.test(s))
    throw new UsageError(`${flag}: expected ${what}, got '${raw}'`);
  const v = Number(s);
  if (!Number.isFinite(v) || (integer && !Number.isSafeInteger(v)))
    throw new UsageError(`${flag}: '${raw}' is out of range (expected ${what} below 2^53)`);
  return v;
}

function parseScalar(flag: string, spec: FlagSpec, raw: string): FlagValue {
  switch (spec.type) {
    case 'int':
      return parseNumber(flag, raw, true);
    case 'float':
      return parseNumber(flag, raw, false);
    case 'enum':
      if (!spec.values!.includes(raw))
        throw new UsageError(`${flag}: expected one of ${spec.values!.join(', ')}, got '${raw}'`);
      return raw;
    default:
      // `--data=` (an empty path) would otherwise mean "no value" and silently pick a default
      if (raw.trim() === '')
        throw new UsageError(`${flag}: empty value (expected ${describeType(spec)})`);
      return raw;
  }
}

function parseList(flag: string, spec: FlagSpec, raw: string): number[] {
  const parts = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const ints = spec.type === 'intList';
  const out = parts.map((p) => {
    if (ints ? !/^[+-]?\d+$/.test(p) : !DECIMAL.test(p))
      throw new UsageError(`${flag}: expected ${ints ? 'integers' : 'numbers'}, got '${p}'`);
    return parseNumber(flag, p, ints);
  });
  if (out.length === 0)
    throw new UsageError(`${flag}: missing value (expected ${describeType(spec)})`);
  if (spec.length !== undefined && out.length !== spec.length)
    throw new UsageError(`${flag}: expected ${spec.length} values, got ${out.length} ('${raw}')`);
  return out;
}

const BOOL_TRUE = ['true', '1', 'yes', 'on'];
const BOOL_FALSE = ['false', '0', 'no', 'off'];
function isBoolLiteral(s: string): boolean {
  return BOOL_TRUE.includes(s.toLowerCase()) || BOOL_FALSE.includes(s.toLowerCase());
}
function parseBool(flag: string, s: string): boolean {
  if (BOOL_TRUE.includes(s.toLowerCase())) return true;
  if (BOOL_FALSE.includes(s.toLowerCase())) return false;
  throw new UsageError(`${flag}: expected true or false, got '${s}'`);
}

export function describeType(s: FlagSpec): string {
  switch (s.type) {
    case 'int':
      return 'an integer';
    case 'float':
      return 'a number';
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${s.values!.join(', ')}`;
    case 'floatPair':
      return 'two numbers, e.g. 0.4,1';
    case 'floatList':
      return `${s.length ?? 'a list of'} numbers separated by commas`;
    case 'intList':
      return 'integers separated by commas';
    default:
      return s.meta ?? 'a value';
  }
}

/** Levenshtein-based "did you mean" for a misspelt flag. */
function suggest(name: string, known: Map<string, FlagSpec>): string {
  let best = '';
  let bestD = Infinity;
  for (const k of known.keys()) {
    const d = distance(name, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return bestD <= Math.max(2, Math.floor(name.length / 4)) ? `; did you mean --${best}?` : '';
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

// ---- config flags, generated from CONFIG_FIELDS

/** One flag per config field: kebab-case name, official snake_case alias. */
export function configFlags(): FlagSpec[] {
  return (Object.entries(CONFIG_FIELDS) as [ConfigKey, FieldSpec<unknown>][]).map(([key, f]) => {
    const name = kebab(key);
    const aliases = [f.flag, key].filter((a) => a !== name);
    return {
      name,
      aliases: [...new Set(aliases)],
      type: f.type,
      doc: f.doc,
      values: f.values,
      length: f.length,
      defaultText: fmtDefault(f.default),
    };
  });
}

/** Applies parsed config flags onto a config. */
export function applyConfigFlags(config: DinoConfig, parsed: Parsed): DinoConfig {
  const out = { ...config } as Record<string, unknown>;
  for (const key of Object.keys(CONFIG_FIELDS)) {
    const v = parsed.values.get(kebab(key));
    if (v !== undefined) out[key] = v;
  }
  return out as DinoConfig;
}

export function fmtDefault(v: unknown): string {
  return Array.isArray(v) ? v.join(',') : String(v);
}
