import type { BestEpochRecommendation, EpochFocusSummary, EpochTrainingState, ExplanationRow } from '../../shared/explain.js';
import type { RunRow } from '../../shared/types.js';
import { recommendBestEpoch, summarizeEpoch } from '../engine/explain/summary.js';
import { listEpochs } from '../store/epochs.js';
import { listFocus } from '../store/explanations.js';
import type { RouterContext } from './context.js';

/** One summary per explained epoch, from the stored probe rows. */
export function epochSummaries(ctx: RouterContext, run: RunRow, explanations: ExplanationRow[]): EpochFocusSummary[] {
  if (!run.datasetId) return [];
  return explanations.map((e) => summarizeEpoch(e.epoch, listFocus(ctx.db, e.id, run.datasetId!), e.faithfulness));
}

/** D's training means and G's quality per trained epoch: what the best-epoch rule reads besides the CAMs. */
export function trainingStates(ctx: RouterContext, runId: number): EpochTrainingState[] {
  return listEpochs(ctx.db, runId).map((e) => ({ epoch: e.epoch, dx: e.dx, dgz: e.dgz, quality: e.quality }));
}

/** The per-epoch summaries of these probe explanations and the best-epoch recommendation over them. */
export function focusWithRecommendation(
  ctx: RouterContext,
  run: RunRow,
  explanations: ExplanationRow[],
): { summaries: EpochFocusSummary[]; recommendation: BestEpochRecommendation } {
  const summaries = epochSummaries(ctx, run, explanations);
  return { summaries, recommendation: recommendBestEpoch(summaries, trainingStates(ctx, run.id)) };
}
