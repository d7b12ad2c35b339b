import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlagList, ReportExport, RunSummary } from '../../../src/shared/api.js';
import { createRouter, type Router } from '../../../src/main/api/router.js';
import { CSV_COLUMNS } from '../../../src/main/report/csv.js';
import { RUN_SECTIONS } from '../../../src/main/report/html-run.js';
import { exportReport, REPORT_SCHEMA_VERSION, type ReportData } from '../../../src/main/report/index.js';
import { findChromium } from '../../../src/main/report/pdf.js';
import { focusAt, readFocusColumns } from '../../../src/main/store/focus-blocks.js';
import { ROOT, runCli, tempHome } from '../../helpers/cli.js';

// One tiny trained run, explained on its probes (3 epochs) and its training
// set (epoch 3), and a run derived from it by excluding the flagged samples.
const home = tempHome('gan-focus-report-');
const out = (name: string) => path.join(home, name);
// Explanations are stored per focus settings: every report below asks for the ones computed.
// Pinned, not the defaults: at 0.5 the fixture's training-set flags must leave more than a batch
// for `exclude`; Grad-CAM at block3 does on this tiny D, HiResCAM at block1 flags all 256.
const CAM = { layers: ['block3'], method: 'gradcam' as const, settings: { threshold: 0.5 } };
const CAM_FLAGS = ['--layer', 'block3', '--method', 'gradcam', '--threshold', '0.5'];
const EVIL_NAME = '<script>alert(1)</script>';
const EVIL_NOTES = 'see https://example.com/x and </style><img src=x onerror=alert(2)>';
let router: Router;
let reviewed = -1;
/** The flagged sample with the lowest off-digit share, confirmed too: below the thumbnail cap when more than 200 are flagged. */
let lowest = -1;

function cli(args: string[]) {
  const r = runCli(['--home', home, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

function sqlite() {
  return new Database(path.join(home, 'gan-focus.db'), { readonly: true });
}

/** Run 1's stored focus rows, read through the store: the numbers are kept in column blocks. */
function storedFocus(d: Database.Database) {
  const explanations = d.prepare('SELECT id, samples FROM explanations WHERE run_id = 1').all() as { id: number; samples: string }[];
  return explanations.flatMap((e) => {
    const c = readFocusColumns(d, e.id);
    return Array.from({ length: c.length }, (_, i) => ({ explanationId: e.id, samples: e.samples, ...focusAt(c, i) }));
  });
}

beforeAll(async () => {
  cli(['train', '--arch', 'paper', '--limit', '256', '--width', '8', '--batch', '32', '--epochs', '3', '--seed', '3']);
  cli(['explain', '1', ...CAM_FLAGS]);
  cli(['explain', '1', '--samples', 'train', '--epochs', '3', ...CAM_FLAGS]);
  cli(['exclude', '1', '--epoch', '3', ...CAM_FLAGS]);
  process.env.GAN_FOCUS_BACKEND ??= 'wasm';
  router = createRouter({ home });
  await router.handle('updateRun', { id: 1, name: EVIL_NAME, notes: EVIL_NOTES, tags: ['a&b'] });
  const flags = (await router.handle('listFlags', { id: 1, epoch: 3, ...CAM, limit: 100_000 })) as FlagList;
  reviewed = flags.items[0].index;
  lowest = flags.items[flags.items.length - 1].index;
  expect(lowest).not.toBe(reviewed);
  await router.handle('reviewSample', { id: 1, index: reviewed, decision: 'confirmed', note: 'background blob' });
  await router.handle('reviewSample', { id: 1, index: lowest, decision: 'confirmed' });
}, 300_000);

afterAll(() => router?.close());

/** Decodes a PNG data URI's header and checks its IDAT inflates to the declared size. */
function checkPng(uri: string): { width: number; height: number } {
  const png = Buffer.from(uri.slice('data:image/png;base64,'.length), 'base64');
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const channels = png[25] === 6 ? 4 : 1;
  const idatLen = png.readUInt32BE(33);
  expect(png.toString('ascii', 37, 41)).toBe('IDAT');
  expect(inflateSync(png.subarray(41, 41 + idatLen)).length).toBe((width * channels + 1) * height);
  return { width, height };
}

describe('HTML report', () => {
  let html = '';
  beforeAll(async () => {
    const r = await exportReport({ router, ids: [1], format: 'html', out: out('run1.html'), cam: CAM });
    html = readFileSync(r.out, 'utf8');
    expect(r.bytes).toBe(Buffer.byteLength(html));
  }, 120_000);

  it('has every section', () => {
    for (const id of ['report-header', 'summary', 'run-1-summary', 'contents', 'environment', 'run-1', ...RUN_SECTIONS.map((s) => `run-1-${s}`)]) expect(html).toContain(`id="${id}"`);
    expect(html).toContain('<h3>Training curves</h3>');
    expect(html).toContain("<h3>Figure 1: D&#39;s Grad-CAM on the probe samples</h3>");
  });

  it('references nothing outside itself: no http(s), no script, every image a PNG data URI', () => {
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script|<link|<iframe|url\(/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`);
    const srcs = [...html.matchAll(/\ssrc="([^"]*)"/g)].map((m) => m[1]);
    expect(srcs.length).toBeGreaterThan(50);
    for (const src of srcs) expect(src).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    for (const src of srcs.slice(0, 40)) checkPng(src);
  });

  it('escapes user text (run name, notes, tags)', () => {
    expect(html).not.toContain(EVIL_NAME);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('</style><img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;&#47;script&gt;');
    expect(html).toContain('onerror=alert(2)&gt;');
    expect(html).toContain('a&amp;b');
    expect(html.match(/<style>/g)).toHaveLength(1);
  });

  it('shows the Figure-1 grid: every probe at every epoch, original and CAM overlay', () => {
    const table = html.slice(html.indexOf('<table class="fig1">'), html.indexOf('</table>', html.indexOf('<table class="fig1">')));
    expect(table.match(/<tr>/g)).toHaveLength(1 + 16);
    expect(table.match(/alt="probe \d+"/g)).toHaveLength(16);
    expect(table.match(/alt="CAM epoch \d"/g)).toHaveLength(16 * 3);
    const d = sqlite();
    const flagged = storedFocus(d).filter((f) => f.samples === 'probe' && f.flagged).length;
    d.close();
    expect(table.match(/<td class="flagged">/g)?.length ?? 0).toBe(flagged);
    const overlay = /src="([^"]+)" alt="CAM epoch \d"/.exec(table)!;
    expect(checkPng(overlay[1])).toEqual({ width: 64, height: 64 });
  });

  it('shows focus per epoch with the recommendation, flagged samples with the review, lineage and quality state', () => {
    const section = (s: string) => html.slice(html.indexOf(`id="run-1-${s}"`), html.indexOf('</section>', html.indexOf(`id="run-1-${s}"`)));
    expect(section('focus')).toMatch(/No recommendation: No explained epoch passes the rule&#39;s gates, so none is recommended\. epoch 1: /);
    expect(section('focus')).toContain('<svg class="chart"');
    // The gates table: one row per explained epoch, each with its verdict.
    expect(section('focus').match(/<td>excluded: /g)).toHaveLength(3);
    expect(section('focus')).toContain('<th class="num">Mean baseline</th>');
    // Each probe explanation's stored ROAD faithfulness beside its baselines, one per explained epoch.
    expect(section('focus')).toContain('<th>Faithfulness ROAD (random, mask)</th>');
    expect(section('focus').match(/<td>-?\d+\.\d\d ± \d+\.\d\d \(random -?\d+\.\d\d, mask -?\d+\.\d\d\)/g)?.length ?? 0).toBeGreaterThanOrEqual(1);
    const flags = section('flags');
    expect(flags).toContain('Stability counts over the explained epochs 3.');
    expect(flags).toMatch(/off-digit share \d+\.\d% \(baseline \d+\.\d%\)/);
    expect(flags).toContain('flagged at 1 of 1 explained epochs');
    expect(flags).toContain('&ge; 50%');
    expect(flags).toMatch(/flagged samples at epoch 3/);
    expect(flags).toContain(`mnist-train:${reviewed}`);
    expect(flags).toContain('<strong>confirmed</strong>');
    expect(flags).toContain('background blob');
    expect(section('lineage')).toContain('An original run');
    expect(section('lineage')).toMatch(/Runs derived from this one/);
    expect(section('quality')).toMatch(/Not computed|FID-MNIST/);
    expect(section('curves').match(/<svg class="chart"/g)).toHaveLength(2);
    expect(section('grids').match(/<figure>/g)).toHaveLength(3);
  });
});

describe('page 1 of a run report', () => {
  let html = '';
  beforeAll(async () => {
    html = readFileSync((await exportReport({ router, ids: [1], format: 'html', out: out('summary.html'), cam: CAM })).out, 'utf8');
  }, 120_000);

  it('leads with the summary, and the environment table comes last', () => {
    const at = (id: string) => html.indexOf(`id="${id}"`);
    expect(at('report-header')).toBeLessThan(at('summary'));
    expect(at('summary')).toBeLessThan(at('contents'));
    expect(at('contents')).toBeLessThan(at('run-1'));
    expect(at('run-1-quality')).toBeLessThan(at('environment'));
    // Print: runs and the environment start pages, so page 1 holds the header and the summary.
    expect(html).toContain('section.run, section.environment { break-before: page;');
    expect(html).toContain('<section id="environment" class="environment">');
  });

  it('says the best epoch with its settings, G quality at the end and at the best epoch, and the flags of the reviewed epoch with the confirmed count', () => {
    const summary = html.slice(html.indexOf('id="run-1-summary"'), html.indexOf('</section>', html.indexOf('id="run-1-summary"')));
    expect(summary).toMatch(/Best epoch<\/td><td>(<strong>epoch \d+<\/strong>|none: )/);
    expect(summary).toContain('layer block3, gradcam, flag threshold 50%');
    expect(summary).toMatch(/G quality, final<\/td><td>epoch 3: FID-MNIST \d+\.\d, \d+ of 10 digits/);
    expect(summary).toMatch(/training samples flagged \([\d.]+%\) at epoch 3, the epoch that was reviewed .*<strong>2 confirmed<\/strong>, 0 dismissed/);
    expect(summary).toContain('no spread over seeds');
  });

  it('lists the confirmed samples of the reviewed epoch, also one below the thumbnail cap', () => {
    const flags = html.slice(html.indexOf('id="run-1-flags"'), html.indexOf('</section>', html.indexOf('id="run-1-flags"')));
    expect(flags).toContain(`mnist-train:${lowest}<`);
    expect(flags).toContain('Listed: epoch 3, the epoch that was reviewed');
    expect(flags.match(/<strong>confirmed<\/strong>/g)).toHaveLength(2);
  });
});

describe('CSV export', () => {
  it('has one row per stored focus row of the run, with the exact header and the DB values', async () => {
    const r = await exportReport({ router, ids: [1], format: 'csv', out: out('run1.csv') });
    const lines = readFileSync(r.out, 'utf8').split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe('run_id,epoch,sample_id,digit,off_digit_ratio,coverage,flagged,review,sample_set,layers,method,target,threshold,explanation_id');
    expect(lines[0].split(',').slice(0, 8)).toEqual([...CSV_COLUMNS.slice(0, 8)]);
    const d = sqlite();
    try {
      const stored = storedFocus(d);
      const total = stored.length;
      expect(total).toBe(16 * 3 + 256);
      expect(lines.length - 1).toBe(total);
      expect(r.rows).toBe(total);
      const decision = d.prepare('SELECT decision FROM reviews WHERE run_id = 1 AND sample_index = ?').pluck();
      const checked = lines.slice(1).filter((l, k) => k % 17 === 0 || [reviewed, lowest].includes(line0Index(l)));
      expect(checked.length).toBeGreaterThan(18);
      for (const line of checked) {
        const c = line.split(',');
        const index = Number(c[2].split(':')[1]);
        const db = stored.find((f) => f.explanationId === Number(c[13]) && f.index === index)!;
        expect(c[0]).toBe('1');
        expect(Number(c[3])).toBe(db.digit);
        expect(c[4] === '' ? null : Number(c[4])).toBe(db.ratio);
        expect(Number(c[5])).toBe(db.coverage);
        expect(c[6]).toBe(db.flagged ? '1' : '0');
        expect(c[7]).toBe((decision.get(index) as string | null | undefined) ?? '');
        expect(c[8]).toBe(db.samples);
      }
      expect(lines.filter((l) => l.split(',')[7] === 'confirmed').every((l) => [reviewed, lowest].includes(line0Index(l)))).toBe(true);
      expect(lines.some((l) => l.split(',')[7] === 'confirmed')).toBe(true);
    } finally {
      d.close();
    }
  });
});

function line0Index(line: string): number {
  return Number(line.split(',')[2].split(':')[1]);
}

describe('JSON export', () => {
  it('holds the report data with its schema version', async () => {
    const r = await exportReport({ router, ids: [1], format: 'json', out: out('run1.json'), cam: CAM });
    const data = JSON.parse(readFileSync(r.out, 'utf8')) as ReportData;
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(data.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(data.kind).toBe('run');
    expect(data.environment.app.version).toBe(pkg.version);
    expect(data.environment.backend?.versions['@tensorflow/tfjs']).toMatch(/^\d+\.\d+\.\d+$/);
    const run = data.runs[0];
    expect(run.run.name).toBe(EVIL_NAME);
    expect(run.run.epochs).toHaveLength(3);
    expect(run.metrics.length).toBe(3 * 8);
    expect(run.grids.map((g) => g.epoch)).toEqual([1, 2, 3]);
    expect(run.figure1.probes).toHaveLength(16);
    expect(run.figure1.cells).toHaveLength(16 * 3);
    expect(run.focus.summaries.map((s) => s.epoch)).toEqual([1, 2, 3]);
    expect(run.flagsByEpoch.map((f) => f.epoch)).toEqual([3]);
    expect(run.flagsByEpoch[0].reviewed).toEqual({ confirmed: 2, dismissed: 0 });
    expect(run.summary.flags).toMatchObject({ epoch: 3, why: 'reviewed', confirmed: 2, dismissed: 0, flagged: run.flags!.flagged, total: 256 });
    expect(run.summary.quality.final?.epoch).toBe(3);
    expect(run.summary.studies).toEqual([]);
    // The engine assesses G at the end of every epoch, so the report carries all three.
    expect(run.quality.map((q) => q.epoch)).toEqual([1, 2, 3]);
    for (const q of run.quality) {
      expect(q.count).toBe(1000);
      expect(q.classCounts.reduce((a, b) => a + b, 0)).toBe(1000);
      expect(q.digitsPresent).toBe(q.classCounts.filter((c) => c > 0).length);
      expect(Number.isFinite(q.fidMnist)).toBe(true);
    }
    expect(data.comparison).toBeNull();
  });
});

describe('PDF export', () => {
  const chromium = findChromium();
  it.skipIf(chromium === null)(`renders at least one page with a system Chromium${chromium ? '' : ' (skipped: no Chromium here; apt-get install chromium)'}`, async () => {
    const r = await exportReport({ router, ids: [1], format: 'pdf', out: out('run1.pdf'), cam: CAM });
    const pdf = readFileSync(r.out);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g)?.length ?? 0).toBeGreaterThanOrEqual(1);
  }, 180_000);

  it('prints with an injected printer (as Electron passes printToPDF), given the report as an HTML file', async () => {
    let printed = '';
    const r = await exportReport({
      router,
      ids: [1],
      format: 'pdf',
      out: out('injected.pdf'),
      cam: CAM,
      printPdf: async (file) => {
        printed = readFileSync(file, 'utf8');
        return new TextEncoder().encode('%PDF-1.4 printed');
      },
    });
    expect(printed).toContain('id="run-1-figure1"');
    expect(readFileSync(r.out, 'latin1')).toBe('%PDF-1.4 printed');
  });
});

describe('comparison report', () => {
  it('shows the parent and the derived run side by side with the config diff', async () => {
    const r = await exportReport({ router, ids: [1, 2], format: 'html', out: out('compare.html'), cam: CAM });
    const html = readFileSync(r.out, 'utf8');
    for (const id of ['comparison', 'config-diff', 'side-by-side', 'run-1', 'run-2', 'run-1-figure1', 'run-2-lineage']) expect(html).toContain(`id="${id}"`);
    expect(html).not.toMatch(/https?:\/\//i);
    const derived = (await router.handle('getRun', { id: 2 })) as RunSummary;
    expect(html).toContain(derived.name.replace(/&/g, '&amp;'));
    expect(html).toContain('&lt;script&gt;alert(1)&lt;&#47;script&gt;');
    const diff = html.slice(html.indexOf('id="config-diff"'), html.indexOf('</section>', html.indexOf('id="config-diff"')));
    expect(diff).toContain('excluded (count)');
    expect(diff).toContain(`<td>${derived.excluded.length}</td>`);
    const lineage = html.slice(html.indexOf('id="run-2-lineage"'));
    expect(lineage).toMatch(/Derived from run 1 \(&lt;script&gt;/);
  });
});

describe('exportReport through the API and the CLI', () => {
  it('returns the content when no file is given, and refuses a relative or mismatched out path', async () => {
    const json = (await router.handle('exportReport', { ids: [1], format: 'json', ...CAM })) as ReportExport;
    expect(json.out).toBeNull();
    expect(json.encoding).toBe('utf8');
    const data = JSON.parse(json.content!) as ReportData;
    expect(data.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(data.runs[0].flags?.settings.threshold).toBe(0.5);
    const csv = (await router.handle('exportReport', { ids: [1, 2], format: 'csv' })) as ReportExport;
    expect(csv.content!.split('\r\n')).toHaveLength(csv.rows! + 2);
    await expect(router.handle('exportReport', { ids: [1], format: 'html', out: 'report.html' })).rejects.toThrow(/absolute path/);
    await expect(router.handle('exportReport', { ids: [1], format: 'html', out: out('report.pdf') })).rejects.toThrow(/must end in \.html/);
    await expect(router.handle('exportReport', { ids: [], format: 'html' })).rejects.toThrow(/at least one run/);
    await expect(router.handle('exportReport', { ids: [99], format: 'csv', out: out('x.csv') })).rejects.toThrow(/run 99 does not exist/);
    const written = (await router.handle('exportReport', { ids: [1], format: 'html', out: out('api.html'), ...CAM })) as ReportExport;
    expect(written.content).toBeNull();
    expect(readFileSync(out('api.html'), 'utf8')).toContain('id="run-1-flags"');
  });

  it('gan-focus report writes the file, and a missing folder is a clear error that leaves nothing behind', () => {
    const r = cli(['report', '1', '--compare', '2', '--format', 'csv', '--out', out('cli.csv'), '--json']);
    const result = JSON.parse(r.stdout) as { rows: number; out: string };
    expect(result.out).toBe(out('cli.csv'));
    expect(readFileSync(out('cli.csv'), 'utf8').split('\r\n')[0]).toBe(CSV_COLUMNS.join(','));
    const bad = runCli(['--home', home, 'report', '1', '--format', 'html', '--out', out('missing/r.html')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/folder .*missing does not exist/);
    expect(existsSync(out('missing'))).toBe(false);
    const usage = runCli(['--home', home, 'report', '1', '--out', out('r.html')]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--format html\|pdf\|csv\|json/);
  });
});
