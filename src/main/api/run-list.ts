import type { RunListItem } from '../../shared/api.js';
import type { ExplanationRow } from '../../shared/explain.js';
import type { RunRow } from '../../shared/types.js';
import { listBestEpochs } from '../store/best-epoch.js';
import { readFocusColumns } from '../store/focus-blocks.js';
import { listQuality } from '../store/quality.js';
import { listReviews } from '../store/reviews.js';
import { listRuns } from '../store/runs.js';
import type { MethodGroup, RouterContext } from './context.js';
import { camChoice, completeExplanations, type CamChoice } from './explain-methods.js';
import { focusWithRecommendation } from './focus-summary.js';
import { trainingImagesOf } from './training-images.js';

/**
 * The training-set explanation whose flags the runs table shows. It used to be
 * the highest epoch's of any settings, so a later look at another threshold or
 * layer, or a late epoch where D's CAMs carry no evidence, showed 0 for a run
 * with 45 flags under review. Now: the settings of the best epoch (those it was
 * confirmed under, else the defaults), at the best epoch when that is explained,
 * else the one computed last (the epoch someone looked at most recently).
 */
function flagSource(ctx: RouterContext, run: RunRow, cam: CamChoice, bestEpoch: number | null): ExplanationRow | null {
  const explained = completeExplanations(ctx, run.id, 'train', cam);
  return explained.find((e) => e.epoch === bestEpoch) ?? explained.reduce<ExplanationRow | null>((a, e) => (a === null || e.id > a.id ? e : a), null);
}

function flagCounts(ctx: RouterContext, run: RunRow, e: ExplanationRow): NonNullable<RunListItem['flags']> {
  const c = readFocusColumns(ctx.db, e.id, ['flagged']);
  const confirmed = new Set(listReviews(ctx.db, run.id, 'confirmed').map((r) => r.index));
  let flagged = 0;
  let confirmedFlagged = 0;
  for (let i = 0; i < c.length; i++) {
    if (c.flagged[i] !== 1) continue;
    flagged++;
    if (confirmed.has(c.index[i])) confirmedFlagged++;
  }
  return { epoch: e.epoch, flagged, total: c.length, confirmed: confirmedFlagged };
}

/** One row of the runs table: the run with what the explain workflow and G quality found. */
export function runListItem(ctx: RouterContext, run: RunRow): RunListItem {
  // The latest confirmation under any settings, shown with them; else the recommendation under the defaults.
  const latest = listBestEpochs(ctx.db, run.id)[0];
  const cam: CamChoice = latest ? { layers: latest.layers, method: latest.method, target: latest.target, settings: latest.settings } : camChoice(run, {});
  let bestEpoch: RunListItem['bestEpoch'] = latest ? { epoch: latest.confirmed, confirmed: true, cam } : null;
  if (!bestEpoch) {
    const rec = focusWithRecommendation(ctx, run, completeExplanations(ctx, run.id, 'probe', cam)).recommendation;
    if (rec.epoch !== null) bestEpoch = { epoch: rec.epoch, confirmed: false, cam };
  }
  const source = flagSource(ctx, run, cam, bestEpoch?.epoch ?? null);
  const flags = source ? flagCounts(ctx, run, source) : null;
  return {
    ...run,
    bestEpoch,
    flagCount: flags?.flagged ?? null,
    flags,
    trainingImages: trainingImagesOf(ctx, run.config),
    quality: listQuality(ctx.db, run.id).at(-1) ?? null,
  };
}

export function runListMethods(ctx: RouterContext): MethodGroup<'listRuns'> {
  return { listRuns: (p) => listRuns(ctx.db, p).map((run) => runListItem(ctx, run)) };
}
