// Fuzzing the checkpoint loaders (loadCheckpoint for --resume, loadBackbone for eval-knn, linear
// and attention) with well-formed safetensors files whose contents lie: configurations with huge,
// zero, negative or non-numeric fields, tensors with random shapes (zero-size ones with huge
// dimensions among them), other dtypes, NaN and infinite values, missing and extra tensors,
// metadata that is not JSON. Every outcome must be a loaded model consistent with the file or a
// one-line error naming the file, within 10 s per file and, for the whole run, a bounded peak
// memory: never another exception, a hang or a memory bomb (a lying config used to cost 22 GB).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDino } from '../../src/dino/build.js';
import { loadBackbone, loadCheckpoint, saveCheckpoint } from '../../src/dino/checkpoint-file.js';
import { defaultConfig, type DinoConfig } from '../../src/dino/config.js';
import { serializeSafetensors, type TensorEntry } from '../../src/io/safetensors.js';
import { readSafetensorsFileSync } from '../../src/io/safetensors-file.js';
import { cpu } from '../../src/tensor/cpu/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'mini-dino-ckfuzz-'));
const config: DinoConfig = {
  ...defaultConfig(),
  embedDim: 8,
  depth: 2,
  numHeads: 2,
  outDim: 16,
  headHiddenDim: 8,
  headBottleneckDim: 4,
  globalCropSize: 14,
  localCropSize: 7,
};
const good = join(tmp, 'good.safetensors');
let base: { entries: [string, TensorEntry][]; md: Record<string, string> };

test.before(async () => {
  const run = buildDino(config, { inChans: 1, itersPerEpoch: 1 }, { backend: cpu });
  await saveCheckpoint(good, run, {
    epoch: 1,
    iteration: 1,
    inChans: 1,
    rng: {},
    normalization: { mean: [0.3], std: [0.3] },
    dataset: { count: 10, channels: 1, sample: 'ab' },
    history: [],
  });
  const st = readSafetensorsFileSync(good);
  base = {
    entries: [...st.tensors].map(([k, t]) => [k, { dtype: 'F32', shape: t.shape, data: t.data }]),
    md: { ...st.metadata },
  };
});

const huge = fc.constantFrom(0, -1, 1.5, 2 ** 31, 2 ** 40, 1e300, '8', null, [4], {});
const dim = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 40 }) },
  fc.constantFrom(0, 1, 1_000_000, 2 ** 31, 2 ** 40),
);
/** A config field set to a plausible-but-wrong or absurd value. */
const configEdit = fc.tuple(
  fc.constantFrom(
    'embedDim',
    'depth',
    'numHeads',
    'patchSize',
    'globalCropSize',
    'outDim',
    'headHiddenDim',
    'headBottleneckDim',
    'headLayers',
    'mlpRatio',
    'arch',
    'normLastLayer',
  ),
  fc.oneof(huge, fc.integer({ min: 0, max: 64 }), fc.constantFrom('vit_small', 'custom')),
);
const metaEdit = fc.tuple(
  fc.constantFrom(
    'config',
    'epoch',
    'iteration',
    'in_chans',
    'rng',
    'optimizer_steps',
    'normalization',
    'format',
  ),
  fc.oneof(
    fc.constantFrom('', '{', 'null', '[]', '-5', '1e400', '3', 'NaN', '{"mean":[1],"std":[-1]}'),
    fc.string({ maxLength: 6 }),
  ),
);
const tensorEdit = fc.record({
  kind: fc.constantFrom('shape', 'delete', 'add', 'dtype', 'value'),
  pick: fc.nat(),
  shape: fc.array(dim, { maxLength: 4 }),
  value: fc.constantFrom(NaN, Infinity, -Infinity, 1e30),
  dtype: fc.constantFrom('F64', 'I32', 'I64'),
});
/** Often no edit of a kind, so that some files load and the loaded models get checked. */
const some = <T>(arb: fc.Arbitrary<T>, max: number) =>
  fc.oneof({ weight: 2, arbitrary: fc.constant([] as T[]) }, fc.array(arb, { maxLength: max }));
const caseArb = fc.record({
  configEdits: some(configEdit, 3),
  metaEdits: some(metaEdit, 2),
  tensorEdits: some(tensorEdit, 3),
  checkpointKey: fc.constantFrom(undefined, 'teacher', 'student'),
  numHeads: fc.constantFrom(undefined, 1, 2, 3, 8),
});

let n = 0;
function build(k: Case): string {
  const entries = new Map(base.entries.map(([name, e]) => [name, { ...e }]));
  const md = { ...base.md };
  const cfg = JSON.parse(md.config) as Record<string, unknown>;
  for (const [field, v] of k.configEdits) cfg[field] = v;
  md.config = JSON.stringify(cfg);
  for (const [key, v] of k.metaEdits) md[key] = v;
  const names = [...entries.keys()];
  for (const e of k.tensorEdits) {
    const name = names[e.pick % names.length];
    const t = entries.get(name);
    if (e.kind === 'delete') entries.delete(name);
    else if (e.kind === 'add')
      entries.set(`extra.${e.pick}`, { dtype: 'F32', shape: [2], data: [1, 2] });
    if (!t) continue;
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.kind === 'shape' && size <= 4096)
      entries.set(name, { dtype: 'F32', shape: e.shape, data: new Float32Array(size) });
    else if (e.kind === 'dtype')
      entries.set(name, { ...t, dtype: e.dtype, data: Array.from(t.data, Math.round) });
    else if (e.kind === 'value' && t.data.length > 0) {
      const data = Float32Array.from(t.data);
      data[e.pick % data.length] = e.value;
      entries.set(name, { ...t, data });
    }
  }
  const path = join(tmp, `case-${n++}.safetensors`);
  writeFileSync(path, serializeSafetensors(entries, md));
  return path;
}
type Case = {
  configEdits: [string, unknown][];
  metaEdits: [string, string][];
  tensorEdits: {
    kind: string;
    pick: number;
    shape: number[];
    value: number;
    dtype: 'F64' | 'I32' | 'I64';
  }[];
  checkpointKey?: string;
  numHeads?: number;
};

const outcomes = { loaded: 0, refused: 0 };
let slowest = 0;

/** Runs a loader; a rejection must be one line naming the file. */
async function outcome<T>(path: string, load: () => Promise<T>): Promise<T | null> {
  const t0 = performance.now();
  try {
    const r = await load();
    outcomes.loaded++;
    return r;
  } catch (e) {
    const m = (e as Error).message;
    if (
      !(m.startsWith(`checkpoint ${path}: `) || m.startsWith(`safetensors: ${path}: `)) ||
      m.includes('\n')
    )
      throw new Error(`not a clear error for ${path}: ${(e as Error).stack}`, { cause: e });
    outcomes.refused++;
    return null;
  } finally {
    slowest = Math.max(slowest, performance.now() - t0);
  }
}

test('lying checkpoints: a consistent model or a one-line error naming the file', async () => {
  await fc.assert(
    fc.asyncProperty(caseArb, async (c) => {
      const path = build(c as unknown as Case);
      const ck = await outcome(path, () => loadCheckpoint(path, { backend: cpu }));
      if (ck) {
        for (const [name, t] of ck.tensors) {
          const d = t.dataSync();
          for (let i = 0; i < d.length; i++)
            if (!Number.isFinite(d[i])) assert.unreachable(`${name}[${i}] = ${d[i]} was loaded`);
        }
      }
      const bb = await outcome(path, () =>
        loadBackbone(path, { backend: cpu, checkpointKey: c.checkpointKey, numHeads: c.numHeads }),
      );
      if (bb) {
        const own = bb.model.stateDict();
        assert.ok(own.size >= 6, 'a ViT');
        assert.is(bb.config.embedDim % bb.config.numHeads, 0);
        for (const t of own.values()) assert.ok(t.size <= 4096, 'no larger than the file allows');
      }
      rmSync(path);
    }),
    { numRuns: 150, seed: 12 },
  );
  console.log(
    `  ${outcomes.loaded} loaded, ${outcomes.refused} refused; slowest ${slowest.toFixed(0)} ms`,
  );
  assert.ok(outcomes.loaded > 50 && outcomes.refused > 100, JSON.stringify(outcomes));
  // generous for a loaded machine: a hang never ends, the bombs took 51 s and more
  assert.ok(slowest < 10_000, `slowest load ${slowest} ms`);
});

test('peak memory of the whole run stays bounded', () => {
  const peakMb = process.resourceUsage().maxRSS / 1024;
  assert.ok(peakMb < 1024, `peak RSS ${peakMb.toFixed(0)} MB`);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
