// Per-iteration schedules of the official utils.cosine_scheduler (paper §3.2): an optional linear
// warm-up (inclusive of both ends, np.linspace) followed by a cosine from `base` to `final` over
// the remaining iterations, value j = final + ½(base − final)(1 + cos(π j / L)), j = 0..L−1
// (so the last value stays slightly above `final`). Used for the learning rate, weight decay and
// teacher momentum. The teacher temperature is scheduled per epoch
// (DINOLoss.teacher_temp_schedule).

/** np.linspace(start, stop, n): n values including both ends. */
export function linspace(start: number, stop: number, n: number): number[] {
  if (n <= 0) return [];
  if (n === 1) return [start];
  const step = (stop - start) / (n - 1);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? stop : start + step * i));
}

export function cosineScheduler(
  base: number,
  final: number,
  epochs: number,
  itersPerEpoch: number,
  warmupEpochs = 0,
  startWarmup = 0,
): Float64Array {
  const total = epochs * itersPerEpoch;
  const warmupIters = Math.min(total, Math.floor(warmupEpochs * itersPerEpoch));
  const out = new Float64Array(total);
  linspace(startWarmup, base, warmupIters).forEach((v, i) => (out[i] = v));
  const L = total - warmupIters;
  for (let j = 0; j < L; j++)
    out[warmupIters + j] = final + 0.5 * (base - final) * (1 + Math.cos((Math.PI * j) / L));
  return out;
}

/** Teacher temperature per epoch: linear warm-up (inclusive) then constant (DINOLoss). */
export function teacherTempSchedule(
  warmupTemp: number,
  temp: number,
  warmupEpochs: number,
  epochs: number,
): Float64Array {
  const out = new Float64Array(epochs);
  const ramp = linspace(warmupTemp, temp, Math.min(warmupEpochs, epochs));
  for (let e = 0; e < epochs; e++) out[e] = e < ramp.length ? ramp[e] : temp;
  return out;
}
