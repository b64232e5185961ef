// The schema of one DINO config field: its type, group, our default, the official default, the
// paper value where it differs, a one-line reason and the official snake_case flag. The fields
// themselves are the table CONFIG_FIELDS in config.ts; the CLI flags (src/cli/args.ts), the help
// text and the README table (src/cli/help.ts) and validateConfig (config-validate.ts) are read
// off this schema. kebab() is the CLI's spelling of a field key.

export type FieldType = 'int' | 'float' | 'bool' | 'enum' | 'floatPair' | 'floatList' | 'intList';
export type FieldGroup = 'model' | 'head' | 'loss' | 'optimization' | 'augmentation' | 'run';

export interface FieldSpec<T> {
  type: FieldType;
  group: FieldGroup;
  default: T;
  /** The official main_dino.py default (or 'hard-coded …'). */
  official: string;
  /** The paper's value where it differs from the official default. */
  paper?: string;
  /** One line: what it is and why our default. */
  doc: string;
  /** The official snake_case flag name, accepted by the CLI. */
  flag: string;
  values?: readonly string[];
  min?: number;
  max?: number;
  /** Length of a list value (pairs are 2). */
  length?: number;
}

/** camelCase → kebab-case (the CLI spelling): teacherTemp → teacher-temp. */
export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);
}
