import type { EpochFocusSummary, ExplanationRow } from '../../shared/explain.js';
import type { RunRow } from '../../shared/types.js';
import { summarizeEpoch } from '../engine/explain/summary.js';
import { listFocus } from '../store/explanations.js';
import type { RouterContext } from './context.js';

/** One summary per explained epoch, from the stored probe rows. */
export function epochSummaries(ctx: RouterContext, run: RunRow, explanations: ExplanationRow[]): EpochFocusSummary[] {
  if (!run.datasetId) return [];
  return explanations.map((e) => summarizeEpoch(e.epoch, listFocus(ctx.db, e.id, run.datasetId!), e.faithfulness));
}
