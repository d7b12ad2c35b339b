import type { BestEpochRecommendation, EpochFocusSummary, EpochTrainingState, Faithfulness } from '../../../shared/explain.js';
import { GATES_TEXT, gateEpochs } from './epoch-gates.js';

// Per-epoch summary of the probe samples' focus, and the best-epoch rule. The
// rule is a plain ranking on numbers the summary table shows, so a person can
// check the recommendation by reading the table, then confirm it by comparing
// the neighbouring epochs' CAMs (as the paper did from epoch 15 to 18).

/** The per-sample fields a summary needs (SampleFocus and FocusRow both fit). */
export interface SampleFocusLike {
  ratio: number | null;
  flagged: boolean;
  sharpness: number | null;
  /** Absent or null: not known for this sample. */
  baselineRatio?: number | null;
}

/** Epochs on each side of the recommendation that a person should compare. */
export const NEIGHBOUR_WINDOW = 3;

export const BEST_EPOCH_RULE =
  GATES_TEXT +
  'Among the epochs that pass: lowest median off-digit share (the ratio the flag threshold applies to) over the probe samples with evidence; ' +
  'medians equal to 0.1 percentage point are a tie, broken by the lower flag rate (to 0.1 point), then by the later epoch.';

function median(sorted: number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

function mean(values: number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

/**
 * - meanOffDigit, medianOffDigit: of the off-digit share over samples with evidence (null if none)
 * - noEvidence: samples whose CAM is all zero
 * - flagRate: flagged / all samples (a sample without evidence is never flagged)
 * - meanSharpness: over samples with evidence
 * - meanBaselineRatio: over samples with a baseline ratio (null if none)
 * - faithfulness: the epoch explanation's, passed through
 */
export function summarizeEpoch(epoch: number, samples: SampleFocusLike[], faithfulness: Faithfulness | null = null): EpochFocusSummary {
  const offDigit: number[] = [];
  const sharpness: number[] = [];
  const baselines: number[] = [];
  let flagged = 0;
  for (const s of samples) {
    if (s.ratio !== null) offDigit.push(s.ratio);
    if (s.sharpness !== null) sharpness.push(s.sharpness);
    if (s.baselineRatio !== undefined && s.baselineRatio !== null) baselines.push(s.baselineRatio);
    if (s.flagged) flagged++;
  }
  offDigit.sort((a, b) => a - b);
  return {
    epoch,
    samples: samples.length,
    noEvidence: samples.length - offDigit.length,
    meanOffDigit: mean(offDigit),
    medianOffDigit: offDigit.length ? median(offDigit) : null,
    flagRate: samples.length ? flagged / samples.length : 0,
    meanSharpness: mean(sharpness),
    meanBaselineRatio: mean(baselines),
    faithfulness,
  };
}

/** In tenths of a percentage point: the precision the rule compares at. */
const permille = (x: number) => Math.round(x * 1000);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Orders better first by the documented rule. */
function compare(a: EpochFocusSummary, b: EpochFocusSummary): number {
  return (
    permille(a.medianOffDigit!) - permille(b.medianOffDigit!) ||
    permille(a.flagRate) - permille(b.flagRate) ||
    b.epoch - a.epoch
  );
}

/** How many excluded epochs the reason names one by one. */
const NAMED_EXCLUSIONS = 4;

/**
 * The documented rule (BEST_EPOCH_RULE) over the explained epochs; `training`
 * holds D's training means and G's quality per epoch (epochs missing from it
 * fail the gates that need them).
 */
export function recommendBestEpoch(summaries: EpochFocusSummary[], training: EpochTrainingState[]): BestEpochRecommendation {
  const epochs = summaries.map((s) => s.epoch);
  const dup = epochs.find((e, i) => epochs.indexOf(e) !== i);
  if (dup !== undefined) throw new RangeError(`recommendBestEpoch: epoch ${dup} appears twice in the summaries`);
  const verdicts = gateEpochs(summaries, training);
  const passing = new Set(verdicts.filter((v) => v.excluded.length === 0).map((v) => v.epoch));
  const ranked = summaries.filter((s) => passing.has(s.epoch) && s.medianOffDigit !== null).sort(compare);
  const excluded = verdicts.filter((v) => v.excluded.length > 0);
  const exclusions = excluded
    .slice(0, NAMED_EXCLUSIONS)
    .map((v) => `epoch ${v.epoch}: ${v.excluded.join('; ')}`)
    .concat(excluded.length > NAMED_EXCLUSIONS ? [`${excluded.length - NAMED_EXCLUSIONS} more`] : [])
    .join('. ');
  if (ranked.length === 0) {
    return {
      epoch: null,
      neighbours: [],
      reason: summaries.length ? `No explained epoch passes the rule's gates, so none is recommended. ${exclusions}.` : 'No epoch has been explained yet.',
      rule: BEST_EPOCH_RULE,
      verdicts,
    };
  }
  const best = ranked[0];
  const neighbours = epochs.filter((e) => e !== best.epoch && Math.abs(e - best.epoch) <= NEIGHBOUR_WINDOW).sort((a, b) => a - b);
  const parts = [
    `Of the ${ranked.length} epoch${ranked.length === 1 ? '' : 's'} that pass the gates, epoch ${best.epoch} has the lowest median off-digit share, ${pct(best.medianOffDigit!)}, ` +
      `over ${best.samples - best.noEvidence} of ${best.samples} probe samples with evidence; flag rate ${pct(best.flagRate)}.`,
  ];
  const next = ranked[1];
  if (next) {
    const tied = permille(next.medianOffDigit!) === permille(best.medianOffDigit!);
    const why = !tied
      ? ''
      : permille(next.flagRate) !== permille(best.flagRate)
        ? ' (tied on the median; lower flag rate wins)'
        : ' (tied on the median and flag rate; the later epoch wins)';
    parts.push(`Runner-up: epoch ${next.epoch} at ${pct(next.medianOffDigit!)}, flag rate ${pct(next.flagRate)}${why}.`);
  }
  parts.push(
    neighbours.length
      ? `Compare its CAMs with epochs ${neighbours.join(', ')} before confirming.`
      : 'No neighbouring epoch within 3 exists to compare with.',
  );
  if (excluded.length) parts.push(`Not ranked: ${exclusions}.`);
  return { epoch: best.epoch, neighbours, reason: parts.join(' '), rule: BEST_EPOCH_RULE, verdicts };
}
