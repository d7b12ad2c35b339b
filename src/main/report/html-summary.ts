import type { QualityRow } from '../../shared/explain.js';
import { esc } from './escape.js';
import { DASH, num, pct, table, text } from './html-format.js';
import type { FlagEpochReason, ReportData, ReportStudyVerdict, RunReport } from './report-data.js';
import { effectText } from './study-format.js';

// Page 1 of a report: per run, what a reader wants first. The best epoch with
// the settings it was read with, G's quality at the end and at the best epoch,
// the flags at the epoch that was reviewed, and a study's verdict when the run
// belongs to one. The details and the environment follow.

/** Why the flagged list shows its epoch, in the words of page 1 and the flags section. */
export const FLAG_EPOCH_WHY: Record<FlagEpochReason, string> = {
  reviewed: 'the epoch that was reviewed (its flags carry the most decisions)',
  best: 'the best epoch (no flag has a review yet)',
  latest: "the latest explained epoch (no flag has a review yet, and the best epoch's training set is not explained)",
};

function qualityText(q: QualityRow | null): string {
  if (!q) return DASH;
  return `epoch ${q.epoch}: FID-MNIST ${num(q.fidMnist, 1)}, ${q.digitsPresent} of 10 digits, mean confidence ${pct(q.meanConfidence)} (${q.count} samples)`;
}

function studyRow(v: ReportStudyVerdict): string {
  const role = v.role.kind === 'parent' ? 'this run is the parent whose flags it tests' : `this run is its ${esc(v.role.arm)} arm, training seed ${v.role.seed}`;
  return (
    `<strong>${esc(v.name)}</strong> (study ${v.studyId}, ${esc(v.status)}, ${v.seeds} seed${v.seeds === 1 ? '' : 's'} per arm; ${role}). ` +
    `<span class="study-verdict">${esc(v.verdict)}</span> ` +
    `Final KID, flagged excluded &minus; random excluded: <span class="study-effect">${effectText(v.effect.flaggedVsRandom)}</span>; ` +
    `flagged excluded &minus; full data: <span class="study-effect">${effectText(v.effect.flaggedVsFull)}</span> (95% intervals over seeds; lower is better).`
  );
}

function runSummaryHtml(r: RunReport): string {
  const s = r.summary;
  const run = r.run;
  const cam = `layer ${esc(s.cam.layers.join(' + '))}, ${esc(s.cam.method)}, flag threshold ${pct(s.cam.threshold, 0)}`;
  const best = s.bestEpoch
    ? `<strong>epoch ${s.bestEpoch.epoch}</strong>, ${s.bestEpoch.how === 'confirmed' ? `confirmed by a person (the rule recommended ${text(r.focus.recommendation.epoch)})` : 'recommended by the rule, not confirmed yet'}; read with ${cam}`
    : `none: ${esc(r.focus.recommendation.reason)} (${cam})`;
  const flags = s.flags
    ? `<strong>${s.flags.flagged} of ${s.flags.total}</strong> training samples flagged (${pct(s.flags.total ? s.flags.flagged / s.flags.total : null)}) at epoch ${s.flags.epoch}, ${esc(FLAG_EPOCH_WHY[s.flags.why])}; <strong>${s.flags.confirmed} confirmed</strong>, ${s.flags.dismissed} dismissed`
    : `the training set is not explained with these settings (gan-focus explain ${run.id} --samples train)`;
  const rows: [string, string][] = [
    ['Run', `${esc(run.status)}, ${run.epochsCompleted} of ${run.config.epochs} epochs, ${run.trainingImages === null ? DASH : run.trainingImages.toLocaleString('en-US')} training images, arch ${esc(run.config.arch)}, seed ${text(run.config.seed)}`],
    ['Best epoch', best],
    ['G quality, final', qualityText(s.quality.final)],
    ['G quality, best epoch', s.bestEpoch ? qualityText(s.quality.best) : DASH],
    ['Flags', flags],
  ];
  for (const v of s.studies) rows.push(['Study', studyRow(v)]);
  const spread = s.studies.length ? '' : '<p class="muted">One run is one seed: these numbers carry no spread over seeds. A study of several seeds gives it.</p>';
  return (
    `<section id="run-${run.id}-summary" class="summary-run"><h3>Run ${run.id}: ${esc(run.name)}</h3>` +
    table(['', 'Summary'], rows.map(([k, v]) => [esc(k), v]), 'summary') +
    spread +
    `</section>`
  );
}

export function summaryHtml(data: ReportData): string {
  return `<section id="summary"><h2>Summary</h2>${data.runs.map(runSummaryHtml).join('')}</section>`;
}
