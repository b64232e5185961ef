// `mini-dino train` killed (SIGKILL) while it writes a checkpoint: the previous complete
// checkpoint still loads. The config makes saving most of the time: one 8-image step per epoch
// and a 64×32768 head last layer, so each checkpoint is ~34 MB (student, teacher, AdamW moments).
// The test polls the output folder and kills the process as soon as the temp file of a save
// (after the first) appears, once at once and once a little later (mid-write).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isTempFileOf } from '../../src/io/atomic.js';
import { loadCheckpoint } from '../../src/dino/checkpoint-file.js';
import { readLogLines } from '../../src/dino/resume.js';
import { makeTinyIdx, removeDir, startCli, tempDir } from './helpers.js';

const root = tempDir('atomic');
const data = makeTinyIdx(join(root, 'data'), 64, 16);

/** Starts a save-heavy training in `out`, SIGKILLs it `delayMs` after the temp file of save ≥ 2
 * appears. */
async function killDuringSave(
  out: string,
  delayMs: number,
): Promise<{ linesAtKill: number; sawTemp: boolean }> {
  const target = join(out, 'checkpoint.safetensors');
  const run = startCli([
    'train',
    '--data',
    data,
    '--out',
    out,
    '--backend',
    'wasm',
    '--limit',
    '8',
    '--batch-size',
    '8',
    '--epochs',
    '100000',
    '--local-crops-number',
    '0',
    '--embed-dim',
    '32',
    '--depth',
    '1',
    '--num-heads',
    '2',
    '--head-hidden-dim',
    '64',
    '--head-bottleneck-dim',
    '64',
    '--out-dim',
    '32768',
    '--knn-every',
    '0',
    '--quiet',
  ]);
  let linesAtKill = -1;
  let sawTemp = false;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        let names: string[];
        try {
          names = readdirSync(out);
        } catch {
          return; // not created yet
        }
        if (
          !names.some((n) => isTempFileOf(n, target)) ||
          readLogLines(join(out, 'log.jsonl')).length < 2
        )
          return;
        clearInterval(timer);
        sawTemp = true;
        setTimeout(() => {
          // the log line is written just after the save
          linesAtKill = readLogLines(join(out, 'log.jsonl')).length;
          run.child.kill('SIGKILL');
          resolve();
        }, delayMs);
      }, 1);
      run.done.then((r) => {
        clearInterval(timer);
        if (linesAtKill < 0)
          reject(new Error(`train exited (${r.code ?? r.signal}) before the kill:\n${r.stderr}`));
      }, reject);
    });
  } finally {
    run.child.kill('SIGKILL');
  }
  const r = await run.done;
  assert.is(r.signal, 'SIGKILL');
  return { linesAtKill, sawTemp };
}

for (const delayMs of [0, 15]) {
  test(
    `SIGKILL ${delayMs} ms into a checkpoint save: the previous (or the ` + `new) checkpoint loads`,
    async () => {
      const out = join(root, `run-${delayMs}`);
      const { linesAtKill } = await killDuringSave(out, delayMs);
      assert.ok(linesAtKill >= 2, `killed during save ${linesAtKill}`);
      const ck = await loadCheckpoint(join(out, 'checkpoint.safetensors'));
      // The save after epoch k (k lines logged so far; its line comes after it) was under way:
      // the file holds the save of epoch k − 1 (meta.epoch k), or the new one if the rename won.
      assert.ok(
        ck.meta.epoch === linesAtKill || ck.meta.epoch === linesAtKill + 1,
        `checkpoint of epoch ${ck.meta.epoch}, killed during save ${linesAtKill}`,
      );
      assert.is(ck.meta.iteration, ck.meta.epoch);
      assert.ok(
        ck.tensors.get('student.module.head.last_layer.weight_v')!.shape.join() === '32768,64',
      );
      // Besides the checkpoint, the log and the lock of the killed run (taken over by the next
      // one, test/cli/run-dir.test.ts), at most the interrupted save's temp file remains.
      for (const name of readdirSync(out)) {
        assert.ok(
          ['checkpoint.safetensors', 'log.jsonl', 'train.lock'].includes(name) ||
            isTempFileOf(name, join(out, 'checkpoint.safetensors')),
          name,
        );
      }
    },
  );
}

test.after(() => removeDir(root));

test.run();
