import { esc } from './escape.js';
import { DASH, empty, num, pct, table, text } from './html-format.js';
import type { ReportData, RunReport } from './report-data.js';
import { downsample, lineChart } from './svg-chart.js';

// The comparison part of a multi-run report: what differs, then the runs'
// numbers and pictures side by side. Each run's full sections follow it.

const runHead = (r: RunReport) => ({ head: `Run ${r.run.id}: ${r.run.name}` });

function byEpoch<T>(runs: RunReport[], rowsOf: (r: RunReport) => { epoch: number; value: T }[], cell: (v: T) => string): string[][] {
  const maps = runs.map((r) => new Map(rowsOf(r).map((x) => [x.epoch, x.value])));
  const epochs = [...new Set(maps.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  return epochs.map((e) => [String(e), ...maps.map((m) => (m.has(e) ? cell(m.get(e)!) : DASH))]);
}

function column(r: RunReport): string {
  const last = r.grids.at(-1);
  const losses = lineChart({
    title: `Run ${r.run.id}: losses`,
    xLabel: 'iteration',
    integerX: true,
    width: 420,
    height: 200,
    series: [
      { label: 'Loss_D', color: '#1f6feb', points: downsample(r.metrics, (m) => m.iteration, (m) => m.lossD, 300) },
      { label: 'Loss_G', color: '#e8590c', points: downsample(r.metrics, (m) => m.iteration, (m) => m.lossG, 300) },
    ],
  });
  const outputs = lineChart({
    title: `Run ${r.run.id}: D(x), D(G(z))`,
    xLabel: 'iteration',
    integerX: true,
    width: 420,
    height: 200,
    yMin: 0,
    yMax: 1,
    series: [
      { label: 'D(x)', color: '#2e7d32', points: downsample(r.metrics, (m) => m.iteration, (m) => m.dx, 300) },
      { label: 'D(G(z))', color: '#8e24aa', points: downsample(r.metrics, (m) => m.iteration, (m) => m.dgz, 300) },
    ],
  });
  const rec = r.focus.recommendation.epoch;
  const flags = r.flags ? `${r.flags.flagged} of ${r.flags.total} training samples flagged at epoch ${r.flags.epoch}` : 'Training set not explained';
  return (
    `<div><h4>Run ${r.run.id}: ${esc(r.run.name)}</h4>` +
    `<p>Recommended best epoch: ${text(rec)}; confirmed: ${text(r.focus.confirmed?.confirmed ?? null)}. ${esc(flags)}.</p>` +
    losses +
    outputs +
    (last ? `<figure><img class="grid-img" src="data:image/png;base64,${last.pngBase64}" alt="samples"><figcaption>fixed-noise samples, epoch ${last.epoch}</figcaption></figure>` : empty('No sample grid.')) +
    `</div>`
  );
}

export function comparisonHtml(data: ReportData): string {
  const c = data.comparison;
  if (!c) return '';
  const runs = data.runs;
  const diff = c.configDiff.length
    ? table([{ head: 'Config key' }, ...runs.map(runHead)], c.configDiff.map((d) => [`<code>${esc(d.key)}</code>`, ...d.values.map(text)]))
    : empty('The runs have the same config.');
  const lineage = table(
    ['Run', 'Name', 'Parent', { head: 'Excluded vs parent', numeric: true }, { head: 'Excluded in config', numeric: true }],
    runs.map((r) => [String(r.run.id), esc(r.run.name), text(r.run.parentId), String(r.run.excluded.length), String(r.run.config.excluded.length)]),
  );
  const focus = byEpoch(
    runs,
    (r) => r.focus.summaries.map((s) => ({ epoch: s.epoch, value: s })),
    (s) => `${pct(s.medianOffDigit)} / ${pct(s.flagRate)}`,
  );
  focus.push(['recommended', ...runs.map((r) => text(r.focus.recommendation.epoch))], ['confirmed', ...runs.map((r) => text(r.focus.confirmed?.confirmed ?? null))]);
  const quality = runs.some((r) => r.quality.length)
    ? table(
        [{ head: 'Epoch' }, ...runs.map(runHead)],
        byEpoch(runs, (r) => r.quality.map((q) => ({ epoch: q.epoch, value: q })), (q) => `FID ${num(q.fidMnist, 2)}, ${q.digitsPresent}/10 digits`),
      )
    : empty('G quality not computed for these runs.');
  return (
    `<section id="comparison"><h2>Comparison of runs ${runs.map((r) => r.run.id).join(', ')}</h2>` +
    `<section id="config-diff"><h3>Config differences</h3>${diff}</section>` +
    `<section id="comparison-lineage"><h3>Lineage</h3>${lineage}</section>` +
    `<section id="comparison-focus"><h3>Off-digit share per epoch (median / flag rate of the probe samples)</h3>` +
    table([{ head: 'Epoch' }, ...runs.map(runHead)], focus) +
    `</section><section id="comparison-quality"><h3>G quality per epoch</h3>${quality}</section>` +
    `<section id="side-by-side"><h3>Side by side</h3><div class="side-by-side">${runs.map(column).join('')}</div></section></section>`
  );
}
