import { beatsRandom, faithfulnessText, resolutionWarning } from '../../shared/explain.js';
import { esc } from './escape.js';
import { DASH, empty, flatten, num, pct, table, text } from './html-format.js';
import { FLAG_EPOCH_WHY } from './html-summary.js';
import { grayDataUri, legendDataUri, OVERLAY_ALPHA, overlayDataUri } from './images.js';
import { FLAG_THUMBNAIL_CAP, type RunReport } from './report-data.js';
import { downsample, lineChart } from './svg-chart.js';

// The sections of one run's report. Section ids are `run-<id>-<name>`, so a
// comparison can hold several runs in one document.

export const RUN_SECTIONS = ['config', 'curves', 'grids', 'figure1', 'focus', 'flags', 'lineage', 'quality'] as const;
export type RunSection = (typeof RUN_SECTIONS)[number];

export const SECTION_TITLES: Record<RunSection, string> = {
  config: 'Configuration',
  curves: 'Training curves',
  grids: 'Fixed-noise samples per epoch',
  figure1: "Figure 1: D's Grad-CAM on the probe samples",
  focus: 'Off-digit share per epoch and best epoch',
  flags: 'Flagged training samples',
  lineage: 'Exclusions and lineage',
  quality: 'G quality',
};

export const sectionId = (runId: number, s: RunSection) => `run-${runId}-${s}`;

const COLORS = { lossD: '#1f6feb', lossG: '#e8590c', dx: '#2e7d32', dgz: '#8e24aa', rec: '#1f6feb', best: '#2e7d32', flag: '#c62828' };

function section(r: RunReport, s: RunSection, body: string): string {
  return `<section id="${sectionId(r.run.id, s)}" class="run-section"><h3>${esc(SECTION_TITLES[s])}</h3>${body}</section>`;
}

function configSection(r: RunReport): string {
  const run = r.run;
  const facts: [string, string][] = [
    ['Status', esc(run.status)],
    ['Created', text(run.createdAt)],
    ['Started', text(run.startedAt)],
    ['Finished', text(run.finishedAt)],
    ['Epochs completed', `${run.epochsCompleted} of ${run.config.epochs}`],
    ['Backend used', text(run.backend)],
    ['Dataset id', text(run.datasetId)],
    ['Tags', run.tags.length ? run.tags.map(esc).join(', ') : DASH],
  ];
  if (run.error) facts.push(['Error', esc(`${run.error.message} (at ${run.error.at})`)]);
  const config = flatten({ ...run.config, excluded: `${run.config.excluded.length} sample ids` });
  return section(
    r,
    'config',
    table(['Field', 'Value'], facts.map(([k, v]) => [esc(k), v])) +
      (run.notes ? `<h4>Notes</h4><div class="note">${esc(run.notes)}</div>` : '') +
      `<h4>Run config</h4>` +
      table(['Key', 'Value'], config.map(([k, v]) => [`<code>${esc(k)}</code>`, text(v)])),
  );
}

function curvesSection(r: RunReport): string {
  const m = r.metrics;
  const it = (row: (typeof m)[number]) => row.iteration;
  const epochs = table(
    ['Epoch', { head: 'Loss_D', numeric: true }, { head: 'Loss_G', numeric: true }, { head: 'D(x)', numeric: true }, { head: 'D(G(z))', numeric: true }, { head: 'Seconds', numeric: true }],
    r.run.epochs.map((e) => [String(e.epoch), num(e.lossD), num(e.lossG), num(e.dx), num(e.dgz), num(e.seconds, 1)]),
  );
  const losses = lineChart({
    title: 'Losses per iteration',
    xLabel: 'iteration',
    integerX: true,
    series: [
      { label: 'Loss_D', color: COLORS.lossD, points: downsample(m, it, (x) => x.lossD) },
      { label: 'Loss_G', color: COLORS.lossG, points: downsample(m, it, (x) => x.lossG) },
    ],
  });
  const outputs = lineChart({
    title: "D's outputs per iteration",
    xLabel: 'iteration',
    integerX: true,
    yMin: 0,
    yMax: 1,
    series: [
      { label: 'D(x)', color: COLORS.dx, points: downsample(m, it, (x) => x.dx) },
      { label: 'D(G(z))', color: COLORS.dgz, points: downsample(m, it, (x) => x.dgz) },
    ],
  });
  const note = m.length > 500 ? `<p class="muted">${m.length} iterations, drawn as 500 bucket means.</p>` : '';
  return section(r, 'curves', (r.run.epochs.length ? epochs : empty('No epoch has finished.')) + losses + outputs + note);
}

function gridsSection(r: RunReport): string {
  if (r.grids.length === 0) return section(r, 'grids', empty('No fixed-noise grid was saved.'));
  const figures = r.grids.map(
    (g) => `<figure><img src="data:image/png;base64,${g.pngBase64}" alt="epoch ${g.epoch} samples"><figcaption>epoch ${g.epoch}</figcaption></figure>`,
  );
  return section(r, 'grids', `<p class="muted">G's output for the same fixed noise after each epoch.</p><div class="gallery">${figures.join('')}</div>`);
}

/** Explanations are stored per layer, method and focus settings: an empty section says which it looked for. */
function camWords(r: RunReport): string {
  const g = r.figure1;
  const s = g.settings;
  return `with layer ${g.layers.join(' + ')}, ${g.method}, threshold ${pct(s.threshold, 0)}, mask level ${s.maskLevel}, dilation ${s.dilation} px, CAM level ${s.camLevel}`;
}

export function legend(): string {
  return `<div class="legend-scale"><span>CAM 0</span><img src="${legendDataUri()}" alt="colour scale"><span>1</span><span>(turbo colours at ${OVERLAY_ALPHA * 100}% over the gray digit; each CAM min-max scaled)</span></div>`;
}

function figure1Section(r: RunReport): string {
  const g = r.figure1;
  const settings = `Layer ${esc(g.layers.join(' + '))}, ${esc(g.method)}; flagged (red outline) when the off-digit share &ge; ${pct(g.settings.threshold, 0)}`;
  if (g.probes.length === 0 || g.epochs.length === 0) return section(r, 'figure1', empty(`No probe explanation ${camWords(r)}: run gan-focus explain ${r.run.id}.`));
  const rec = r.focus.recommendation.epoch;
  const best = r.focus.confirmed?.confirmed ?? null;
  const cells = new Map(g.cells.map((c) => [`${c.position}:${c.epoch}`, c]));
  const head = g.epochs.map((e) => {
    const cls = e === best ? ' class="best"' : e === rec ? ' class="rec"' : '';
    return `<th${cls}>epoch ${e}${e === rec ? '<br><span class="badge rec">rec.</span>' : ''}${e === best ? '<br><span class="badge best">best</span>' : ''}</th>`;
  });
  const rows = g.probes.map((p) => {
    const original = `<td><img src="${grayDataUri(p.imageBase64)}" alt="probe ${p.position}">${esc(p.sampleId)}<br>digit ${text(p.digit)}</td>`;
    const overlays = g.epochs.map((e) => {
      const c = cells.get(`${p.position}:${e}`);
      if (!c) return `<td>${DASH}</td>`;
      const img = c.camBase64 ? `<img src="${overlayDataUri(p.imageBase64, c.camBase64)}" alt="CAM epoch ${e}">` : '<span class="empty">no CAM kept</span>';
      return `<td${c.flagged ? ' class="flagged"' : ''}>${img}${c.ratio === null ? 'no evidence' : `off ${pct(c.ratio, 0)}`}</td>`;
    });
    return `<tr>${original}${overlays.join('')}</tr>`;
  });
  return section(
    r,
    'figure1',
    `<p>Probe samples (rows) by epoch checkpoint (columns): the original beside D's Grad-CAM over it, with the off-digit share of the CAM. ${settings}.</p>` +
      legend() +
      `<table class="fig1"><thead><tr><th>original</th>${head.join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`,
  );
}

function focusSection(r: RunReport): string {
  const f = r.focus;
  const rec = f.recommendation;
  const confirmed = f.confirmed;
  if (f.summaries.length === 0) return section(r, 'focus', empty(`No probe explanation ${camWords(r)}: run gan-focus explain ${r.run.id}.`));
  const pts = (get: (s: (typeof f.summaries)[number]) => number | null) => f.summaries.map((s) => [s.epoch, get(s)] as [number, number | null]);
  const marks = [
    ...(rec.epoch !== null ? [{ x: rec.epoch, label: 'recommended', color: COLORS.rec }] : []),
    ...(confirmed && confirmed.confirmed !== rec.epoch ? [{ x: confirmed.confirmed, label: 'confirmed', color: COLORS.best }] : []),
  ];
  const allEmpty = f.summaries.every((s) => s.samples > 0 && s.noEvidence === s.samples);
  const emptyEpochs = f.summaries.filter((s) => s.samples > 0 && s.noEvidence === s.samples).map((s) => s.epoch);
  const chart = allEmpty
    ? empty('No probe sample has evidence at any explained epoch (every CAM is zero), so there is no off-digit share to chart.')
    : lineChart({
    title: 'Off-digit share and flag rate over the probe samples',
    xLabel: 'epoch',
    integerX: true,
    yMin: 0,
    yMax: 1,
    marks,
    series: [
      { label: 'median off-digit share', color: COLORS.best, points: pts((s) => s.medianOffDigit), markers: true },
      { label: 'mean off-digit share', color: COLORS.lossD, points: pts((s) => s.meanOffDigit), markers: true },
      { label: 'flag rate', color: COLORS.flag, points: pts((s) => s.flagRate), markers: true },
      { label: 'no-evidence share', color: COLORS.dgz, points: pts((s) => (s.samples ? s.noEvidence / s.samples : null)), markers: true },
    ],
  }) + (emptyEpochs.length ? `<p class="muted">No probe sample has evidence at epoch${emptyEpochs.length > 1 ? 's' : ''} ${emptyEpochs.join(', ')} (every CAM is zero).</p>` : '');
  const baselines = f.summaries.map((s) => s.meanBaselineRatio).filter((b): b is number => b !== null);
  const warning = resolutionWarning(baselines.length ? baselines.reduce((a, b) => a + b, 0) / baselines.length : null, r.figure1.settings.threshold, f.layers);
  const verdicts = rec.verdicts.map((v) => [
    String(v.epoch),
    num(v.dx),
    num(v.dgz),
    num(v.fidMnist, 1),
    text(v.digitsPresent),
    esc(v.epoch === rec.epoch ? 'recommended' : v.excluded.length ? `excluded: ${v.excluded.join('; ')}` : 'passes'),
  ]);
  const rows = f.summaries.map((s) => [
    `${s.epoch}${s.epoch === rec.epoch ? ' <span class="badge rec">recommended</span>' : ''}${confirmed?.confirmed === s.epoch ? ' <span class="badge best">confirmed</span>' : ''}`,
    String(s.samples),
    pct(s.meanOffDigit),
    pct(s.medianOffDigit),
    pct(s.flagRate),
    num(s.meanSharpness),
    pct(s.meanBaselineRatio),
    String(s.noEvidence),
    esc(faithfulnessText(s.faithfulness)) + (s.faithfulness && !beatsRandom(s.faithfulness) ? ' <span class="badge flag">not above random</span>' : ''),
  ]);
  const n = (h: string) => ({ head: h, numeric: true });
  const recText = rec.epoch === null ? `No recommendation: ${esc(rec.reason)}` : `<strong>Recommended best epoch: ${rec.epoch}.</strong> ${esc(rec.reason)}`;
  const confText = confirmed
    ? `<p><strong>Confirmed best epoch: ${confirmed.confirmed}</strong> under layer ${esc(confirmed.layers.join(' + '))}, ${esc(confirmed.method)}, target ${esc(confirmed.target)}, ` +
      `threshold ${pct(confirmed.settings.threshold, 0)} (recommended then: ${text(confirmed.recommended)}; ${esc(confirmed.confirmedAt)}).</p>` +
      (confirmed.note ? `<div class="note">${esc(confirmed.note)}</div>` : '')
    : '<p>No best epoch has been confirmed under these settings yet.</p>';
  return section(
    r,
    'focus',
    `<p class="muted">Layer ${esc(f.layers.join(' + '))}, ${esc(f.method)}. Off-digit share = the share of the CAM's mass outside the digit mask (what the flag threshold applies to), over probe samples with evidence; lower is better.</p>` +
      chart +
      table(['Epoch', n('Samples'), n('Mean off-digit share'), n('Median off-digit share'), n('Flag rate'), n('Mean sharpness'), n('Mean baseline'), n('No evidence'), 'Faithfulness ROAD (random, mask)'], rows) +
      (warning ? `<p class="warning">Warning: ${esc(warning)}</p>` : '') +
      `<p>${recText}</p>` +
      `<p class="muted">Best-epoch gates per explained epoch:</p>` +
      table(['Epoch', n('D(x)'), n('D(G(z))'), n('FID-MNIST'), n('Digits'), 'Verdict'], verdicts) +
      `<p class="muted">Rule: ${esc(rec.rule)}</p>` +
      confText,
  );
}

function flagsSection(r: RunReport): string {
  const f = r.flags;
  if (!f) return section(r, 'flags', empty(`No training-set explanation ${camWords(r)}: run gan-focus explain ${r.run.id} --samples train.`));
  const n = (h: string) => ({ head: h, numeric: true });
  const warning = resolutionWarning(f.meanBaselineRatio, f.settings.threshold, f.layers);
  const perEpoch = table(
    ['Epoch', n('Samples'), n('Flagged'), n('Flag rate'), n('No evidence')],
    r.flagsByEpoch.map((e) => [String(e.epoch), String(e.total), String(e.flagged), pct(e.total ? e.flagged / e.total : null), String(e.noEvidence)]),
  );
  const extraConfirmed = Math.max(0, f.items.length - FLAG_THUMBNAIL_CAP);
  const shown =
    f.flagged > f.items.length
      ? `Showing the ${Math.min(f.items.length, FLAG_THUMBNAIL_CAP)} highest off-digit shares of ${f.flagged} flagged samples at epoch ${f.epoch}` +
        `${extraConfirmed ? ` and the ${extraConfirmed} confirmed samples below them` : ''} (thumbnails are capped at ${FLAG_THUMBNAIL_CAP} plus the confirmed ones; the CSV export lists every sample).`
      : `All ${f.flagged} flagged samples at epoch ${f.epoch}, highest off-digit share first.`;
  const cards = f.items.map((s) => {
    const overlay = s.camBase64 ? `<img src="${overlayDataUri(s.imageBase64, s.camBase64)}" alt="CAM">` : '<span class="no-cam">CAM not kept</span>';
    return (
      `<div class="card${s.review ? ` ${s.review}` : ''}"><div class="pair"><img src="${grayDataUri(s.imageBase64)}" alt="sample">${overlay}</div>` +
      `<div class="mono">${esc(s.sampleId)}</div>digit ${text(s.digit)} &middot; off-digit share ${pct(s.ratio)} (baseline ${pct(s.baselineRatio)}) &middot; coverage ${pct(s.coverage)}` +
      `<br>flagged at ${s.flaggedIn} of ${f.stability.epochs.length} explained epochs` +
      `<br>review: ${s.review ? `<strong>${esc(s.review)}</strong>` : 'not reviewed'}${s.note ? `<div class="note">${esc(s.note)}</div>` : ''}</div>`
    );
  });
  return section(
    r,
    'flags',
    `<p>Threshold: off-digit share &ge; ${pct(f.settings.threshold, 0)} (digit mask level ${num(f.settings.maskLevel, 2)}, dilation ${f.settings.dilation} px). ` +
      `Listed: epoch ${f.epoch}, ${esc(FLAG_EPOCH_WHY[f.why])}; its flags carry ${f.flaggedReviewed.confirmed} confirmed and ${f.flaggedReviewed.dismissed} dismissed reviews ` +
      `(${f.reviewed.confirmed} confirmed and ${f.reviewed.dismissed} dismissed over the run). ` +
      `Mean baseline ratio ${pct(f.meanBaselineRatio)} at ${esc(f.layers.join(' + '))} (a CAM exactly on the digit scores this); ` +
      `${f.noEvidence} of ${f.total} samples without evidence. Stability counts over the explained epochs ${esc(f.stability.epochs.join(', '))}.</p>` +
      (warning ? `<p class="warning">Warning: ${esc(warning)}</p>` : '') +
      perEpoch +
      `<p>${esc(shown)}</p>` +
      (f.items.some((s) => !s.camBase64) ? `<p class="muted">A training sample's CAM is kept when it was flagged under the settings of the explanation (keepCams 'flagged', the default), or when the training set was explained with keepCams 'all'.</p>` : '') +
      (f.items.length ? legend() + `<div class="cards">${cards.join('')}</div>` : empty('No sample is flagged.')),
  );
}

/** Excluded ids listed in full up to this many; the JSON export has them all. */
const EXCLUDED_SHOWN = 1000;

function lineageSection(r: RunReport): string {
  const run = r.run;
  const parent = r.parent
    ? `Derived from run ${r.parent.id} (${esc(r.parent.name)}), excluding ${run.excluded.length} of its training samples.`
    : run.parentId !== null
      ? `Derived from run ${run.parentId} (no longer stored), excluding ${run.excluded.length} samples.`
      : 'An original run (not derived from another).';
  const ids = run.excluded.slice(0, EXCLUDED_SHOWN).map(esc).join(', ');
  const more = run.excluded.length > EXCLUDED_SHOWN ? ` &hellip; and ${run.excluded.length - EXCLUDED_SHOWN} more` : '';
  const children = run.children.length
    ? `<p>Runs derived from this one:</p>${table(['Run', 'Name', 'Status'], run.children.map((c) => [String(c.id), esc(c.name), esc(c.status)]))}`
    : '<p>No run has been derived from this one.</p>';
  return section(
    r,
    'lineage',
    `<p>${parent}</p><p>The run's config excludes ${run.config.excluded.length} sample ids in total (its own and its ancestors' exclusions).</p>` +
      (ids ? `<p class="mono">${ids}${more}</p>` : '') +
      children,
  );
}

function qualitySection(r: RunReport): string {
  if (r.quality.length === 0) return section(r, 'quality', empty(`Not computed: run gan-focus quality ${r.run.id} to measure FID-MNIST and class coverage.`));
  const n = (h: string) => ({ head: h, numeric: true });
  const rows = r.quality.map((q) => [String(q.epoch), String(q.count), num(q.fidMnist, 2), `${q.digitsPresent} / 10`, pct(q.meanConfidence), esc(q.classCounts.join(' '))]);
  return section(
    r,
    'quality',
    `<p class="muted">Per epoch, over G's samples: FID against MNIST in a small classifier's feature space (lower is better), the digits the classifier sees among them, and its mean confidence.</p>` +
      table(['Epoch', n('Samples'), n('FID-MNIST'), n('Digits present'), n('Mean confidence'), 'Class counts 0-9'], rows),
  );
}

const RENDER: Record<RunSection, (r: RunReport) => string> = {
  config: configSection,
  curves: curvesSection,
  grids: gridsSection,
  figure1: figure1Section,
  focus: focusSection,
  flags: flagsSection,
  lineage: lineageSection,
  quality: qualitySection,
};

export function runHtml(r: RunReport): string {
  const body = RUN_SECTIONS.map((s) => RENDER[s](r)).join('');
  return `<section class="run" id="run-${r.run.id}"><h2>Run ${r.run.id}: ${esc(r.run.name)}</h2>${body}</section>`;
}
