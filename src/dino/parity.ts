// PyTorch parity check: load a `mini-dino-oracle-v1` fixture (tools/torch_dino.py
// dump), build the same model and step from its configuration alone, run one DINO step
// (teacher and student forward, loss, backward, clip, fresh AdamW, EMA, center update) and
// report the worst relative error per group, relative to each reference tensor's max magnitude:
//   loss · features · logits · grads (raw, before clipping) · after (weights and center)
// `after` compares the update, after − before, relative to the update's own magnitude: relative
// to the weights, a missing weight decay or clip (a change of lr·wd·|w| or less) disappears in
// the float32 tolerance. Rounding of the stored weights themselves is allowed for (one unit in
// the last place of each weight), since a dtype cannot resolve an update below it.
// Required in float64 on the cpu backend: loss ≤ 1e-10, everything else ≤ 1e-8.
// In float32 (any backend) the stated tolerances are looser, see FLOAT32_TOLERANCES. The
// `mutate` option changes the step (no weight decay, no clip, no EMA) for the tests that prove
// the check fails when the step is wrong.

import { cast, toBackend } from '../autograd/index.js';
import { tensorsFromSafetensors } from '../io/convert.js';
import {
  loadOracleFixture,
  parseOracleConfig,
  type OracleConfig,
  type OracleFixture,
} from '../io/oracle.js';
import { readSafetensorsFile } from '../io/safetensors-file.js';
import { cpu } from '../tensor/cpu/index.js';
import { AdamW } from '../nn/optim.js';
import type { Backend } from '../tensor/backend.js';
import type { DType } from '../tensor/dtype.js';
import { Generator } from '../tensor/random.js';
import { getDefaultBackend, keep, Tensor } from '../tensor/tensor.js';
import type { DinoRun } from './build.js';
import { buildWrapper } from './build.js';
import { defaultConfig, type DinoConfig } from './config.js';
import { Center, DINOLoss } from './loss.js';
import { initTeacher } from './teacher.js';
import { type StepHyper, trainStep } from './train-step.js';

export type ParityGroup = 'loss' | 'features' | 'logits' | 'grads' | 'after';

export interface ParityResult {
  ok: boolean;
  fixture: string;
  backend: string;
  dtype: DType;
  /** Worst relative error per group. */
  errors: Record<ParityGroup, number>;
  /** The tensor where each group's worst error occurred. */
  worst: Record<ParityGroup, string>;
  tolerances: Record<ParityGroup, number>;
}

export const FLOAT64_TOLERANCES: Record<ParityGroup, number> = {
  loss: 1e-10,
  features: 1e-8,
  logits: 1e-8,
  grads: 1e-8,
  after: 1e-8,
};

/**
 * float32 tolerances. Forward values carry ~1e-7 relative rounding per op through ~10 layers;
 * gradients a few times more, and matmuls accumulate in float32. After the step: Adam's first
 * update is lr·g/(|g| + ε), so it is well defined only where |g| is resolved. Elements whose
 * float64 gradient is below float32 resolution of their tensor's gradients (|g| ≤ 2⁻²⁰·max|g|)
 * are left out of the float32 `after` comparison: there float32 rounding noise picks the sign of
 * a ±lr step. (The attention key bias is such a case: softmax ignores a constant shift of the
 * logits, so its gradient is exactly 0, and ~1e-18 or ~1e-9 in floating point.)
 * `after` is relative to the update (~lr), not to the weights: 1e-3·lr is 20-200× less than the
 * 1e-4·max|w| allowed before. It cannot be 1e-4: where the clipped |g| is a few ε, the update
 * depends on g with sensitivity ε/(|g| + ε), and the float32 noise of g (~2% there) leaves up to
 * 2.2e-4 (prestep-3ch-clip, cpu). Those same elements are where a missing clip shows on Adam's
 * scale-free first step (3.9e-3 and 2.6e-2); a missing weight decay gives 1e-2, a missing EMA 1
 * (test/dino/parity.test.ts checks each).
 */
export const FLOAT32_TOLERANCES: Record<ParityGroup, number> = {
  loss: 1e-5,
  features: 1e-5,
  logits: 1e-5,
  grads: 1e-4,
  after: 1e-3,
};

/** Elements of a gradient resolved in float32: |g| > 2⁻²⁰·max|g| (see FLOAT32_TOLERANCES). */
function resolvedMask(grad: Tensor): Uint8Array {
  const g = grad.backend.readSync(grad.storage); // sync point
  let max = 0;
  for (let i = 0; i < grad.size; i++) max = Math.max(max, Math.abs(g[i]));
  return Uint8Array.from({ length: grad.size }, (_, i) =>
    Math.abs(g[i]) > 2 ** -20 * max ? 1 : 0,
  );
}

/** Official checkpoint keys (backbone keys bare, head keys under head.) → MultiCropWrapper keys. */
export function wrapperKey(official: string): string {
  return official.startsWith('head.') ? official : `backbone.${official}`;
}

export function configFromOracle(o: OracleConfig): DinoConfig {
  if (o.globalCrops !== 2)
    throw new Error(
      `parity: fixtures with ${o.globalCrops} global crops are not supported (DINO uses 2)`,
    );
  return {
    ...defaultConfig(),
    arch: 'custom',
    globalCropSize: o.img,
    patchSize: o.patch,
    embedDim: o.dim,
    depth: o.depth,
    numHeads: o.heads,
    mlpRatio: o.mlpRatio,
    dropPathRate: 0,
    outDim: o.outDim,
    headHiddenDim: o.headHidden,
    headBottleneckDim: o.headBottleneck,
    headLayers: 3,
    normLastLayer: true,
    studentTemp: o.studentTemp,
    teacherTemp: o.teacherTemp,
    centerMomentum: o.centerMomentum,
    batchSize: o.batch,
    localCropsNumber: o.localCrops,
    localCropSize: o.localImg,
    clipGrad: o.clipGrad,
    freezeLastLayer: 0,
  };
}

export interface ParityOptions {
  backend?: Backend;
  dtype?: DType;
  /** Alters the run or the step's hyper-parameters before the step (mutation tests only). */
  mutate?: (run: DinoRun, hyper: StepHyper) => void;
}

export async function runParity(path: string, opts: ParityOptions = {}): Promise<ParityResult> {
  const fx = await loadOracleFixture(path);
  const backend = opts.backend ?? getDefaultBackend();
  const dtype: DType = opts.dtype ?? (backend.supportsDtype('float64') ? 'float64' : 'float32');
  return parityWith(fx, backend, dtype, opts.mutate);
}

/**
 * The run the reference's train_step performs: student and teacher with the fixture's weights
 * (official keys), the fixture's center, DINOLoss, a fresh AdamW, and constant lr, wd, EMA
 * momentum and teacher temperature (torch_dino.py has no schedules). Without teacher weights the
 * teacher starts as a copy of the student.
 */
function oracleRun(
  o: OracleConfig,
  w: { student: Map<string, Tensor>; teacher?: Map<string, Tensor>; center?: Tensor },
  dtype: DType,
  backend: Backend,
): DinoRun {
  const config = configFromOracle(o);
  const modelOpts = { dtype, backend, generator: new Generator(0) };
  const student = buildWrapper(config, o.inChans, 0, modelOpts);
  const teacher = buildWrapper(config, o.inChans, 0, modelOpts);
  const rename = (m: Map<string, Tensor>) => new Map([...m].map(([k, v]) => [wrapperKey(k), v]));
  student.loadStateDict(rename(w.student));
  if (w.teacher) {
    teacher.loadStateDict(rename(w.teacher));
    for (const p of teacher.parameters()) p.requiresGrad = false;
  } else {
    initTeacher(teacher, student);
  }
  const center = new Center(o.outDim, o.centerMomentum, { dtype, backend });
  if (w.center) center.value.assign(backend.upload(hostCopy(w.center, dtype), false));
  return {
    config,
    student,
    teacher,
    center,
    dinoLoss: new DINOLoss({ ncrops: 2 + o.localCrops, nGlobal: 2, studentTemp: o.studentTemp }),
    optimizer: new AdamW(student.namedParameters(), { lr: o.lr, weightDecay: o.wd }),
    schedules: {
      lr: Float64Array.of(o.lr),
      wd: Float64Array.of(o.wd),
      momentum: Float64Array.of(o.ema),
      teacherTemp: Float64Array.of(o.teacherTemp),
    },
    itersPerEpoch: 1,
    generator: new Generator(0),
  };
}

const oracleHyper = (o: OracleConfig): StepHyper => ({
  lr: o.lr,
  wd: o.wd,
  momentum: o.ema,
  teacherTemp: o.teacherTemp,
});

async function parityWith(
  fx: OracleFixture,
  backend: Backend,
  dtype: DType,
  mutate?: ParityOptions['mutate'],
): Promise<ParityResult> {
  const o = fx.config;
  const run = oracleRun(
    o,
    { student: fx.group('student.'), teacher: fx.group('teacher.'), center: fx.get('center') },
    dtype,
    backend,
  );
  const { student, teacher, center } = run;
  const crops = fx.crops().map((c) => toBackend(cast(c, dtype), backend));

  const errors = { loss: 0, features: 0, logits: 0, grads: 0, after: 0 } as Record<
    ParityGroup,
    number
  >;
  const worst = { loss: 'loss', features: '', logits: '', grads: '', after: '' } as Record<
    ParityGroup,
    string
  >;
  // Our tensors are read after the step, asynchronously, so that this works on every backend
  // (webgpu has no synchronous readback): inside the step we only hold views of them.
  const checks: {
    group: ParityGroup;
    name: string;
    ours: Tensor;
    ref: Tensor;
    mask?: Uint8Array;
    view?: boolean;
    /** For `after`: our value and the reference's before the step (the update is compared). */
    before?: { ours: ArrayLike<number>; ref: Tensor };
  }[] = [];
  // our weights and center before the step, as loaded in our dtype
  const sp = new Map(student.namedParameters());
  const tp = new Map(teacher.namedParameters());
  const oursBefore = new Map<string, ArrayLike<number>>();
  for (const [prefix, model] of [
    ['student', sp],
    ['teacher', tp],
  ] as const)
    for (const official of fx.group(`${prefix}_after.`).keys())
      oursBefore.set(
        `${prefix}.${official}`,
        Float64Array.from(await model.get(wrapperKey(official))!.data()), // a copy: the step
      ); // releases the old buffers, which the pool may hand out again
  oursBefore.set('center', Float64Array.from(await center.value.data()));
  const hyper = oracleHyper(o);
  mutate?.(run, hyper);
  const hold = (group: ParityGroup, name: string, ours: Tensor, ref: Tensor) =>
    checks.push({ group, name, ours: keep(ours.view(ours.shape)), ref, view: true });
  await trainStep(run, crops, hyper, 0, 0, {
    tensors: (k) => {
      hold('loss', 'loss', k.loss, fx.get('loss'));
      hold('features', 'out.student_features', k.studentFeatures, fx.get('out.student_features'));
      hold('features', 'out.teacher_features', k.teacherFeatures, fx.get('out.teacher_features'));
      hold('logits', 'out.student_logits', k.studentOut, fx.get('out.student_logits'));
      hold('logits', 'out.teacher_logits', k.teacherOut, fx.get('out.teacher_logits'));
      for (const [official, ref] of fx.group('grad.')) {
        const g = k.grads.get(wrapperKey(official));
        if (!g) throw new Error(`parity: ${fx.path}: no gradient was computed for ${official}`);
        hold('grads', `grad.${official}`, g, ref);
      }
    },
  });
  // float32: weights whose gradient is not resolved in float32 are left out (FLOAT32_TOLERANCES)
  const grads = fx.group('grad.');
  const mask = (official: string) =>
    dtype === 'float32' && grads.has(official) ? resolvedMask(grads.get(official)!) : undefined;
  for (const [prefix, model] of [
    ['student', sp],
    ['teacher', tp],
  ] as const) {
    for (const [official, ref] of fx.group(`${prefix}_after.`))
      checks.push({
        group: 'after',
        name: `${prefix}_after.${official}`,
        ours: model.get(wrapperKey(official))!,
        ref,
        mask: mask(official),
        before: {
          ours: oursBefore.get(`${prefix}.${official}`)!,
          ref: fx.get(`${prefix}.${official}`),
        },
      });
  }
  checks.push({
    group: 'after',
    name: 'center_after',
    ours: center.value,
    ref: fx.get('center_after'),
    before: { ours: oursBefore.get('center')!, ref: fx.get('center') },
  });
  const ulp = dtype === 'float64' ? 2 ** -52 : 2 ** -23;
  for (const c of checks) {
    const e = c.before
      ? updateError(await c.ours.data(), c.before.ours, c.ref, c.before.ref, ulp, c.mask)
      : relError(await c.ours.data(), c.ref, c.mask);
    if (c.view) c.ours.dispose();
    if (e > errors[c.group] || worst[c.group] === '' || Number.isNaN(e)) {
      errors[c.group] = e;
      worst[c.group] = c.name;
    }
  }

  const tolerances = dtype === 'float64' ? FLOAT64_TOLERANCES : FLOAT32_TOLERANCES;
  const ok = (Object.keys(errors) as ParityGroup[]).every((g) => errors[g] <= tolerances[g]);
  return { ok, fixture: fx.path, backend: backend.name, dtype, errors, worst, tolerances };
}

export interface MultiStepParityResult {
  steps: number;
  /** Worst relative error of the loss over the steps. */
  loss: number;
  /** Worst relative error over student and teacher weights and the center after the last step. */
  after: number;
  worst: string;
}

/**
 * Several steps with one AdamW against a `mini-dino-oracle-steps-v1` fixture
 * (tools/make-multistep-fixture.py): checks AdamW's state and bias correction past step 1, the
 * EMA teacher drifting away from the student and the center accumulating. float64, cpu.
 */
export async function runMultiStepParity(path: string): Promise<MultiStepParityResult> {
  const st = await readSafetensorsFile(path);
  if (st.metadata.format !== 'mini-dino-oracle-steps-v1') {
    throw new Error(
      `parity: ${path} is not a mini-dino-oracle-steps-v1 fixture (format ` +
        `'${st.metadata.format ?? 'none'}')`,
    );
  }
  const T = tensorsFromSafetensors(st, { dtype: 'float64', backend: cpu, keep: true });
  const get = (name: string) => {
    const t = T.get(name);
    if (!t) throw new Error(`parity: ${path} has no tensor '${name}'`);
    return t;
  };
  const o = parseOracleConfig(st.metadata.config, path);
  const steps = Number(st.metadata.steps);
  const under = (prefix: string) =>
    new Map(
      [...T].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]),
    );
  const run = oracleRun(o, { student: under('student.') }, 'float64', cpu);
  const { student, teacher } = run;
  const refLosses = get('losses').dataSync();
  let loss = 0;
  for (let s = 0; s < steps; s++) {
    const crops = Array.from({ length: 2 + o.localCrops }, (_, i) =>
      get(`input.step${s}.crop${i}`),
    );
    const m = await trainStep(run, crops, oracleHyper(o), 0, s);
    loss = Math.max(loss, Math.abs(m.loss - refLosses[s]) / Math.abs(refLosses[s]));
  }
  let after = relError(run.center.value, get('center_after'));
  let worst = 'center_after';
  for (const [prefix, model] of [
    ['student_after.', student],
    ['teacher_after.', teacher],
  ] as const) {
    const own = new Map(model.namedParameters());
    for (const [k, ref] of under(prefix)) {
      const e = relError(own.get(wrapperKey(k))!, ref);
      if (e > after) [after, worst] = [e, `${prefix}${k}`];
    }
  }
  return { steps, loss, after, worst };
}

/** max |ours − ref| / max |ref| over the elements in `mask` (all by default). // sync point */
/** max |ours − ref| / max |ref| (over the mask's elements); `ours` may come from any backend. */
function relError(ours: Tensor | ArrayLike<number>, ref: Tensor, mask?: Uint8Array): number {
  const a = ours instanceof Tensor ? ours.backend.readSync(ours.storage) : ours;
  if (a.length !== ref.size) return Infinity;
  const b = ref.backend.readSync(ref.storage);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.size; i++) {
    if (mask && !mask[i]) continue;
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= diff)) diff = d; // NaN propagates
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / (scale > 0 ? scale : 1);
}

/**
 * The error of an update: max (|Δours − Δref| − ulp·max(|before|, |after|))₊ over max |Δref|,
 * Δ = after − before, over the mask's elements. The ulp term is the rounding of the stored
 * weight, which no computation in that dtype avoids. A tensor the reference leaves unchanged
 * (weight_g, frozen) is compared relative to its magnitude instead.
 */
function updateError(
  oursAfter: ArrayLike<number>,
  oursBefore: ArrayLike<number>,
  refAfter: Tensor,
  refBefore: Tensor,
  ulp: number,
  mask?: Uint8Array,
): number {
  const ra = refAfter.backend.readSync(refAfter.storage); // sync point
  const rb = refBefore.backend.readSync(refBefore.storage); // sync point
  if (oursAfter.length !== ra.length || oursBefore.length !== ra.length) return Infinity;
  let diff = 0;
  let scale = 0;
  let magnitude = 0;
  for (let i = 0; i < ra.length; i++) {
    if (mask && !mask[i]) continue;
    const dRef = ra[i] - rb[i];
    const slack = ulp * Math.max(Math.abs(rb[i]), Math.abs(ra[i]));
    const d = Math.max(0, Math.abs(oursAfter[i] - oursBefore[i] - dRef) - slack);
    if (!(d <= diff)) diff = d; // NaN propagates
    scale = Math.max(scale, Math.abs(dRef));
    magnitude = Math.max(magnitude, Math.abs(ra[i]));
  }
  return diff / (scale > 0 ? scale : magnitude > 0 ? magnitude : 1);
}

function hostCopy(t: Tensor, dtype: DType): Float32Array | Float64Array {
  const src = t.backend.readSync(t.storage); // sync point
  return dtype === 'float64' ? Float64Array.from(src) : Float32Array.from(src);
}
