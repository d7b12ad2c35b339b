import type { QualityRow } from '../../shared/explain.js';
import type { EpochFlagCount, FlagEpochReason, ReportStudyVerdict, RunReport, RunSummary } from './report-data.js';

/**
 * The epoch whose flags a report lists. Reviews are kept per run, so the epoch
 * that was reviewed is the one whose flagged samples carry the most decisions
 * (a tie goes to the best epoch, then the later one). Without any decision: the
 * best epoch when its training set is explained, else the latest explained.
 */
export function chooseFlagEpoch(byEpoch: EpochFlagCount[], bestEpoch: number | null): { epoch: number; why: FlagEpochReason } | null {
  if (byEpoch.length === 0) return null;
  const decided = (e: EpochFlagCount) => e.reviewed.confirmed + e.reviewed.dismissed;
  const most = Math.max(...byEpoch.map(decided));
  if (most > 0) {
    const top = byEpoch.filter((e) => decided(e) === most);
    return { epoch: (top.find((e) => e.epoch === bestEpoch) ?? top[top.length - 1]).epoch, why: 'reviewed' };
  }
  if (byEpoch.some((e) => e.epoch === bestEpoch)) return { epoch: bestEpoch!, why: 'best' };
  return { epoch: byEpoch[byEpoch.length - 1].epoch, why: 'latest' };
}

/** The confirmed best epoch, else the recommended one. */
export function bestEpochOf(focus: RunReport['focus']): RunSummary['bestEpoch'] {
  if (focus.confirmed) return { epoch: focus.confirmed.confirmed, how: 'confirmed' };
  return focus.recommendation.epoch === null ? null : { epoch: focus.recommendation.epoch, how: 'recommended' };
}

/** Page 1 of a run's report, from what the report collected. */
export function summarizeRun(r: Omit<RunReport, 'summary'>, studies: ReportStudyVerdict[]): RunSummary {
  const bestEpoch = bestEpochOf(r.focus);
  const byEpoch = (rows: QualityRow[], epoch: number | undefined) => rows.find((q) => q.epoch === epoch) ?? null;
  const f = r.flags;
  return {
    bestEpoch,
    cam: { layers: r.figure1.layers, method: r.figure1.method, threshold: r.figure1.settings.threshold },
    quality: { final: r.quality.at(-1) ?? null, best: byEpoch(r.quality, bestEpoch?.epoch) },
    flags: f && { epoch: f.epoch, why: f.why, flagged: f.flagged, total: f.total, ...f.flaggedReviewed },
    studies,
  };
}
