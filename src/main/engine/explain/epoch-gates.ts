import { beatsRandom, type EpochFocusSummary, type EpochGateVerdict, type EpochTrainingState } from '../../../shared/explain.js';

// The gates of the best-epoch rule (docs/explain.md, "Best epoch"). Focus on
// the digit is the paper's criterion, but it ranks garbage high: the untrained
// start, a collapsed D and epochs whose CAMs are mostly empty all score well on
// it (issue 13). So an epoch is ranked only where D has learned and is still
// informative, G draws the digits about as well as it ever does in this run,
// and the CAMs carry evidence and beat a random map.

/** D(x) - D(G(z)) below this: D does not yet tell real from fake (the untrained start is ~0). */
export const MIN_D_MARGIN = 0.1;
/** D(x) - D(G(z)) above this: D has collapsed to certainty (~1.0 vs ~0.0) and G gets no useful signal. */
export const MAX_D_MARGIN = 0.95;
/** FID-MNIST above this is poor whatever the run: an untrained G scores 490-670, the recipe's goal is <= 100. */
export const MAX_FID = 200;
/** FID-MNIST must be within this factor of the run's best measured epoch. */
export const FID_FACTOR = 1.5;
/** Digits present may fall short of the run's best by at most this many. */
export const DIGIT_SLACK = 1;
/** Probe samples without evidence may be at most this share: a median over 2 of 16 CAMs means nothing. */
export const MAX_NO_EVIDENCE_SHARE = 0.5;

export const GATES_TEXT =
  `An epoch is ranked only if (1) D has learned and is informative: its training means give ` +
  `${MIN_D_MARGIN} <= D(x) - D(G(z)) <= ${MAX_D_MARGIN}; (2) G is good at it: FID-MNIST <= ${MAX_FID} and <= ${FID_FACTOR} x the run's best, ` +
  `and digits present >= the run's best - ${DIGIT_SLACK}; (3) at most ${MAX_NO_EVIDENCE_SHARE * 100}% of the probe samples have no evidence; ` +
  `(4) where faithfulness was measured, the CAMs beat the random map (ROAD). `;

const f2 = (x: number) => x.toFixed(2);
const f1 = (x: number) => x.toFixed(1);

/** One verdict per summary (same order): why an epoch may not be recommended, empty when it may. */
export function gateEpochs(summaries: EpochFocusSummary[], training: EpochTrainingState[]): EpochGateVerdict[] {
  const byEpoch = new Map(training.map((t) => [t.epoch, t]));
  const measured = training.filter((t) => t.quality !== null).map((t) => t.quality!);
  const bestFid = measured.length ? Math.min(...measured.map((q) => q.fidMnist)) : null;
  const bestDigits = measured.length ? Math.max(...measured.map((q) => q.digitsPresent)) : null;
  const fidLimit = bestFid === null ? null : Math.min(MAX_FID, FID_FACTOR * bestFid);
  return summaries.map((s) => {
    const t = byEpoch.get(s.epoch);
    const excluded: string[] = [];
    const dx = t?.dx ?? null;
    const dgz = t?.dgz ?? null;
    const margin = dx !== null && dgz !== null ? dx - dgz : null;
    if (margin === null) excluded.push('D(x) and D(G(z)) not recorded');
    else if (margin < MIN_D_MARGIN) excluded.push(`D has not learned: D(x) ${f2(dx!)} - D(G(z)) ${f2(dgz!)} = ${f2(margin)} < ${MIN_D_MARGIN}`);
    else if (margin > MAX_D_MARGIN) excluded.push(`D has collapsed: D(x) ${f2(dx!)} - D(G(z)) ${f2(dgz!)} = ${f2(margin)} > ${MAX_D_MARGIN}`);
    const q = t?.quality ?? null;
    if (q === null) excluded.push('G quality not measured (gan-focus quality)');
    else {
      if (q.fidMnist > fidLimit!)
        excluded.push(`G is poor: FID-MNIST ${f1(q.fidMnist)} > ${f1(fidLimit!)}${fidLimit! < MAX_FID ? ` (${FID_FACTOR} x the best, ${f1(bestFid!)})` : ''}`);
      if (q.digitsPresent < bestDigits! - DIGIT_SLACK) excluded.push(`G draws ${q.digitsPresent} digits (the run's best: ${bestDigits})`);
    }
    if (s.samples === 0 || s.noEvidence > s.samples * MAX_NO_EVIDENCE_SHARE)
      excluded.push(`${s.noEvidence} of ${s.samples} probe samples have no evidence`);
    if (s.faithfulness !== null && !beatsRandom(s.faithfulness))
      excluded.push(`CAMs do not beat a random map (ROAD ${f2(s.faithfulness.cam)} vs ${f2(s.faithfulness.random)})`);
    return {
      epoch: s.epoch,
      dx,
      dgz,
      fidMnist: q?.fidMnist ?? null,
      digitsPresent: q?.digitsPresent ?? null,
      excluded,
    };
  });
}
