import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReportExport } from '../../../src/shared/api.js';
import { parseSampleId } from '../../../src/shared/config.js';
import type { StudyDetail } from '../../../src/shared/study.js';
import { createRouter } from '../../../src/main/api/router.js';
import { loadDataset } from '../../../src/main/engine/data/dataset.js';
import { trainingIndices } from '../../../src/main/engine/data/run-indices.js';
import { STUDY_CSV_COLUMNS } from '../../../src/main/report/csv-study.js';
import { esc } from '../../../src/main/report/escape.js';
import { REPORT_SCHEMA_VERSION, type ReportData } from '../../../src/main/report/index.js';
import { findChromium } from '../../../src/main/report/pdf.js';
import { studyNumber } from '../../../src/main/study/answer.js';
import { digitHistogram } from '../../../src/main/study/arms.js';
import { exited, runCli, startCli, tempHome, waitForLine } from '../../helpers/cli.js';
import { tinyStudyParent } from '../../helpers/tiny-study.js';

// A tiny study end to end through the CLI (its parent: tinyStudyParent); 3 arms
// x 2 seeds; killed (SIGKILL) after its first run and resumed.
const home = tempHome();
let threshold = '';

function cli(args: string[]) {
  const r = runCli(['--home', home, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

function epochRows(runId: number): { epoch: number; finished_at: string }[] {
  const d = new Database(path.join(home, 'gan-focus.db'), { readonly: true });
  try {
    return d.prepare('SELECT epoch, finished_at FROM epochs WHERE run_id = ? ORDER BY epoch').all(runId) as { epoch: number; finished_at: string }[];
  } finally {
    d.close();
  }
}

beforeAll(() => {
  threshold = tinyStudyParent((args) => cli(args).stdout);
}, 900_000);

describe('gan-focus study', () => {
  it('refuses a study without --epoch or without a training-set explanation, in one line', () => {
    expect(runCli(['--home', home, 'study', '1']).stderr).toMatch(/study needs --epoch E/);
    const r = runCli(['--home', home, 'study', '1', '--epoch', '1', '--threshold', '0.3']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no complete training-set explanation at epoch 1/);
  });

  it('trains arms x seeds one after another, survives a SIGKILL, resumes, and answers in the documented shape', async () => {
    const started = Date.now();
    const child = startCli(['--home', home, 'study', '1', '--epoch', '1', '--seeds', '2', '--threshold', threshold, '--json']);
    const firstDone = await waitForLine(child, (o) => o.type === 'studyEpoch' && (o.progress as { runsDone: number }).runsDone >= 1);
    expect(firstDone.studyId).toBe(1);
    child.kill('SIGKILL');
    await exited(child);
    const firstRun = firstDone.runId as number;
    const keptEpoch = epochRows(firstRun);
    expect(keptEpoch).toHaveLength(1);

    const stopped = JSON.parse(cli(['study', 'show', '1', '--json']).stdout);
    expect(stopped.status).toBe('stopped');
    // The kill lands after the first run's epoch; a fast machine may finish the next run before it does.
    expect(stopped.progress.runsDone).toBeGreaterThanOrEqual(1);
    expect(stopped.progress.runsDone).toBeLessThan(stopped.progress.runsTotal);

    const resumed = runCli(['--home', home, 'study', 'resume', '1']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`tiny study (6 runs x 1 epoch, 256 images, width 8) with a kill and a resume: ${seconds.toFixed(0)} s\n`);
    // The run finished before the kill was not trained again.
    expect(epochRows(firstRun)).toEqual(keptEpoch);

    const s = JSON.parse(cli(['study', 'show', '1', '--json']).stdout);
    expect(s.progress).toMatchObject({ runsDone: 6, runsTotal: 6, epochsDone: 6, epochsTotal: 6 });
    expect(s.arms.map((a: { name: string }) => a.name)).toEqual(['full', 'flagged-excluded', 'random-excluded']);
    expect(s.seeds).toEqual([2, 3]);
    for (const a of s.arms) {
      expect(a.runs.map((r: { seed: number }) => r.seed)).toEqual([2, 3]);
      for (const r of a.runs) {
        expect(r.status).toBe('completed');
        expect(r.quality).toHaveLength(1);
        expect(typeof r.quality[0].fidMnist).toBe('number');
      }
      // The final estimate of every run: KID and FID-infinity on 5,000 samples at its last epoch.
      for (const r of a.runs) {
        expect(r.final).toMatchObject({ epoch: 1, count: 5000, classCounts: expect.any(Array) });
        expect(r.final.classCounts.reduce((x: number, y: number) => x + y, 0)).toBe(5000);
        expect(Number.isFinite(r.final.kid) && Number.isFinite(r.final.fidInfinity)).toBe(true);
        expect(r.final.fidPoints.map((p: { n: number }) => p.n).at(-1)).toBe(5000);
      }
      expect(a.final.n).toBe(2);
      expect(a.final.low).toBeLessThanOrEqual(a.final.mean);
      expect(a.final.high).toBeGreaterThanOrEqual(a.final.mean);
      expect(a.perEpoch[0].n).toBe(2);
    }
    expect(s.status).toBe('completed');
    for (const e of [s.effect.flaggedVsRandom, s.effect.flaggedVsFull]) {
      expect(e.low).toBeLessThanOrEqual(e.estimate);
      expect(e.high).toBeGreaterThanOrEqual(e.estimate);
    }
    const containsZero = s.effect.flaggedVsRandom.low <= 0 && s.effect.flaggedVsRandom.high >= 0;
    expect(s.verdict.includes('against excluding as many random samples: no detectable effect')).toBe(containsZero);

    const [full, flagged, random] = s.arms;
    expect(full.excluded).toBe(0);
    expect(flagged.excluded).toBeGreaterThan(0);
    expect(random.excluded).toBe(flagged.excluded);
    expect(random.digits).toEqual(flagged.digits);

    // The runs differ from the parent only in their exclusions and their training seed, and draw the parent's images.
    const parent = JSON.parse(cli(['show', '1', '--json']).stdout);
    const dataset = loadDataset({ kind: 'mnist' });
    const parentImages = Array.from(trainingIndices(dataset, parent.config));
    const runs = (arm: { runs: { id: number }[] }) => arm.runs.map((r) => JSON.parse(cli(['show', String(r.id), '--json']).stdout));
    const excludedOf = (run: { excluded: string[] }) => run.excluded.map((id) => parseSampleId(id)!.index);
    for (const arm of s.arms)
      for (const run of runs(arm)) {
        expect(run.parentId).toBe(1);
        expect({ ...run.config, excluded: [], trainingSeed: 0 }).toEqual({ ...parent.config, excluded: [], trainingSeed: 0 });
        const removed = new Set(excludedOf(run));
        expect(Array.from(trainingIndices(dataset, run.config))).toEqual(parentImages.filter((i) => !removed.has(i)));
      }
    const [flaggedRun] = runs(flagged);
    const [randomRun] = runs(random);
    expect(digitHistogram(dataset.labels, excludedOf(randomRun))).toEqual(digitHistogram(dataset.labels, excludedOf(flaggedRun)));
    expect(excludedOf(randomRun).some((i) => excludedOf(flaggedRun).includes(i))).toBe(false);

    expect(cli(['study', 'list']).stdout).toMatch(/^1\s+completed/m);
  }, 3_000_000);
});

// The study above in the reports: training another one takes minutes on a 2-core machine.
describe('the study in reports', () => {
  const out = (name: string) => path.join(home, name);
  let show: StudyDetail;
  let html = '';
  const section = (id: string) => html.slice(html.indexOf(`id="${id}"`), html.indexOf('</section>', html.indexOf(`id="${id}"`)));

  beforeAll(() => {
    show = JSON.parse(cli(['study', 'show', '1', '--json']).stdout);
    expect(show.status).toBe('completed');
    const started = Date.now();
    cli(['report', '--study', '1', '--format', 'html', '--out', out('study.html')]);
    process.stdout.write(`study report, HTML: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    html = readFileSync(out('study.html'), 'utf8');
  }, 300_000);

  it('JSON: exactly study show --json, plus the report metadata', () => {
    cli(['report', '--study', '1', '--format', 'json', '--out', out('study.json')]);
    const { schemaVersion, kind, environment, ...study } = JSON.parse(readFileSync(out('study.json'), 'utf8'));
    expect({ schemaVersion, kind }).toEqual({ schemaVersion: REPORT_SCHEMA_VERSION, kind: 'study' });
    expect(environment.app.name).toBe('GAN Focus');
    expect(study).toEqual(show);
  });

  it('HTML: the verdict, the effects with their intervals, each arm final estimate over seeds, every run and epoch', () => {
    expect(html).not.toMatch(/https?:\/\/|<script/i);
    expect(section('summary')).toContain(esc(show.verdict));
    const n = (x: number | null) => esc(studyNumber(x!));
    for (const e of [show.effect.flaggedVsRandom!, show.effect.flaggedVsFull!])
      expect(section('summary')).toContain(`${e.estimate >= 0 ? '+' : ''}${n(e.estimate)} [${n(e.low)}, ${n(e.high)}]`);
    for (const a of show.arms) {
      expect(section('final')).toContain(`${n(a.final.mean)} [${n(a.final.low)}, ${n(a.final.high)}]`);
      expect(section('final')).toContain(`${n(a.finalFidInfinity.mean)} [${n(a.finalFidInfinity.low)}, ${n(a.finalFidInfinity.high)}]`);
      for (const r of a.runs) {
        expect(section('runs')).toContain(`run ${r.id}`);
        expect(section('runs')).toContain(`${n(r.final!.kid)} ± ${n(r.final!.kidStd)}`);
        for (const q of r.quality) expect(section('epochs')).toContain(`${n(q.fidMnist)} <span class="muted">(${q.digitsPresent} digits)</span>`);
      }
    }
    // One line per arm with its band over the 2 seeds.
    const chart = section('curves');
    expect(chart.match(/<polygon [^>]*class="band"/g)).toHaveLength(3);
    expect(chart.match(/<circle /g)).toHaveLength(3);
  });

  it('CSV: one row per arm x seed x epoch with the final estimate on its epoch', () => {
    const r = JSON.parse(cli(['report', '--study', '1', '--format', 'csv', '--out', out('study.csv'), '--json']).stdout);
    const lines = readFileSync(out('study.csv'), 'utf8').split('\r\n').filter((l) => l !== '');
    expect(lines[0]).toBe(STUDY_CSV_COLUMNS.join(','));
    expect(r.rows).toBe(6);
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [STUDY_CSV_COLUMNS[i], v])));
    const cells = show.arms.flatMap((a) => a.runs.map((run) => ({ arm: a.name, run })));
    expect(rows.map((x) => [x.arm, Number(x.run_id), Number(x.fid_mnist), Number(x.final_kid)])).toEqual(
      cells.map((c) => [c.arm, c.run.id, c.run.quality[0].fidMnist, c.run.final!.kid]),
    );
  });

  it('a run of the study, and its parent, show the verdict and effects on page 1', () => {
    const flagged = show.arms.find((a) => a.name === 'flagged-excluded')!.runs[0];
    cli(['report', String(flagged.id), '--format', 'json', '--out', out('arm.json')]);
    const arm = JSON.parse(readFileSync(out('arm.json'), 'utf8')) as ReportData;
    expect(arm.runs[0].summary.studies).toEqual([
      { studyId: 1, name: show.name, role: { kind: 'arm', arm: 'flagged-excluded', seed: flagged.seed }, status: 'completed', verdict: show.verdict, effect: show.effect, seeds: 2 },
    ]);
    cli(['report', '1', '--format', 'html', '--threshold', threshold, '--out', out('parent.html')]);
    const page1 = readFileSync(out('parent.html'), 'utf8');
    const summary = page1.slice(page1.indexOf('id="run-1-summary"'), page1.indexOf('</section>', page1.indexOf('id="run-1-summary"')));
    expect(summary).toContain('this run is the parent whose flags it tests');
    expect(summary).toContain(esc(show.verdict));
    expect(summary).not.toContain('these numbers carry no spread over seeds');
  }, 300_000);

  it('through the API: inline content, and the same refusals as a run report', async () => {
    process.env.GAN_FOCUS_BACKEND ??= 'wasm';
    const router = createRouter({ home });
    try {
      const r = (await router.handle('exportStudyReport', { id: 1, format: 'json' })) as ReportExport;
      expect(r.encoding).toBe('utf8');
      expect(JSON.parse(r.content!).verdict).toBe(show.verdict);
      await expect(router.handle('exportStudyReport', { id: 1, format: 'html', out: 'study.html' })).rejects.toThrow(/absolute path/);
      await expect(router.handle('exportStudyReport', { id: 1, format: 'html', out: out('study.pdf') })).rejects.toThrow(/must end in \.html/);
      await expect(router.handle('exportStudyReport', { id: 99, format: 'json' })).rejects.toThrow(/study 99/);
      await expect(router.handle('exportStudyReport', { id: 1, format: 'xls' })).rejects.toThrow(/format/);
    } finally {
      router.close();
    }
  });

  it.skipIf(findChromium() === null)(`PDF with a system Chromium${findChromium() ? '' : ' (skipped: no Chromium here)'}`, () => {
    cli(['report', '--study', '1', '--format', 'pdf', '--out', out('study.pdf')]);
    expect(readFileSync(out('study.pdf')).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  }, 120_000);

  it('refuses a run id or a run report option with --study', () => {
    expect(runCli(['--home', home, 'report', '1', '--study', '1', '--format', 'json', '--out', out('x.json')]).stderr).toMatch(/takes no run id/);
    expect(runCli(['--home', home, 'report', '--study', '1', '--threshold', '0.5', '--format', 'json', '--out', out('x.json')]).stderr).toMatch(/--threshold is for a run/);
  });
});
