import Database from 'better-sqlite3';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSampleId } from '../../../src/shared/config.js';
import { loadDataset } from '../../../src/main/engine/data/dataset.js';
import { trainingIndices } from '../../../src/main/engine/data/run-indices.js';
import { digitHistogram } from '../../../src/main/study/arms.js';
import { exited, runCli, startCli, tempHome, waitForLine } from '../../helpers/cli.js';

// A tiny study end to end through the CLI: a parent of 256 images, width 8, one
// epoch of 16 steps (fewer leave D's CAMs empty: no evidence, nothing flagged);
// 3 arms x 2 seeds; killed (SIGKILL) after its first run and resumed.
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
  cli(['train', '--limit', '256', '--width', '8', '--batch', '16', '--epochs', '1', '--seed', '2', '--json']);
  // About a tenth flagged: few enough that the random arm finds the same digits among the rest.
  cli(['explain', '1', '--samples', 'train', '--epochs', '1', '--threshold', '0']);
  const ratios = JSON.parse(cli(['flags', '1', '--epoch', '1', '--threshold', '0', '--json']).stdout)
    .items.map((f: { ratio: number | null }) => f.ratio)
    .filter((r: number | null) => r !== null)
    .sort((a: number, b: number) => a - b);
  threshold = ratios[Math.floor(ratios.length * 0.9)].toFixed(4);
  cli(['explain', '1', '--samples', 'train', '--epochs', '1', '--threshold', threshold]);
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
