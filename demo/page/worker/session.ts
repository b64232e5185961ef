// The demo's training loop, step by step: the loop of src/dino/trainer.ts (main_dino.py
// train_dino / train_one_epoch) without its files. Same images per epoch (epochOrder), same
// augmentation generator (seed + 1000), same trainStep, so a seed gives the losses of
// `mini-dino train` (test/browser checks it). One step per call, so the Worker can answer
// pause, save and load between steps. Per epoch: the log line of log.jsonl (EpochRecord) with
// the k-NN monitor on a subset. No DOM: runs in a Web Worker and, for the tests, in Node.

import {
  type Backend,
  type Tensor,
  Generator,
  cpu,
  data as dataNs,
  dino,
  nn,
  tensor,
} from '../../../src/browser/index.js';
import type { DatasetSplits } from '../../../src/data/image-dataset.js';
import { emptySums, type EpochSums } from '../../../src/dino/epoch.js';
import type { EpochRecord, StepReport } from '../protocol.js';

type Splits = Required<DatasetSplits>;

// protocol.ts restates StepMetrics for the page's DOM build (train-step.ts imports the engine);
// tsc checks here that it matches
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const PROTOCOL_MATCHES_ENGINE: [Same<StepReport['metrics'], dino.StepMetrics>] = [true];

/** Running sums of the current epoch (the checkpoint's `partial`, as trainer.ts). */

export class TrainingSession {
  readonly run: dino.DinoRun;
  readonly norm: { mean: number[]; std: number[] };
  readonly itersPerEpoch: number;
  readonly totalIterations: number;
  /** Global iterations done. */
  iteration = 0;
  readonly history: EpochRecord[] = [];
  private readonly aug: dino.DataAugmentationDINO;
  private readonly augGen: Generator;
  private readonly n: number;
  private sums = emptySums();
  private order: { epoch: number; perm: Int32Array } | null = null;
  /** Seconds of the last steps, for the ETA (the first steps are slower: compilation). */
  private recent: number[] = [];

  /** A fresh run of `config` on `data.train` (checked by validateConfig). */
  constructor(
    readonly config: dino.DinoConfig,
    readonly data: Splits,
    readonly backend: Backend,
  ) {
    dino.validateConfig(config);
    const train = data.train;
    this.n = config.limit > 0 ? Math.min(config.limit, train.length) : train.length;
    this.itersPerEpoch = Math.floor(this.n / config.batchSize);
    if (this.itersPerEpoch === 0)
      throw new Error(
        `batch size ${config.batchSize} is larger than the ${this.n} training images`,
      );
    this.totalIterations = config.epochs * this.itersPerEpoch;
    this.norm = dataNs.normalizationOf(train);
    this.run = dino.buildDino(
      config,
      { inChans: train.channels, itersPerEpoch: this.itersPerEpoch },
      { backend },
    );
    this.augGen = new Generator(config.seed + 1000);
    this.aug = new dino.DataAugmentationDINO(
      dino.augmentOptionsFor(config, this.norm),
      train.channels,
    );
  }

  /** A run restored from one of our training checkpoints: the next step continues it exactly. */
  static restore(ck: dino.LoadedCheckpoint, data: Splits, backend: Backend): TrainingSession {
    if (ck.meta.inChans !== data.train.channels)
      throw new Error(
        `${ck.path} was trained on ${ck.meta.inChans}-channel images, ` +
          `the data has ${data.train.channels}`,
      );
    const s = new TrainingSession(ck.config, data, backend);
    dino.restoreRun(s.run, ck);
    if (ck.meta.rng.model) s.run.generator.setState(ck.meta.rng.model);
    if (ck.meta.rng.augment) s.augGen.setState(ck.meta.rng.augment);
    s.iteration = ck.meta.iteration;
    s.sums = (ck.meta.partial as EpochSums | null) ?? emptySums();
    return s;
  }

  get epoch(): number {
    return Math.floor(this.iteration / this.itersPerEpoch);
  }

  get done(): boolean {
    return this.iteration >= this.totalIterations;
  }

  /** The next training step; `record` is the epoch's log line when the step ended an epoch. */
  async step(): Promise<{ report: StepReport; record: EpochRecord | null }> {
    if (this.done) throw new Error('the run is finished: start a new one');
    const { config, run, itersPerEpoch } = this;
    const B = config.batchSize;
    const it = this.iteration;
    const epoch = this.epoch;
    const step = it - epoch * itersPerEpoch;
    if (this.order?.epoch !== epoch)
      this.order = { epoch, perm: dino.epochOrder(config.seed, epoch, this.n) };
    const t0 = performance.now();
    const images = Array.from({ length: B }, (_, b) =>
      this.data.train.image(this.order!.perm[step * B + b]),
    );
    const crops = this.aug.applyTensors(images, this.augGen, { backend: this.backend });
    let m: dino.StepMetrics;
    try {
      m = await dino.trainStep(run, crops, dino.hyperAt(run, it, epoch), epoch, it);
    } finally {
      for (const c of crops) c.dispose();
    }
    const dt = (performance.now() - t0) / 1000;
    this.iteration++;
    this.recent = [...this.recent.slice(-19), dt];
    const perStep = this.recent.reduce((a, b) => a + b, 0) / this.recent.length;
    const s = this.sums;
    s.n++;
    s.loss += m.loss;
    s.entropy += m.teacherEntropy;
    s.kl += m.kl;
    s.lr += m.lr;
    s.wd += m.wd;
    s.momentum += m.momentum;
    s.temp += m.teacherTemp;
    s.seconds += dt;
    const report: StepReport = {
      epoch,
      epochs: config.epochs,
      step: step + 1,
      stepsPerEpoch: itersPerEpoch,
      iteration: this.iteration,
      totalIterations: this.totalIterations,
      metrics: m,
      seconds: dt,
      imgPerSec: B / dt,
      etaSeconds: perStep * (this.totalIterations - this.iteration),
    };
    return { report, record: step + 1 === itersPerEpoch ? this.endEpoch(epoch) : null };
  }

  /** The epoch's log line (the keys of log.jsonl); the k-NN monitor is added by knnMonitor. */
  private endEpoch(epoch: number): EpochRecord {
    const s = this.sums;
    const rec: EpochRecord = {
      epoch,
      train_loss: s.loss / s.n,
      train_lr: s.lr / s.n,
      train_wd: s.wd / s.n,
      train_momentum: s.momentum / s.n,
      train_teacher_temp: s.temp / s.n,
      train_teacher_entropy: s.entropy / s.n,
      train_kl: s.kl / s.n,
      seconds: s.seconds,
      img_per_s: (s.n * this.config.batchSize) / s.seconds,
    };
    this.history.push(rec);
    this.sums = emptySums();
    return rec;
  }

  /** Whether the per-epoch k-NN monitor runs after `epoch` (config.knnEvery). */
  knnDue(epoch: number): boolean {
    return this.config.knnEvery > 0 && (epoch + 1) % this.config.knnEvery === 0;
  }

  /** The k-NN monitor of trainer.ts: the teacher's backbone, config.knnSubset images per split. */
  async knnMonitor(): Promise<{ result: dino.KnnResult; protocol: string }> {
    const backbone = await readableBackbone(this.run.teacher.backbone);
    const { train, test } = this.data;
    const limit = this.config.knnSubset;
    const result = dino.backboneKnn(backbone, train, test, this.config, this.norm, cpu, limit);
    const nTrain = Math.min(limit, this.n);
    const nTest = Math.min(limit, this.data.test.length);
    return { result, protocol: `subset: ${nTrain} train / ${nTest} test` };
  }

  /** The run as a training checkpoint (safetensors bytes with the official key names). */
  checkpoint(): Promise<Uint8Array> {
    return dino.checkpointBytes(this.run, {
      epoch: this.epoch,
      iteration: this.iteration,
      inChans: this.data.train.channels,
      rng: { model: this.run.generator.state(), augment: this.augGen.state() },
      partial: this.sums.n > 0 ? this.sums : null,
    });
  }
}

/**
 * The backbone itself on the cpu backend, else a copy of it on cpu: feature extraction reads its
 * results synchronously, which WebGPU cannot (readback is a Promise there).
 */
export async function readableBackbone(model: nn.VisionTransformer): Promise<nn.VisionTransformer> {
  const params = model.stateDict();
  if ([...params.values()].every((t) => t.backend === cpu)) return model;
  const copy = new nn.VisionTransformer(model.config, { backend: cpu });
  const values = new Map<string, Tensor>();
  for (const [k, t] of params)
    values.set(k, tensor(await t.data(), { shape: t.shape, backend: cpu })); // sync point
  copy.loadStateDict(values);
  copy.eval();
  return copy;
}
