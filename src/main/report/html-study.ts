import { STUDY_ARM_LABELS, type StudyArm, type StudyArmName, type StudyRunCell } from '../../shared/study.js';
import { esc } from './escape.js';
import { DASH, num, table, text } from './html-format.js';
import { documentHtml, environmentHtml } from './html.js';
import type { StudyReportData } from './report-data.js';
import { effectText, spreadText, studyNum } from './study-format.js';
import { lineChart } from './svg-chart.js';

// A study's report: the verdict and effects first (page 1 of the PDF), then
// each arm's final estimate, the quality per epoch with its band over seeds,
// and every run of the arms x seeds table. Every number is the study's answer
// as getStudy gives it; nothing here computes one.

export const STUDY_SECTIONS = ['summary', 'final', 'curves', 'runs', 'epochs', 'environment'] as const;

const ARM_COLORS: Record<StudyArmName, string> = { full: '#1f6feb', 'flagged-excluded': '#c62828', 'random-excluded': '#2e7d32' };

function summarySection(d: StudyReportData): string {
  const p = d.progress;
  const e = d.explain;
  const facts: [string, string][] = [
    ['Status', esc(d.status)],
    ['Parent run', d.parentId === null ? 'deleted' : `run ${d.parentId}`],
    ['Flags tested', `epoch ${d.epoch}: ${esc(e.method)} at ${esc(e.layers.join(' + '))}, target ${esc(e.target)}, threshold ${num(e.settings.threshold, 2)}${e.confirmedOnly ? ', confirmed only' : ''}`],
    ['Training seeds', esc(d.seeds.join(', '))],
    ['Progress', `${p.runsDone} of ${p.runsTotal} runs, ${p.epochsDone} of ${p.epochsTotal} epochs${p.finalMissing ? `; ${p.finalMissing} final estimate(s) missing (gan-focus study resume ${d.id})` : ''}`],
    ['Final estimate', esc(d.metric.label)],
    ['Random draw seed', String(d.drawSeed)],
    ['Created', text(d.createdAt)],
  ];
  const effect = (label: string, x: StudyReportData['effect']['flaggedVsRandom']) => [
    esc(label),
    effectText(x),
    x?.df === null || x?.df === undefined ? DASH : num(x.df, 1),
  ];
  return (
    `<section id="summary"><h2>Summary</h2>` +
    `<p class="verdict" id="verdict"><strong>Verdict:</strong> ${esc(d.verdict)}</p>` +
    table(['', 'Study'], facts.map(([k, v]) => [esc(k), v]), 'summary') +
    `<h3 id="effects">Effects on the final KID</h3>` +
    `<p class="muted">Difference of the arms' means over seeds with a 95% Welch t interval; lower KID is better, so a negative effect means excluding the flagged samples helped.</p>` +
    table(
      ['Comparison', { head: 'Effect [95% interval]', numeric: true }, { head: 'Welch df', numeric: true }],
      [effect('Flagged excluded − random excluded', d.effect.flaggedVsRandom), effect('Flagged excluded − full data', d.effect.flaggedVsFull)],
      'effects',
    ) +
    `</section>`
  );
}

function finalSection(d: StudyReportData): string {
  const rows = d.arms.map((a) => [
    esc(STUDY_ARM_LABELS[a.name]),
    String(a.excluded),
    a.digits ? esc(a.digits.join(' ')) : DASH,
    String(a.final.n),
    spreadText(a.final),
    spreadText(a.finalFidInfinity),
    spreadText(a.finalDigitsPresent),
  ]);
  return (
    `<section id="final"><h2>Final estimate per arm</h2>` +
    `<p class="muted">At each run's last epoch, ${d.metric.samples.toLocaleString('en-US')} samples of G against the MNIST test set: mean over seeds [95% t interval].</p>` +
    table(
      [
        'Arm',
        { head: 'Excluded', numeric: true },
        'Excluded per digit 0-9',
        { head: 'Seeds', numeric: true },
        { head: 'KID', numeric: true },
        { head: 'FID∞', numeric: true },
        { head: 'Digits present', numeric: true },
      ],
      rows,
      'final',
    ) +
    `</section>`
  );
}

function curvesSection(d: StudyReportData): string {
  const chart = lineChart({
    title: 'G quality per epoch (FID-MNIST, 1,000 samples): mean per arm, band = 95% interval over seeds',
    xLabel: 'epoch',
    integerX: true,
    series: d.arms.map((a) => ({
      label: STUDY_ARM_LABELS[a.name],
      color: ARM_COLORS[a.name],
      markers: true,
      points: a.perEpoch.map((p): [number, number | null] => [p.epoch, p.mean]),
      band: a.perEpoch.flatMap((p): [number, number, number][] => (p.low === null || p.high === null ? [] : [[p.epoch, p.low, p.high]])),
    })),
  });
  const epochs = [...new Set(d.arms.flatMap((a) => a.perEpoch.map((p) => p.epoch)))].sort((x, y) => x - y);
  const at = (a: StudyArm, epoch: number) => {
    const p = a.perEpoch.find((x) => x.epoch === epoch);
    return p ? `${spreadText(p)} <span class="muted">(n ${p.n})</span>` : DASH;
  };
  return (
    `<section id="curves"><h2>G quality per epoch</h2>${chart}` +
    table(['Epoch', ...d.arms.map((a) => ({ head: STUDY_ARM_LABELS[a.name], numeric: true }))], epochs.map((e) => [String(e), ...d.arms.map((a) => at(a, e))]), 'per-epoch') +
    `</section>`
  );
}

function finalCell(r: StudyRunCell): string[] {
  const f = r.final;
  return f ? [`${studyNum(f.kid)} ± ${studyNum(f.kidStd)}`, studyNum(f.fidInfinity), String(f.digitsPresent)] : [DASH, DASH, DASH];
}

function runsSection(d: StudyReportData): string {
  const rows = d.arms.flatMap((a) =>
    a.runs.map((r) => [esc(STUDY_ARM_LABELS[a.name]), String(r.seed), `run ${r.id}`, esc(r.status), `${r.epochsCompleted} of ${r.epochs}`, ...finalCell(r)]),
  );
  return (
    `<section id="runs"><h2>Arms x seeds</h2>` +
    `<p class="muted">One run per arm and training seed; every run is in the runs table of the app (tagged study-${d.id}).</p>` +
    table(
      ['Arm', { head: 'Seed', numeric: true }, 'Run', 'Status', 'Epochs', { head: 'Final KID ± sd over subsets', numeric: true }, { head: 'FID∞', numeric: true }, { head: 'Digits present', numeric: true }],
      rows,
      'study-runs',
    ) +
    `</section>`
  );
}

/** Per arm, epochs x seeds: FID-MNIST and digits present of every run at every epoch. */
function epochsSection(d: StudyReportData): string {
  const tables = d.arms.map((a) => {
    const epochs = [...new Set(a.runs.flatMap((r) => r.quality.map((q) => q.epoch)))].sort((x, y) => x - y);
    const cell = (r: StudyRunCell, epoch: number) => {
      const q = r.quality.find((x) => x.epoch === epoch);
      if (!q) return DASH;
      return `${studyNum(q.fidMnist)} <span class="muted">(${q.digitsPresent === null ? DASH : q.digitsPresent} digits)</span>`;
    };
    return (
      `<h3>${esc(STUDY_ARM_LABELS[a.name])}</h3>` +
      table(['Epoch', ...a.runs.map((r) => ({ head: `Seed ${r.seed} (run ${r.id})`, numeric: true }))], epochs.map((e) => [String(e), ...a.runs.map((r) => cell(r, e))]), 'study-epochs')
    );
  });
  return `<section id="epochs"><h2>Quality per epoch of every run</h2><p class="muted">FID-MNIST on 1,000 samples on the same z for every run (digits present: those with at least 2% of the samples).</p>${tables.join('')}</section>`;
}

export function renderStudyHtml(d: StudyReportData): string {
  return documentHtml(
    `GAN Focus study report: study ${d.id} (${d.name})`,
    d,
    summarySection(d) + finalSection(d) + curvesSection(d) + runsSection(d) + epochsSection(d) + environmentHtml(d.environment),
  );
}
