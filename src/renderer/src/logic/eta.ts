/** When a progress report arrived (client clock) and how far training was. */
export interface ProgressSample {
  at: number;
  iteration: number;
}

export interface Eta {
  iterationsPerSecond: number | null;
  secondsLeft: number | null;
  fraction: number;
}

/** Rates come from the last minute only, so a resumed or slowed run re-estimates quickly. */
const WINDOW_MS = 60_000;

/**
 * Remaining time from the recent rate of iterations. Unknown (null) until two
 * reports at different times exist.
 */
export function estimateEta(samples: readonly ProgressSample[], totalIterations: number): Eta {
  const last = samples[samples.length - 1];
  const done = last?.iteration ?? 0;
  const fraction = totalIterations > 0 ? Math.min(1, done / totalIterations) : 0;
  if (!last) return { iterationsPerSecond: null, secondsLeft: null, fraction };
  const recent = samples.filter((s) => last.at - s.at <= WINDOW_MS);
  const first = recent[0];
  const dt = (last.at - first.at) / 1000;
  const di = last.iteration - first.iteration;
  if (dt <= 0 || di <= 0) return { iterationsPerSecond: null, secondsLeft: null, fraction };
  const rate = di / dt;
  return { iterationsPerSecond: rate, secondsLeft: Math.max(0, totalIterations - done) / rate, fraction };
}
