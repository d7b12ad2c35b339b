import { esc } from './escape.js';
import { comparisonHtml } from './html-compare.js';
import { DASH, table, text } from './html-format.js';
import { runHtml, RUN_SECTIONS, SECTION_TITLES, sectionId } from './html-run.js';
import type { ReportData, ReportEnvironment, ReportMeta } from './report-data.js';
import { summaryHtml } from './html-summary.js';
import { REPORT_CSS } from './style.js';

// One self-contained HTML file: inline CSS, PNG data URIs, inline SVG, no
// script. The CSP meta tag makes a browser refuse any request the file might
// still make, so "opens offline" holds even for a mistake in this code.

const CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

function title(data: ReportData): string {
  return data.kind === 'run'
    ? `GAN Focus report: run ${data.runs[0].run.id} (${data.runs[0].run.name})`
    : `GAN Focus comparison: runs ${data.runs.map((r) => r.run.id).join(', ')}`;
}

/** The environment section; `extra` adds rows of what the report is about (the backend each run trained on). */
export function environmentHtml(env: ReportEnvironment, extra: [string, string][] = []): string {
  const rows: [string, string][] = [
    ['Application', esc(`${env.app.name} ${env.app.version}`)],
    ['Generated', esc(env.generatedAt)],
    ['Platform', esc(env.platform)],
  ];
  if (env.backend) {
    const b = env.backend;
    rows.push(
      ['Backend (this machine)', esc(`${b.chosen} (tfjs ${b.tfBackend})`)],
      ['Backend detail', esc(b.detail)],
      ...b.skipped.map((s): [string, string] => [`Skipped ${esc(s.candidate)}`, esc(s.reason)]),
      ['Node', esc(b.node)],
      ['CPU cores', String(b.cores)],
      ['Memory', `${(b.memoryBytes / 2 ** 30).toFixed(1)} GiB`],
      ...Object.entries(b.versions).map(([k, v]): [string, string] => [esc(k), esc(v)]),
    );
  } else {
    rows.push(['Backend', `${DASH} (${esc(env.backendError ?? 'unknown')})`]);
  }
  rows.push(...extra);
  return `<section id="environment" class="environment"><h2>Environment</h2>${table(['Item', 'Value'], rows.map(([k, v]) => [k, v]))}</section>`;
}

function contents(data: ReportData): string {
  const items: string[] = ['<li><a href="#summary">Summary</a></li>'];
  if (data.comparison) items.push('<li><a href="#comparison">Comparison</a></li>');
  for (const r of data.runs) {
    const sub = RUN_SECTIONS.map((s) => `<a href="#${sectionId(r.run.id, s)}">${esc(SECTION_TITLES[s])}</a>`).join(' &middot; ');
    items.push(`<li><a href="#run-${r.run.id}">Run ${r.run.id}: ${esc(r.run.name)}</a><br><small>${sub}</small></li>`);
  }
  items.push('<li><a href="#environment">Environment</a></li>');
  return `<nav id="contents"><h2>Contents</h2><ul>${items.join('')}</ul></nav>`;
}

/** A whole report document around `body`: the CSP, the style, the header. */
export function documentHtml(title: string, meta: ReportMeta, body: string): string {
  const t = esc(title);
  const app = esc(`${meta.environment.app.name} ${meta.environment.app.version}`);
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="generator" content="${app}">` +
    `<title>${t}</title><style>${REPORT_CSS}</style></head><body>` +
    `<header id="report-header"><h1>${t}</h1><p class="muted">Generated ${esc(meta.environment.generatedAt)} by ${app}. Report schema ${meta.schemaVersion}.</p></header>` +
    body +
    `</body></html>\n`
  );
}

export function renderHtml(data: ReportData): string {
  return documentHtml(
    title(data),
    data,
    summaryHtml(data) +
      contents(data) +
      comparisonHtml(data) +
      data.runs.map(runHtml).join('') +
      environmentHtml(data.environment, [['Runs trained on', data.runs.map((r) => `run ${r.run.id}: ${text(r.run.backend)}`).join('; ')]]),
  );
}
