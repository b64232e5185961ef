// AdamW with parameter groups (torch.optim.AdamW semantics, paper §3.2) and the official
// parameter grouping and per-tensor gradient clipping (utils.get_params_groups,
// utils.clip_gradients, called in this order by main_dino.py train_one_epoch).
// - Group "regularized" gets the scheduled weight decay; group "not regularized" (names ending
//   in .bias, and every 1-D tensor) gets 0. cls_token, pos_embed, weight_v are decayed (≥ 2-D).
// - A parameter whose .grad is null is skipped entirely (no decay, no moment update, no step
//   count): this is how the frozen last layer behaves in the first epoch.
// - The update itself is one backend kernel (adamw) per tensor, with the per-tensor clipping
//   folded in when step({ clipGrad }) asks for it; parameters and moments are replaced in place
//   with Tensor.assign, so they live outside any scope (memory rule).

import { add, clamp, div, mul, noGrad, sqrt, sum } from '../autograd/index.js';
import { zerosLike } from '../tensor/creation.js';
import { type Tensor, keep } from '../tensor/tensor.js';

export interface ParamGroup {
  name: string;
  params: [string, Tensor][];
  lr: number;
  weightDecay: number;
}

/** The official split: decay everything except biases and 1-D tensors; skip frozen parameters. */
export function getParamsGroups(named: [string, Tensor][]): {
  regularized: [string, Tensor][];
  notRegularized: [string, Tensor][];
} {
  const regularized: [string, Tensor][] = [];
  const notRegularized: [string, Tensor][] = [];
  for (const [name, p] of named) {
    if (!p.requiresGrad) continue;
    (name.endsWith('.bias') || p.ndim === 1 ? notRegularized : regularized).push([name, p]);
  }
  return { regularized, notRegularized };
}

export interface AdamWOptions {
  lr: number;
  weightDecay: number;
  betas?: [number, number];
  eps?: number;
}

interface ParamState {
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
}

export class AdamW {
  readonly groups: ParamGroup[];
  readonly betas: [number, number];
  readonly eps: number;
  private state = new Map<Tensor, ParamState>();

  /** Two groups as the official trainer: [0] regularized (scheduled wd), [1] not regularized (wd
   * 0). */
  constructor(named: [string, Tensor][], opts: AdamWOptions) {
    const { regularized, notRegularized } = getParamsGroups(named);
    this.groups = [
      { name: 'regularized', params: regularized, lr: opts.lr, weightDecay: opts.weightDecay },
      { name: 'not_regularized', params: notRegularized, lr: opts.lr, weightDecay: 0 },
    ];
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
  }

  /** Sets the learning rate of every group and the weight decay of group 0 (official order). */
  setSchedule(lr: number, weightDecay: number): void {
    for (const g of this.groups) g.lr = lr;
    this.groups[0].weightDecay = weightDecay;
  }

  /**
   * One update of every parameter that has a gradient. With `clipGrad` > 0 each gradient is
   * first clipped per tensor as clipGradients() does, inside the same kernel (its squared norm is
   * one more reduction; the clipped gradient is never stored), so a tensor's clip and update cost
   * two launches on the gpu backend instead of about ten.
   */
  step(opts: { clipGrad?: number } = {}): void {
    const clipGrad = opts.clipGrad ?? 0;
    for (const group of this.groups) {
      for (const [, p] of group.params) {
        const grad = p.grad;
        if (!grad) continue;
        let st = this.state.get(p);
        if (!st) {
          st = { step: 0, expAvg: keep(zerosLike(p)), expAvgSq: keep(zerosLike(p)) };
          this.state.set(p, st);
        }
        st.step++;
        const b = p.backend;
        const clip =
          clipGrad > 0 ? { sumSquares: b.sumSquares(grad.storage), maxNorm: clipGrad } : null;
        const out = b.adamw(
          p.storage,
          grad.storage,
          st.expAvg.storage,
          st.expAvgSq.storage,
          {
            lr: group.lr,
            weightDecay: group.weightDecay,
            beta1: this.betas[0],
            beta2: this.betas[1],
            eps: this.eps,
            step: st.step,
          },
          clip,
        );
        if (clip) b.release(clip.sumSquares);
        p.assign(out.p);
        st.expAvg.assign(out.m);
        st.expAvgSq.assign(out.v);
      }
    }
  }

  /** Moments as named tensors (`<param>.exp_avg`, `<param>.exp_avg_sq`) and step counts. */
  stateDict(): { tensors: Map<string, Tensor>; steps: Record<string, number> } {
    const tensors = new Map<string, Tensor>();
    const steps: Record<string, number> = {};
    for (const group of this.groups) {
      for (const [name, p] of group.params) {
        const st = this.state.get(p);
        if (!st) continue;
        tensors.set(`${name}.exp_avg`, st.expAvg);
        tensors.set(`${name}.exp_avg_sq`, st.expAvgSq);
        steps[name] = st.step;
      }
    }
    return { tensors, steps };
  }

  /** Restores moments and step counts saved by stateDict (by parameter name). */
  loadStateDict(saved: { tensors: Map<string, Tensor>; steps: Record<string, number> }): void {
    for (const group of this.groups) {
      for (const [name, p] of group.params) {
        const step = saved.steps[name];
        if (step === undefined) continue;
        const m = saved.tensors.get(`${name}.exp_avg`);
        const v = saved.tensors.get(`${name}.exp_avg_sq`);
        if (!m || !v)
          throw new Error(
            `AdamW.loadStateDict: moments of ${name} are missing (expected ${name}.exp_avg ` +
              `and ${name}.exp_avg_sq)`,
          );
        const st = { step, expAvg: keep(zerosLike(p)), expAvgSq: keep(zerosLike(p)) };
        st.expAvg.assign(p.backend.upload(hostCopy(p, m.dataSync()), true)); // sync point
        st.expAvgSq.assign(p.backend.upload(hostCopy(p, v.dataSync()), true)); // sync point
        this.state.set(p, st);
      }
    }
  }
}

function hostCopy(like: Tensor, data: ArrayLike<number>): Float32Array | Float64Array {
  return like.dtype === 'float64' ? Float64Array.from(data) : Float32Array.from(data);
}

/**
 * Per-tensor gradient clipping (official utils.clip_gradients, not global-norm clipping): each
 * gradient with norm n is multiplied by clip/(n + 1e-6) when that is below 1. Computed on the
 * device as g·min(clip/(n + 1e-6), 1), which leaves unclipped gradients bit-identical.
 * Returns the per-tensor norms (before clipping).
 */
export function clipGradients(params: Iterable<Tensor>, clip: number): Tensor[] {
  const norms: Tensor[] = [];
  noGrad(() => {
    for (const p of params) {
      const g = p.grad;
      if (!g) continue;
      const n = sqrt(sum(mul(g, g)));
      norms.push(n);
      p.grad = mul(g, clamp(div(clip, add(n, 1e-6)), undefined, 1));
    }
  });
  return norms;
}
