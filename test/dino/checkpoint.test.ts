// Checkpoints that lie: a configuration claiming a huge ViT (it used to be built, 22 GB), tensors
// of size zero, non-finite weights (loaded, then ranked first), 1-D embeddings, metadata that is
// not JSON, impossible counters, an unknown head count; each refused with one line naming the file
// and the tensor or field, before anything is allocated. And: a non-finite run is never saved.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDino } from '../../src/dino/build.js';
import { loadBackbone, loadCheckpoint, saveCheckpoint } from '../../src/dino/checkpoint-file.js';
import { defaultConfig, type DinoConfig } from '../../src/dino/config.js';
import { vitShapes } from '../../src/dino/shapes.js';
import { serializeSafetensors, type TensorEntry } from '../../src/io/safetensors.js';
import { readSafetensorsFileSync } from '../../src/io/safetensors-file.js';
import { vit_small } from '../../src/nn/vit.js';
import { safetensorsFromTensors } from '../../src/io/convert.js';
import { cpu } from '../../src/tensor/cpu/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'mini-dino-ckpt-'));
const config: DinoConfig = {
  ...defaultConfig(),
  embedDim: 16,
  depth: 2,
  numHeads: 2,
  outDim: 32,
  headHiddenDim: 16,
  headBottleneckDim: 8,
};
const good = join(tmp, 'good.safetensors');

type Entries = Map<string, TensorEntry>;
/** The good checkpoint's tensors and metadata, for editing. */
function parts(): { entries: Entries; md: Record<string, string> } {
  const st = readSafetensorsFileSync(good);
  const entries: Entries = new Map();
  for (const [k, t] of st.tensors) entries.set(k, { dtype: 'F32', shape: t.shape, data: t.data });
  return { entries, md: { ...st.metadata } };
}
let n = 0;
function write(entries: Entries, md: Record<string, string>): string {
  const path = join(tmp, `edited-${n++}.safetensors`);
  writeFileSync(path, serializeSafetensors(entries, md));
  return path;
}
async function refused(load: () => Promise<unknown>, message: string | RegExp): Promise<void> {
  try {
    await load();
  } catch (e) {
    const m = (e as Error).message;
    if (typeof message === 'string') assert.is(m, message);
    else assert.match(m, message);
    assert.not.match(m, /\n/, 'one line');
    return;
  }
  assert.unreachable(`loaded; expected ${message}`);
}

test.before(async () => {
  const run = buildDino(config, { inChans: 1, itersPerEpoch: 1 }, { backend: cpu });
  await saveCheckpoint(good, run, { epoch: 1, iteration: 1, inChans: 1, rng: {} });
});

test('the good checkpoint loads both ways', async () => {
  const ck = await loadCheckpoint(good, { backend: cpu });
  assert.is(ck.config.embedDim, 16);
  const bb = await loadBackbone(good, { backend: cpu });
  assert.is(bb.config.numHeads, 2);
  assert.is(bb.normalization, null, 'none saved');
});

test('a config claiming a huge ViT is refused before anything is built', async () => {
  const { entries, md } = parts();
  const huge = { ...JSON.parse(md.config), embedDim: 4096, depth: 48, numHeads: 64 };
  const path = write(entries, { ...md, config: JSON.stringify(huge) });
  await refused(
    () => loadCheckpoint(path),
    `checkpoint ${path}: metadata 'config' claims depth 48, but the file holds only ` +
      `${entries.size} tensors`,
  );
  await refused(
    () => loadBackbone(path),
    `checkpoint ${path}: metadata 'config' (embed dim 4096, depth 48, patch 7) does not match ` +
      `the tensors (embed dim 16, depth 2, patch 7)`,
  );
  const wide = { ...JSON.parse(md.config), embedDim: 4096, numHeads: 64 };
  const path2 = write(entries, { ...md, config: JSON.stringify(wide) });
  await refused(
    () => loadCheckpoint(path2),
    new RegExp(
      `^checkpoint ${path2}: student tensors do not match its configuration: ` +
        `student\\.module\\.backbone\\.cls_token is \\[1, 1, 16\\], expected \\[1, 1, 4096\\]`,
    ),
  );
});

test('zero-size and 1-D embeddings: named, with the shape expected', async () => {
  const { entries, md } = parts();
  for (const k of ['student.module.backbone.pos_embed', 'teacher.backbone.pos_embed'])
    entries.set(k, { dtype: 'F32', shape: [1, 0, 1_000_000], data: new Float32Array(0) });
  const path = write(entries, md);
  await refused(
    () => loadCheckpoint(path),
    new RegExp(
      `student\\.module\\.backbone\\.pos_embed is \\[1, 0, 1000000\\], expected \\[1, 17, 16\\]`,
    ),
  );
  await refused(
    () => loadBackbone(path),
    `checkpoint ${path}: 'pos_embed' has shape [1, 0, 1000000], expected [1, 1 + grid², D] ` +
      `with every size ≥ 1`,
  );
  const flat = parts();
  flat.entries.set('teacher.backbone.patch_embed.proj.weight', {
    dtype: 'F32',
    shape: [784],
    data: new Float32Array(784),
  });
  const path2 = write(flat.entries, flat.md);
  await refused(
    () => loadBackbone(path2),
    `checkpoint ${path2}: 'patch_embed.proj.weight' has shape [784], expected [D, C, p, p] ` +
      `with every size ≥ 1`,
  );
});

test('non-finite weights are refused on load, naming the tensor', async () => {
  for (const [key, bad] of [
    ['teacher.backbone.blocks.1.attn.qkv.weight', NaN],
    ['dino_loss.center', Infinity],
  ] as const) {
    const { entries, md } = parts();
    const e = entries.get(key)!;
    const data = Float32Array.from(e.data);
    data[3] = bad;
    entries.set(key, { ...e, data });
    const path = write(entries, md);
    await refused(
      () => loadCheckpoint(path),
      `checkpoint ${path}: tensor '${key}' has 1 non-finite value(s) (${bad}) out of ` +
        `${data.length}: the weights are unusable (a run that diverged?)`,
    );
    if (key.startsWith('teacher'))
      await refused(
        () => loadBackbone(path),
        /tensor 'blocks\.1\.attn\.qkv\.weight' has 1 non-finite/,
      );
  }
});

test('metadata: not JSON, impossible counters, unknown optimizer entries', async () => {
  const cases: [Record<string, string>, string][] = [
    [{ config: '{embedDim: 4' }, `metadata 'config' is not valid JSON`],
    [{ config: '[1]' }, `metadata 'config' must be a JSON object`],
    [{ config: '{"depth": -1}' }, `metadata 'config': config: --depth must be ≥ 1, got -1`],
    [{ iteration: '-5' }, `metadata 'iteration' must be a non-negative integer, got "-5"`],
    [{ epoch: '1e400' }, `metadata 'epoch' must be a non-negative integer, got "1e400"`],
    [{ in_chans: '4' }, `metadata 'in_chans' must be 1 or 3, got 4`],
    [
      { optimizer_steps: '{"backbone.nope": 1}' },
      `metadata 'optimizer_steps' has "backbone.nope": 1, not a student weight with a step count`,
    ],
    [
      { normalization: '{"mean": [0.5], "std": [0]}' },
      `metadata 'normalization' must hold 1 finite mean(s) and positive std(s)`,
    ],
  ];
  for (const [edit, message] of cases) {
    const { entries, md } = parts();
    const path = write(entries, { ...md, ...edit });
    await refused(
      () => loadCheckpoint(path),
      new RegExp(`^checkpoint ${path}: ${escape(message)}`),
    );
  }
  const { entries, md } = parts();
  const path = write(entries, { ...md, config: 'not json' });
  await refused(() => loadBackbone(path), /metadata 'config' is not valid JSON/);
});

test('no metadata: the head count is refused, given, or read from an official width', async () => {
  const { entries } = parts();
  const bare: Entries = new Map();
  for (const [k, e] of entries) if (k.startsWith('teacher.backbone.')) bare.set(k.slice(17), e);
  const path = write(bare, {});
  await refused(
    () => loadBackbone(path),
    `checkpoint ${path}: cannot tell the number of attention heads of a 16-dim ViT (no ` +
      `mini-dino config in the metadata, and 16 is not an official DINO width 192/384/768): ` +
      `give --num-heads`,
  );
  assert.is((await loadBackbone(path, { numHeads: 2 })).config.numHeads, 2);
  await refused(
    () => loadBackbone(path, { numHeads: 3 }),
    /3 attention heads do not divide .* 16$/,
  );
  // ViT-S width (384) with one block: 6 heads of 64, as every official DINO ViT
  const vit = vit_small({ imgSize: 32, patchSize: 16, depth: 1 }, { backend: cpu });
  const small = join(tmp, 'vits-1block.safetensors');
  writeFileSync(
    small,
    serializeSafetensors(safetensorsFromTensors(new Map(vit.namedParameters()))),
  );
  assert.is((await loadBackbone(small)).config.numHeads, 6);
  assert.is(vitShapes((await loadBackbone(small)).config).size, 4 + 12 + 2);
});

test('a run with a non-finite weight is not saved; the previous checkpoint stays', async () => {
  const run = buildDino(config, { inChans: 1, itersPerEpoch: 1 }, { backend: cpu });
  const w = run.teacher.backbone.norm.weight;
  const data = Float32Array.from(w.dataSync());
  data[0] = NaN;
  w.assign(cpu.upload(data, true));
  const path = join(tmp, 'kept.safetensors');
  writeFileSync(path, 'previous');
  await refused(
    () => saveCheckpoint(path, run, { epoch: 1, iteration: 1, inChans: 1, rng: {} }),
    `checkpoint ${path}: not saved: tensor 'teacher.backbone.norm.weight' has a non-finite ` +
      `value (NaN); the previous checkpoint, if any, is kept`,
  );
  assert.is(readFileSync(path, 'utf8'), 'previous');
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('nothing above was allocated from the lying metadata: peak memory stays small', () => {
  const peakMb = process.resourceUsage().maxRSS / 1024;
  assert.ok(peakMb < 1024, `peak RSS ${peakMb.toFixed(0)} MB`);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
