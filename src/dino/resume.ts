// What --resume checks and recovers beyond the weights: that the data is the one the checkpoint
// was trained on (a fingerprint: the image count and a hash of a sample of images), which
// normalisation to use (the checkpoint's: the model learnt with it), that the counters fit the
// run, and the log of the finished epochs (log.jsonl where it is readable, the copies in the
// checkpoint where a kill or a full disk damaged it). Official counterpart: main_dino.py
// restart_from_checkpoint, which restores state dicts and trusts everything else.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { ImageDataset } from '../data/image-dataset.js';
import type { DatasetFingerprint, LoadedCheckpoint, Normalization } from './checkpoint.js';
import type { EpochRecord } from './epoch.js';

/** Images hashed for the fingerprint, evenly spaced over the training set. */
const SAMPLE = 64;

/** The first `n` images of `ds` (those training uses): count, channels and a sample hash. */
export function datasetFingerprint(ds: ImageDataset, n = ds.length): DatasetFingerprint {
  const h = createHash('sha256');
  const picks = Math.min(SAMPLE, n);
  for (let j = 0; j < picks; j++) {
    const img = ds.image(Math.floor((j * n) / picks));
    h.update(`${img.height}x${img.width}x${img.channels};`);
    h.update(img.data);
  }
  return { count: n, channels: ds.channels, sample: h.digest('hex') };
}

const same = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) < 5e-5);

/**
 * Checks the data of a resumed run against its checkpoint and returns the normalisation to use.
 * A different image count is an error (the epoch and step counters of an exact resume depend on
 * it); different images of the same count are a warning (the run can go on, no longer exactly).
 */
export function checkResumeData(
  ck: LoadedCheckpoint,
  data: { fingerprint: DatasetFingerprint; norm: Normalization; itersPerEpoch: number },
  info: (message: string) => void,
): Normalization {
  const { fingerprint: fp, itersPerEpoch } = data;
  const was = ck.meta.dataset;
  if (ck.meta.inChans !== fp.channels)
    throw new Error(
      `--resume: ${ck.path} was trained on ${ck.meta.inChans}-channel images, the data has ` +
        `${fp.channels}`,
    );
  if (was && was.count !== fp.count)
    throw new Error(
      `--resume: ${ck.path} was trained on ${was.count} images, this data has ${fp.count}: ` +
        `resuming needs the same training set (use another --out to start afresh)`,
    );
  if (was && was.sample !== fp.sample)
    info(
      `warning: --resume: these ${fp.count} training images are not the ones ${ck.path} was ` +
        `trained on (same count, other content); training goes on, but no longer repeats the ` +
        `interrupted run exactly`,
    );
  if (!was)
    info(`--resume: ${ck.path} records no dataset fingerprint (an older checkpoint): not checked`);
  const epoch = Math.floor(ck.meta.iteration / itersPerEpoch);
  if (ck.meta.epoch !== epoch)
    throw new Error(
      `--resume: ${ck.path} says epoch ${ck.meta.epoch} at iteration ${ck.meta.iteration}, but ` +
        `with ${itersPerEpoch} steps per epoch that iteration is in epoch ${epoch}: not this ` +
        `run's data or batch size`,
    );
  const saved = ck.meta.normalization;
  if (!saved) return data.norm;
  if (!same(saved.mean, data.norm.mean) || !same(saved.std, data.norm.std))
    info(
      `warning: --resume: the data's statistics (mean ${data.norm.mean.join(',')}, std ` +
        `${data.norm.std.join(',')}) differ from the checkpoint's; keeping the checkpoint's ` +
        `(mean ${saved.mean.join(',')}, std ${saved.std.join(',')})`,
    );
  return saved;
}

/**
 * The log lines of a log.jsonl, skipping lines that are not a JSON object with a numeric epoch
 * (a torn last line after a kill, a full disk, an edit); `onDamaged` hears of each.
 */
export function readLogLines(
  path: string,
  onDamaged: (line: number, text: string) => void = () => {},
): EpochRecord[] {
  if (!existsSync(path)) return [];
  const out: EpochRecord[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text.trim() === '') return;
      try {
        const r = JSON.parse(text) as EpochRecord;
        if (r !== null && typeof r === 'object' && Number.isInteger(r.epoch)) {
          out.push(r);
          return;
        }
      } catch {
        /* reported below */
      }
      onDamaged(i + 1, text);
    });
  return out;
}

/**
 * The records of the `done` finished epochs: each from log.jsonl when it has a readable line
 * for it (those carry the k-NN of the monitor), else from the checkpoint's copies. Damaged or
 * missing lines are reported once, naming the file.
 */
export function recoverHistory(
  logPath: string,
  ck: LoadedCheckpoint,
  done: number,
  info: (message: string) => void,
): EpochRecord[] {
  const damaged: number[] = [];
  const fromLog = new Map<number, EpochRecord>();
  for (const r of readLogLines(logPath, (line) => damaged.push(line))) fromLog.set(r.epoch, r);
  const fromCkpt = new Map<number, EpochRecord>();
  for (const r of (ck.meta.history ?? []) as EpochRecord[])
    if (r && Number.isInteger(r.epoch)) fromCkpt.set(r.epoch, r);
  const out: EpochRecord[] = [];
  const lost: number[] = [];
  const recovered: number[] = [];
  for (let e = 0; e < done; e++) {
    const r = fromLog.get(e) ?? fromCkpt.get(e);
    if (!r) lost.push(e);
    else {
      if (!fromLog.has(e)) recovered.push(e);
      out.push(r);
    }
  }
  if (damaged.length > 0)
    info(
      `warning: ${logPath}: line(s) ${damaged.join(', ')} are damaged (not JSON); the log is ` +
        `rewritten from what the checkpoint knows`,
    );
  if (recovered.length > 0)
    info(`${logPath}: epoch(s) ${recovered.join(', ')} restored from the checkpoint`);
  if (lost.length > 0)
    info(`warning: ${logPath}: no record of epoch(s) ${lost.join(', ')} (an older checkpoint)`);
  return out;
}
