// The stall detector: reads an epoch's mean teacher entropy h(P_t) and KL(P_t‖P_s) and says when
// training has stopped learning, in one of the two ways of the paper's collapse study (§5.3,
// Fig. 7): a near-uniform teacher (h(P_t) → ln K, centering wins over sharpening) or one
// dominant dimension (h(P_t) → 0, sharpening without centering). In both the student can match
// the teacher whatever the image (KL → 0), so there is nothing left to learn. The official code
// logs neither monitor; small or custom datasets are where users met both (official issues #43,
// #246: https://github.com/facebookresearch/dino/issues/246).
//
// A pure function of the epoch's averages (which the trainer keeps, and restores on --resume),
// so the verdict is the same for a resumed run. Thresholds, as fractions of ln K, from measured
// runs: the collapse study's ablations reach 0.96–0.99·ln K (no sharpening) and 0.00 (no
// centering, with KL ≈ 0.002) within a few epochs; runs that learn stay in between, though the
// 6-epoch recipe on Fashion-MNIST passes through 0.90–0.91·ln K in its second epoch and still
// learns, so "uniform" means within 5% of ln K. A sharp teacher alone is no stall: every run
// starts with one (the center at 0) while the student does not match it yet (KL large).

/** An epoch's averages, as in log.jsonl. */
export interface EpochMonitors {
  epoch: number;
  /** Mean teacher entropy h(P_t) over the epoch's steps (nats). */
  train_teacher_entropy: number;
  /** Mean KL(P_t‖P_s) over the epoch's steps (nats). */
  train_kl: number;
}

export type CollapseKind = 'uniform' | 'one-dimension';

export interface CollapseWarning {
  kind: CollapseKind;
  epoch: number;
  /** h(P_t) / ln K of the epoch. */
  entropyFraction: number;
  kl: number;
  /** One paragraph for the console: what is seen, what it means, the likely causes. */
  message: string;
}

export interface CollapseThresholds {
  /** Uniform when h(P_t) ≥ this · ln K (default 0.95). */
  uniform: number;
  /**
   * One-dimension collapse when h(P_t) ≤ this · ln K and KL ≤ this · ln K (default 0.05): a
   * sharp teacher that the student already matches. (A run starts with a sharp teacher, the
   * center at 0, but there the student does not match it yet and KL is large.)
   */
  oneDimension: number;
}

export const COLLAPSE_THRESHOLDS: Readonly<CollapseThresholds> = Object.freeze({
  uniform: 0.95,
  oneDimension: 0.05,
});

const CAUSES: Record<CollapseKind, string> = {
  uniform:
    'the teacher is near uniform: centering wins over sharpening and its output hardly ' +
    'depends on the image. Likely causes: a teacher temperature too high for this data ' +
    '(lower --teacher-temp, or warm up from a lower --warmup-teacher-temp; official issue ' +
    '#43 advises lower, e.g. 0.02), backbone features that barely differ between images ' +
    '(augmentations too strong for the data, too little data), a learning rate too low or a ' +
    'teacher momentum too high for a short run (--lr, --momentum-teacher), or an --out-dim ' +
    'too large for small data (official issue #279)',
  'one-dimension':
    'one output dimension dominates the teacher for every image: sharpening without enough ' +
    'centering. Likely causes: the center not following the teacher (--center-momentum at or ' +
    'near 1), a teacher temperature far too low (--teacher-temp), or a learning rate so high ' +
    'that the head jumps to one prototype (--lr, --clip-grad)',
};

/** The verdict on one epoch: a warning when its teacher entropy is at either collapsed end. */
export function checkCollapse(
  rec: EpochMonitors,
  outDim: number,
  thresholds: CollapseThresholds = COLLAPSE_THRESHOLDS,
): CollapseWarning | null {
  const lnK = Math.log(outDim);
  const h = rec.train_teacher_entropy;
  if (!(outDim > 1) || !Number.isFinite(h)) return null;
  const fraction = h / lnK;
  const kind: CollapseKind | null =
    fraction >= thresholds.uniform
      ? 'uniform'
      : fraction <= thresholds.oneDimension && rec.train_kl <= thresholds.oneDimension * lnK
        ? 'one-dimension'
        : null;
  if (!kind) return null;
  const message =
    `warning: epoch ${rec.epoch + 1}: teacher entropy h(P_t) = ${h.toFixed(3)} nats, ` +
    `${(100 * fraction).toFixed(0)}% of ln K = ${lnK.toFixed(3)} ` +
    `(KL ${rec.train_kl.toFixed(3)}); ` +
    `training has stalled: ${CAUSES[kind]}.`;
  return { kind, epoch: rec.epoch, entropyFraction: fraction, kl: rec.train_kl, message };
}
