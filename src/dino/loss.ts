// DINOLoss and its center (official main_dino.py DINOLoss; paper Eq. 1 and §3.1).
// Student: log-softmax of its logits / τ_s (0.1), split into V crop chunks. Teacher: softmax of
// (logits − center) / τ_t, detached, split into its 2 global chunks. Loss = mean over every
// (teacher chunk i, student chunk v ≠ i) pair of the batch-mean cross-entropy −Σ_k q log p,
// i.e. divided by n_terms = 2V − 2.
//
// The official code updates the center inside forward(); here the loss is pure and the center
// is its own object with an explicit update(), called by the training step after the loss and
// before backward (the order in which the official code mutates it; official issue #182: the
// center starts at 0). Also returned, without gradient: the paper's collapse monitors (§5.3,
// Fig. 7), the mean teacher entropy h(P_t) and KL(P_t‖P_s) = H(P_t, P_s) − h(P_t) over the
// same pairs.
//
// Shapes: V crops, G = 2 global crops, B batch, K out dim.

import {
  add,
  chunk,
  detach,
  log,
  logSoftmax,
  mean,
  mul,
  neg,
  noGrad,
  softmax,
  sub,
  sum,
} from '../autograd/index.js';
import { buffer } from '../nn/module.js';
import { zeros } from '../tensor/creation.js';
import type { Backend } from '../tensor/backend.js';
import type { DType } from '../tensor/dtype.js';
import { fmtShape, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

export interface DINOLossOptions {
  /** Total number of crops V (2 global + local). */
  ncrops: number;
  /** Crops seen by the teacher (2). */
  nGlobal?: number;
  /** τ_s (official hard-coded 0.1). */
  studentTemp?: number;
}

export interface DINOLossOutput {
  loss: Tensor;
  /** Mean entropy h(P_t) of the teacher distributions (no gradient). */
  teacherEntropy: Tensor;
  /** loss − h(P_t): mean KL(P_t‖P_s) over the loss pairs (no gradient). */
  kl: Tensor;
}

export class DINOLoss {
  readonly ncrops: number;
  readonly nGlobal: number;
  readonly studentTemp: number;

  constructor(opts: DINOLossOptions) {
    this.ncrops = opts.ncrops;
    this.nGlobal = opts.nGlobal ?? 2;
    this.studentTemp = opts.studentTemp ?? 0.1;
    if (this.ncrops < this.nGlobal)
      throw new Error(
        `DINOLoss: ncrops ${this.ncrops} is fewer than the ${this.nGlobal} global crops`,
      );
  }

  /** studentOut [V·B, K], teacherOut [G·B, K], center [1, K], teacherTemp τ_t of this epoch. */
  forward(
    studentOut: Tensor,
    teacherOut: Tensor,
    center: Tensor,
    teacherTemp: number,
  ): DINOLossOutput {
    const V = this.ncrops;
    const G = this.nGlobal;
    if (
      studentOut.ndim !== 2 ||
      teacherOut.ndim !== 2 ||
      studentOut.shape[1] !== teacherOut.shape[1]
    ) {
      throw new ShapeError(
        `DINOLoss: student logits ${fmtShape(studentOut.shape)} and teacher ` +
          `logits ${fmtShape(teacherOut.shape)} must be [V·B, K] and [G·B, ` +
          `K]`,
      );
    }
    if (studentOut.shape[0] % V !== 0 || teacherOut.shape[0] * V !== studentOut.shape[0] * G) {
      throw new ShapeError(
        `DINOLoss: ${studentOut.shape[0]} student rows and ${teacherOut.shape[0]} ` +
          `teacher rows do not split into ${V} and ${G} crops of one batch`,
      );
    }
    const s = chunk(logSoftmax(mul(studentOut, 1 / this.studentTemp), -1), V); // V × [B, K] log p_s
    const q = noGrad(() => softmax(mul(sub(teacherOut, center), 1 / teacherTemp), -1)); // [G·B, K]
    const qs = chunk(detach(q), G); // G × [B, K]
    let total: Tensor | null = null;
    let nTerms = 0;
    for (let iq = 0; iq < G; iq++) {
      for (let v = 0; v < V; v++) {
        if (v === iq) continue; // the same view seen by teacher and student
        const ce = mean(neg(sum(mul(qs[iq], s[v]), -1))); // batch mean of −Σ_k q log p
        total = total ? add(total, ce) : ce;
        nTerms++;
      }
    }
    const loss = mul(total!, 1 / nTerms);
    return noGrad(() => {
      // h(P_t) averaged like the loss: each teacher chunk appears in V − 1 pairs
      const entropy = mean(neg(sum(mul(q, log(add(q, 1e-30))), -1)));
      return { loss, teacherEntropy: entropy, kl: sub(detach(loss), entropy) };
    });
  }
}

/** The center c (1 × K): c ← m·c + (1 − m)·mean of the raw teacher logits over the batch. */
export class Center {
  value: Tensor;

  constructor(
    readonly outDim: number,
    readonly momentum = 0.9,
    opts: { dtype?: DType; backend?: Backend } = {},
  ) {
    this.value = buffer(zeros([1, outDim], opts));
  }

  /** Called after the loss, before backward, with the teacher's raw logits [G·B, K]. */
  update(teacherOut: Tensor): void {
    noGrad(() => {
      const batchCenter = mul(sum(teacherOut, 0, true), 1 / teacherOut.shape[0]); // [1, K]
      const next = add(mul(this.value, this.momentum), mul(batchCenter, 1 - this.momentum));
      this.value.copy_(next);
    });
  }
}
