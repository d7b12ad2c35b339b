import type { Effect, Spread } from '../../shared/study.js';
import { studyNumber } from '../study/answer.js';
import { DASH } from './html-format.js';

// A study's numbers in the reports, as HTML (digits and entities only), written
// as its verdict writes them: a run's page 1, the study report and `study show`
// then agree digit for digit.

export function studyNum(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? DASH : studyNumber(x);
}

/** "estimate [low, high]"; without an interval (an arm under 2 seeds) the estimate alone. */
export function effectText(e: Effect | null): string {
  if (!e) return `${DASH} (not measured yet)`;
  const sign = e.estimate >= 0 ? '+' : '';
  return e.low === null || e.high === null ? `${sign}${studyNum(e.estimate)} (no interval: under 2 seeds per arm)` : `${sign}${studyNum(e.estimate)} [${studyNum(e.low)}, ${studyNum(e.high)}]`;
}

/** "mean [low, high]" over seeds; one seed gives the mean alone. */
export function spreadText(s: Spread): string {
  if (s.mean === null) return DASH;
  return s.low === null || s.n < 2 ? `${studyNum(s.mean)} (1 seed)` : `${studyNum(s.mean)} [${studyNum(s.low)}, ${studyNum(s.high)}]`;
}
