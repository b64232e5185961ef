// The momentum teacher (paper §3.1): built like the student (without drop path), starts as an exact
// copy, never receives gradients, and after every optimizer step moves towards the student:
// θ_t ← m·θ_t + (1 − m)·θ_s for every parameter pair in registration order, weight_g included
// (the official EMA zips student.parameters() with teacher.parameters()).
// Also: cancelling the last layer's gradients during the first freeze_last_layer epochs
// (official utils.cancel_gradients_last_layer): grad = null, so AdamW skips it entirely.

import type { Module } from '../nn/module.js';

import { fmtShape, sameShape } from '../tensor/shape.js';

/** Makes `teacher` an exact copy of `student` and freezes it. */
export function initTeacher(teacher: Module, student: Module): void {
  teacher.loadStateDict(student.stateDict());
  for (const p of teacher.parameters()) p.requiresGrad = false;
}

/** θ_t ← m·θ_t + (1 − m)·θ_s, one kernel per tensor, in place. */
export function emaUpdate(teacher: Module, student: Module, momentum: number): void {
  const tp = teacher.namedParameters();
  const sp = student.namedParameters();
  if (tp.length !== sp.length)
    throw new Error(`emaUpdate: teacher has ${tp.length} parameters, student ${sp.length}`);
  tp.forEach(([name, t], i) => {
    const s = sp[i][1];
    if (!sameShape(t.shape, s.shape))
      throw new Error(
        `emaUpdate: ${name} is ${fmtShape(t.shape)} in the teacher but ${fmtShape(s.shape)} ` +
          `in the student`,
      );
    t.assign(t.backend.ema(t.storage, s.storage, momentum));
  });
}

/** Drops the gradients of every parameter whose name contains `last_layer` while epoch < freeze. */
export function cancelGradientsLastLayer(
  student: Module,
  epoch: number,
  freezeLastLayer: number,
): void {
  if (epoch >= freezeLastLayer) return;
  for (const [name, p] of student.namedParameters()) if (name.includes('last_layer')) p.grad = null;
}
