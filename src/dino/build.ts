// Building a DINO run from a config: student and teacher (backbone + head in a
// MultiCropWrapper), the teacher initialised as an exact copy, DINOLoss, the center, AdamW with
// the official parameter groups, and the per-iteration schedules (main_dino.py train_dino):
// lr with linear warm-up then cosine (peak = lr·batch/256), weight decay cosine 0.04 → 0.4,
// teacher momentum cosine m₀ → 1, teacher temperature per epoch.

import { AdamW } from '../nn/optim.js';
import { cosineScheduler, teacherTempSchedule } from '../nn/schedules.js';
import { VisionTransformer } from '../nn/vit.js';
import type { ModuleOptions } from '../nn/module.js';
import { Generator } from '../tensor/random.js';
import type { DinoConfig } from './config.js';
import { archOf } from './config-arch.js';
import { DINOHead } from './head.js';
import { Center, DINOLoss } from './loss.js';
import { MultiCropWrapper } from './multicrop.js';
import { initTeacher } from './teacher.js';

export interface Schedules {
  lr: Float64Array;
  wd: Float64Array;
  momentum: Float64Array;
  teacherTemp: Float64Array;
}

export interface DinoRun {
  config: DinoConfig;
  student: MultiCropWrapper;
  teacher: MultiCropWrapper;
  dinoLoss: DINOLoss;
  center: Center;
  optimizer: AdamW;
  schedules: Schedules;
  itersPerEpoch: number;
  /** Drives drop path (and nothing else of the model after init). */
  generator: Generator;
}

/** One backbone + head, as the official trainer builds student and teacher. */
export function buildWrapper(
  config: DinoConfig,
  inChans: number,
  dropPathRate: number,
  opts: ModuleOptions,
): MultiCropWrapper {
  const { embedDim, depth, numHeads } = archOf(config);
  const backbone = new VisionTransformer(
    {
      imgSize: config.globalCropSize,
      patchSize: config.patchSize,
      inChans,
      embedDim,
      depth,
      numHeads,
      mlpRatio: config.mlpRatio,
      qkvBias: true,
      dropPathRate,
    },
    opts,
  );
  const head = new DINOHead(
    {
      inDim: embedDim,
      outDim: config.outDim,
      hiddenDim: config.headHiddenDim,
      bottleneckDim: config.headBottleneckDim,
      nlayers: config.headLayers,
      normLastLayer: config.normLastLayer,
    },
    opts,
  );
  return new MultiCropWrapper(backbone, head);
}

export function buildSchedules(c: DinoConfig, itersPerEpoch: number): Schedules {
  const peakLr = (c.lr * c.batchSize) / 256; // linear scaling rule
  return {
    lr: cosineScheduler(peakLr, c.minLr, c.epochs, itersPerEpoch, c.warmupEpochs),
    wd: cosineScheduler(c.weightDecay, c.weightDecayEnd, c.epochs, itersPerEpoch),
    momentum: cosineScheduler(c.momentumTeacher, 1, c.epochs, itersPerEpoch),
    teacherTemp: teacherTempSchedule(
      c.warmupTeacherTemp,
      c.teacherTemp,
      c.warmupTeacherTempEpochs,
      c.epochs,
    ),
  };
}

/** A fresh run: student initialised from config.seed, teacher = student. */
export function buildDino(
  config: DinoConfig,
  data: { inChans: number; itersPerEpoch: number },
  opts: Omit<ModuleOptions, 'generator'> = {},
): DinoRun {
  const generator = new Generator(config.seed);
  const student = buildWrapper(config, data.inChans, config.dropPathRate, { ...opts, generator });
  const teacher = buildWrapper(config, data.inChans, 0, {
    ...opts,
    generator: new Generator(config.seed + 1),
  });
  initTeacher(teacher, student);
  const center = new Center(config.outDim, config.centerMomentum, opts);
  const dinoLoss = new DINOLoss({
    ncrops: 2 + config.localCropsNumber,
    nGlobal: 2,
    studentTemp: config.studentTemp,
  });
  const schedules = buildSchedules(config, data.itersPerEpoch);
  const optimizer = new AdamW(student.namedParameters(), {
    lr: schedules.lr[0] ?? 0,
    weightDecay: schedules.wd[0] ?? 0,
  });
  return {
    config,
    student,
    teacher,
    dinoLoss,
    center,
    optimizer,
    schedules,
    itersPerEpoch: data.itersPerEpoch,
    generator,
  };
}
