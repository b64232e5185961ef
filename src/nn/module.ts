// Module: the base of every layer, with PyTorch's naming so checkpoints interoperate by key.
//
// Parameters and sub-modules are plain fields named with the official state-dict segments
// (`patch_embed`, `blocks`, `attn.qkv`, `last_layer.weight_g`, ...). namedParameters() walks them
// as torch.nn.Module.named_parameters does: a module's own parameters first, in field order,
// then its sub-modules (arrays of modules are numbered: `blocks.0.norm1.weight`; array slots that
// hold a parameter-free module such as GELU keep their index, as nn.Sequential's `mlp.1`).
// Frozen parameters (requiresGrad false, e.g. DINOHead's weight_g) are still parameters; buffers
// (registered with `buffer()`) appear in stateDict but not in namedParameters.

import { copy_, noGrad } from '../autograd/index.js';
import type { Backend } from '../tensor/backend.js';
import type { DType } from '../tensor/dtype.js';
import type { Generator } from '../tensor/random.js';
import { fmtShape, sameShape } from '../tensor/shape.js';
import { Tensor, getDefaultBackend, keep } from '../tensor/tensor.js';

/** Where and how a module creates its parameters. */
export interface ModuleOptions {
  dtype?: DType;
  backend?: Backend;
  generator?: Generator;
}

const PARAMETERS = new WeakSet<Tensor>();
const BUFFERS = new WeakSet<Tensor>();

/** Marks a tensor as a parameter (kept out of scopes; requires grad unless frozen). */
export function parameter(t: Tensor, opts: { requiresGrad?: boolean } = {}): Tensor {
  PARAMETERS.add(t);
  t.requiresGrad = opts.requiresGrad ?? true;
  return keep(t);
}

/** Marks a tensor as a buffer: saved in stateDict, never trained. */
export function buffer(t: Tensor): Tensor {
  BUFFERS.add(t);
  t.requiresGrad = false;
  return keep(t);
}

export function isParameter(t: Tensor): boolean {
  return PARAMETERS.has(t);
}

/** Resolved options: a backend and dtype always present. */
export function resolveOptions(opts: ModuleOptions = {}): {
  dtype: DType;
  backend: Backend;
  generator?: Generator;
} {
  return {
    dtype: opts.dtype ?? 'float32',
    backend: opts.backend ?? getDefaultBackend(),
    generator: opts.generator,
  };
}

export interface LoadReport {
  missing: string[];
  unexpected: string[];
  mismatched: { key: string; expected: readonly number[]; got: readonly number[] }[];
  loaded: string[];
}

export abstract class Module {
  /** Training mode (drop path active). */
  training = true;

  /** (name, parameter) pairs in PyTorch registration order. */
  namedParameters(prefix = ''): [string, Tensor][] {
    return this.walk(prefix).filter(([, t]) => PARAMETERS.has(t));
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Parameters and buffers by key. */
  stateDict(prefix = ''): Map<string, Tensor> {
    return new Map(this.walk(prefix));
  }

  /** Number of parameter elements (frozen ones included, as torch counts them). */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Sets training mode on this module and every sub-module. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** This module and all sub-modules, depth first. */
  modules(): Module[] {
    const out: Module[] = [this];
    for (const [, v] of Object.entries(this)) {
      if (v instanceof Module) out.push(...v.modules());
      else if (Array.isArray(v))
        for (const m of v) if (m instanceof Module) out.push(...m.modules());
    }
    return out;
  }

  /**
   * Copies values from `state` into this module's parameters and buffers (converting dtype and
   * backend). Strict by default: any missing, unexpected or mis-shaped key is an error that
   * lists them all. Non-strict loading copies what matches and returns the report.
   */
  loadStateDict(
    state: Map<string, Tensor> | Record<string, Tensor>,
    opts: { strict?: boolean } = {},
  ): LoadReport {
    const strict = opts.strict ?? true;
    const src = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    const report: LoadReport = { missing: [], unexpected: [], mismatched: [], loaded: [] };
    for (const key of own.keys()) if (!src.has(key)) report.missing.push(key);
    for (const key of src.keys()) if (!own.has(key)) report.unexpected.push(key);
    for (const [key, target] of own) {
      const value = src.get(key);
      if (value && !sameShape(value.shape, target.shape))
        report.mismatched.push({ key, expected: target.shape, got: value.shape });
    }
    const bad = report.missing.length + report.unexpected.length + report.mismatched.length;
    if (strict && bad > 0) throw new Error(`loadStateDict: ${describeReport(report)}`);
    noGrad(() => {
      for (const [key, target] of own) {
        const value = src.get(key);
        if (!value || !sameShape(value.shape, target.shape)) continue;
        copy_(target, value);
        report.loaded.push(key);
      }
    });
    return report;
  }

  private walk(prefix: string): [string, Tensor][] {
    const own: [string, Tensor][] = [];
    const children: [string, Tensor][] = [];
    for (const [name, v] of Object.entries(this)) {
      if (v instanceof Tensor) {
        if (PARAMETERS.has(v) || BUFFERS.has(v)) own.push([prefix + name, v]);
      } else if (v instanceof Module) {
        children.push(...v.walk(`${prefix}${name}.`));
      } else if (Array.isArray(v) && v.some((m) => m instanceof Module)) {
        v.forEach((m, i) => {
          if (m instanceof Module) children.push(...m.walk(`${prefix}${name}.${i}.`));
        });
      }
    }
    return [...own, ...children];
  }
}

export function describeReport(r: LoadReport): string {
  const parts: string[] = [];
  if (r.missing.length) parts.push(`missing keys: ${r.missing.join(', ')}`);
  if (r.unexpected.length) parts.push(`unexpected keys: ${r.unexpected.join(', ')}`);
  if (r.mismatched.length) {
    parts.push(
      'mis-shaped: ' +
        r.mismatched
          .map((m) => `${m.key} expects ${fmtShape(m.expected)} but got ${fmtShape(m.got)}`)
          .join('; '),
    );
  }
  return parts.length ? parts.join('; ') : 'all keys matched';
}
