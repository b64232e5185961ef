// Whether ops record the graph. noGrad(fn) runs fn without recording (teacher forward, EMA,
// evaluation, and every backward rule), like torch.no_grad().

let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs fn with graph recording off and restores the previous mode (also on throw). */
export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Sets the mode and returns the previous one (for code that cannot use a callback). */
export function setGradEnabled(value: boolean): boolean {
  const prev = enabled;
  enabled = value;
  return prev;
}
