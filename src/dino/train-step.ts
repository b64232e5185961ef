// One DINO training step, in the official order (main_dino.py train_one_epoch; paper Algorithm 1):
// schedules → teacher forward (no grad, global crops) → student forward (all crops) → loss →
// backward → non-finite check → center update → per-tensor clip → cancel last-layer grads → AdamW →
// teacher EMA → metrics. The clip runs inside the AdamW kernel (AdamW.step({ clipGrad })): one
// launch per tensor instead of about ten. The official step checks the loss before its backward;
// here the backward is queued first and the loss read after it (the step's only readback: loss,
// teacher entropy and KL in one read of three numbers), which changes no result — the backward uses
// the center from before its update and only makes gradients, dropped again when the loss is not
// finite — and lets a GPU run the backward while the host waits. Everything the step creates is
// released when it ends (memory rule); parameters, moments and the center are updated in place.
// Timing and the parity check's capture go through a StepObserver, so the body stays the algorithm.

import { backward, concat, noGrad, zeroGrad } from '../autograd/index.js';
import { type Tensor, tidy, tidyAsync } from '../tensor/tensor.js';
import type { DinoRun } from './build.js';
import { cancelGradientsLastLayer, emaUpdate } from './teacher.js';

export interface StepHyper {
  lr: number;
  wd: number;
  momentum: number;
  teacherTemp: number;
}

export interface StepMetrics extends StepHyper {
  loss: number;
  /** h(P_t), the paper's collapse monitor (→ 0: one dimension dominates; → ln K: uniform). */
  teacherEntropy: number;
  /** KL(P_t‖P_s) (→ 0: collapse). */
  kl: number;
}

/** Raised before any weight changes when the loss is NaN or infinite. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly loss: number,
    readonly iteration: number,
  ) {
    super(
      `Loss is ${loss} at iteration ${iteration}, stopping training (no ` +
        `weight was changed by this step). ` +
        'Try a lower learning rate, a lower teacher temperature, or more warm-up.',
    );
    this.name = 'NonFiniteLossError';
  }
}

/** The scheduled values at global iteration `it` of epoch `epoch`. */
export function hyperAt(run: DinoRun, it: number, epoch: number): StepHyper {
  const s = run.schedules;
  const clampIt = Math.min(it, s.lr.length - 1);
  return {
    lr: s.lr[clampIt],
    wd: s.wd[clampIt],
    momentum: s.momentum[clampIt],
    teacherTemp: s.teacherTemp[Math.min(epoch, s.teacherTemp.length - 1)],
  };
}

/** The intermediate tensors of a step, for parity checks (read them inside the callback). */
export interface StepTensors {
  studentOut: Tensor;
  teacherOut: Tensor;
  studentFeatures: Tensor;
  teacherFeatures: Tensor;
  center: Tensor;
  loss: Tensor;
  grads: Map<string, Tensor>;
}

/** The phases of a step, in order. */
export type StepPhase = 'teacher' | 'student' | 'loss' | 'backward' | 'update';

/**
 * Watches a step without taking part in it: `phaseEnd` hears the end of each phase (timing),
 * `tensors` sees the step's intermediate tensors before they are released (parity checks).
 */
export interface StepObserver {
  phaseEnd?(phase: StepPhase): void;
  tensors?(t: StepTensors): void;
}

/** Milliseconds per phase, accumulated (exact on synchronous backends; bench/step.ts). */
export type StepTimings = Record<StepPhase, number>;

/** An observer that adds each phase's milliseconds, from now on, to `timings`. */
export function timePhases(timings: StepTimings): StepObserver {
  let mark = performance.now();
  return {
    phaseEnd(phase) {
      const now = performance.now();
      timings[phase] += now - mark;
      mark = now;
    },
  };
}

/** One step on `crops` (2 global crops first, then the local crops; each [B, C, S, S]). */
export async function trainStep(
  run: DinoRun,
  crops: readonly Tensor[],
  hyper: StepHyper,
  epoch: number,
  it: number,
  observer: StepObserver = {},
): Promise<StepMetrics> {
  const { student, teacher, dinoLoss, center, optimizer, config } = run;
  const ended = (phase: StepPhase) => observer.phaseEnd?.(phase);
  return tidyAsync(async () => {
    optimizer.setSchedule(hyper.lr, hyper.wd);
    // its own scope: the teacher's activations go as soon as its features and logits exist
    const t = noGrad(() => tidy(() => teacher.forward(crops.slice(0, 2)))); // [2B, K]
    ended('teacher');
    const s = student.forward(crops); // [V·B, K]
    ended('student');
    const centerUsed = center.value; // [1, K]
    const { loss, teacherEntropy, kl } = dinoLoss.forward(
      s.logits,
      t.logits,
      centerUsed,
      hyper.teacherTemp,
    );
    // the three numbers the step reports, read back together once the backward is queued
    const scalars = [loss, teacherEntropy, kl].map((m) => m.reshape([1])); // 3 × [1]
    const monitors = noGrad(() => concat(scalars)); // [3]
    const centerBefore = observer.tensors ? noGrad(() => centerUsed.clone()) : null;
    ended('loss');
    zeroGrad(student.parameters());
    backward(loss);
    // the step's one readback: on a GPU the backward kernels are already queued behind the
    // forward, so the device keeps working while the host waits
    const [lossValue, entropyValue, klValue] = await monitors.data(); // sync point: [3]
    if (!Number.isFinite(lossValue)) {
      zeroGrad(student.parameters()); // the gradients go with the step's scope
      throw new NonFiniteLossError(lossValue, it);
    }
    center.update(t.logits);
    ended('backward');
    if (observer.tensors) {
      const grads = new Map<string, Tensor>();
      for (const [name, p] of student.namedParameters()) if (p.grad) grads.set(name, p.grad);
      observer.tensors({
        studentOut: s.logits,
        teacherOut: t.logits,
        studentFeatures: s.features,
        teacherFeatures: t.features,
        center: centerBefore!,
        loss,
        grads,
      });
    }
    cancelGradientsLastLayer(student, epoch, config.freezeLastLayer);
    // per-tensor clipping (utils.clip_gradients) fused into the update; the clip of a gradient
    // that the last line dropped does not matter, so the order of the two is free
    optimizer.step({ clipGrad: config.clipGrad });
    zeroGrad(student.parameters());
    emaUpdate(teacher, student, hyper.momentum);
    ended('update');
    return { ...hyper, loss: lossValue, teacherEntropy: entropyValue, kl: klValue };
  });
}
