import { disposePinia, type Pinia } from 'pinia';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import type { RunDetail } from '../../../src/shared/api.js';
import { useCompareStore } from '../../../src/renderer/src/stores/compare.js';
import { useExplainStore } from '../../../src/renderer/src/stores/explain.js';
import { useReportStore } from '../../../src/renderer/src/stores/report.js';
import { useReviewStore } from '../../../src/renderer/src/stores/review.js';
import { useSelectionStore } from '../../../src/renderer/src/stores/selection.js';
import { eventually, openWorkbench, TINY, useStoresWith, type Workbench } from './helpers.js';

// One tiny trained run, explained on its probes at both epochs and on its
// training set at epoch 2, shared by the explain, review and compare tests.
let wb: Workbench;
let run: RunDetail;
let pinia: Pinia;

beforeAll(async () => {
  wb = openWorkbench();
  const created = await wb.client.call('createRun', { name: 'explained', config: { ...TINY, epochs: 2 }, start: true });
  run = await wb.router.waitForRun(created.id);
  expect(run.status).toBe('completed');
  const probes = await wb.client.call('explain', { id: run.id, samples: 'probe' });
  expect((await wb.router.waitForJob(probes.jobId)).status).toBe('completed');
  const train = await wb.client.call('explain', { id: run.id, samples: 'train', epochs: [2] });
  expect((await wb.router.waitForJob(train.jobId)).status).toBe('completed');
}, 300_000);
afterAll(() => wb.close());
beforeEach(() => {
  pinia = useStoresWith(wb.client);
});
afterEach(() => disposePinia(pinia));

describe('explain store', () => {
  it('loads the Figure-1 grid: probes by epochs, with a CAM and a ratio per cell', async () => {
    const s = useExplainStore();
    await s.open(run.id);
    expect(s.error).toBeNull();
    expect(s.epochs).toEqual([1, 2]);
    expect(s.layers).toEqual(['block1']);
    const probes = s.grid!.probes;
    expect(probes).toHaveLength(16);
    expect(Buffer.from(probes[0].imageBase64, 'base64')).toHaveLength(64 * 64);
    const cell = s.cell(probes[0].position, 2)!;
    expect(Buffer.from(cell.camBase64!, 'base64')).toHaveLength(64 * 64);
    expect(cell.ratio === null || (cell.ratio >= 0 && cell.ratio <= 1)).toBe(true);
    expect(s.cell(probes[0].position, 3)).toBeNull();
    expect(s.focus!.summaries.map((e) => e.epoch)).toEqual([1, 2]);
    // A tiny G draws no digits (FID-MNIST far above 200): the rule recommends no epoch and says why for each.
    expect(s.recommended).toBeNull();
    expect(s.focus!.recommendation.verdicts.map((v) => v.epoch)).toEqual([1, 2]);
    expect(s.focus!.recommendation.verdicts.every((v) => v.excluded.some((x) => /G is poor|G quality not measured/.test(x)))).toBe(true);
  });

  it('confirms a best epoch, and a reload shows the confirmation', async () => {
    const s = useExplainStore();
    await s.open(run.id);
    await s.confirmBest(1, 'looks on-digit');
    expect(s.confirmError).toBeNull();
    expect(s.confirmed).toBe(1);
    await s.reload();
    expect(s.focus!.confirmed).toMatchObject({ confirmed: 1, note: 'looks on-digit' });
    await s.confirmBest(99);
    expect(s.confirmError).toMatch(/between 1 and 2/);
  });

  it('switching the method shows what is not explained yet, and explaining fills it in through job events', async () => {
    const s = useExplainStore();
    await s.open(run.id);
    // The method is the shared selection's: the store follows it.
    useSelectionStore().set({ method: 'layercam' });
    expect(s.method).toBe('layercam');
    await eventually(() => s.grid?.method === 'layercam' && !s.loading);
    expect(s.epochs).toEqual([]);
    expect(s.explained.map((e) => e.method)).toEqual(['hirescam']);
    await s.explainEpochs();
    expect(s.jobError).toBeNull();
    expect(s.jobRunning).toBe(true);
    await eventually(() => s.job?.status === 'completed' && s.epochs.length === 2 && !s.loading);
    expect(s.grid!.method).toBe('layercam');
  });
});

describe('review store', () => {
  it('opens at the best epoch confirmed under the selection, and follows the selection', async () => {
    const s = useReviewStore();
    // The explain test confirmed epoch 1 with the default settings.
    await s.open(run.id);
    expect(s.error).toBeNull();
    expect(s.epoch).toBe(1);
    expect(s.list!.explanationId).toBeNull();
    expect(s.availableLayers.map((l) => l.name)).toEqual(['block1', 'block2', 'block3']);
    expect(s.explained.some((e) => e.trainEpochs.includes(2))).toBe(true);
    // No confirmation under other settings: the router's choice (the latest explained epoch, none here).
    useSelectionStore().set({ settings: { threshold: 0.5 } });
    await s.open(run.id);
    expect(s.list!.settings.threshold).toBe(0.5);
    expect(s.list!.explanationId).toBeNull();
    useSelectionStore().reset();
  });

  it('lists flags of the latest explained epoch by ratio, decides with undo, and keeps notes', async () => {
    const s = useReviewStore();
    await s.open(run.id, 2);
    expect(s.error).toBeNull();
    expect(s.epoch).toBe(2);
    expect(s.runEpochs).toEqual([1, 2]);
    const n = s.items.length;
    expect(n).toBeGreaterThan(2);
    const ratios = s.items.map((i) => i.ratio ?? -1);
    expect(ratios).toEqual([...ratios].sort((a, b) => b - a));
    expect(s.items.every((i) => i.flagged)).toBe(true);
    expect(s.counts).toEqual({ shown: n, confirmed: 0, dismissed: 0, pending: n });

    const [a, b] = s.items;
    await s.decide('confirmed');
    expect(s.cursor).toBe(1);
    await s.decide('dismissed');
    expect(s.counts).toMatchObject({ confirmed: 1, dismissed: 1 });
    await s.undo();
    expect(s.items[1].review).toBeNull();
    expect(s.cursor).toBe(1);
    await s.setNote(b.index, 'a stray stroke');
    await s.undo();
    expect(s.items[1].note).toBe('');
    await s.setNote(b.index, 'kept');

    // Stored by the router, not only in the store.
    const fresh = useReviewStore();
    await fresh.open(run.id, 2);
    expect(fresh.items.find((i) => i.index === a.index)?.review).toBe('confirmed');
    expect(fresh.items.find((i) => i.index === b.index)).toMatchObject({ review: null, note: 'kept' });
  });

  it('filters by digit and ratio range, and loads images for what is shown', async () => {
    const s = useReviewStore();
    await s.open(run.id, 2);
    const digit = s.items[0].digit!;
    await s.setFilters({ digit });
    expect(s.items.length).toBeGreaterThan(0);
    expect(s.items.every((i) => i.digit === digit)).toBe(true);
    await s.setFilters({ digit: null, minRatio: 0.8, maxRatio: 0.9 });
    expect(s.items.every((i) => i.ratio! >= 0.8 && i.ratio! <= 0.9)).toBe(true);
    await s.setFilters({ minRatio: 0, maxRatio: 1 });
    const shown = s.items.slice(0, 3).map((i) => i.index);
    await s.loadImages(shown);
    for (const i of shown) expect(Buffer.from(s.images[i].imageBase64, 'base64')).toHaveLength(64 * 64);
  });

  it('offers to explain the training set at an epoch that has none', async () => {
    const s = useReviewStore();
    await s.open(run.id, 1);
    expect(s.list!.explanationId).toBeNull();
    expect(s.items).toEqual([]);
    await s.explainTrainingSet();
    expect(s.jobError).toBeNull();
    await eventually(() => s.job?.status === 'completed' && s.list?.explanationId !== null && !s.loading);
    expect(s.list!.epoch).toBe(1);
  });

  it('excludes the confirmed samples in a derived run that the compare store shows as its child', async () => {
    const s = useReviewStore();
    await s.open(run.id, 2);
    const confirmed = s.items.filter((i) => i.review === 'confirmed').length;
    expect(confirmed).toBeGreaterThan(0);
    const child = await s.excludeAndRetrain('without confirmed');
    expect(s.retrainError).toBeNull();
    expect(child).toMatchObject({ name: 'without confirmed', parentId: run.id });
    expect(child!.excluded).toHaveLength(confirmed);
    await wb.router.waitForRun(child!.id);

    const c = useCompareStore();
    await c.open([run.id, child!.id]);
    expect(c.error).toBeNull();
    expect(c.lineage).toEqual([
      { id: run.id, parentId: null, excludedCount: 0, name: 'explained', depth: 0 },
      { id: child!.id, parentId: run.id, excludedCount: confirmed, name: 'without confirmed', depth: 1 },
    ]);
    expect(c.result!.configDiff).toEqual([{ key: 'excluded (count)', values: [0, confirmed] }]);
    expect(c.commonEpochs).toEqual([1, 2]);
    expect(c.epoch).toBe(2);
    // Per-iteration curves of both runs overlaid, every stored iteration drawn.
    expect(c.iterationCurves.series.lossD.map((s) => s.id)).toEqual([String(run.id), String(child!.id)]);
    expect(c.metrics[run.id].length).toBeGreaterThan(2);
    expect(c.iterationCurves.series.lossD.map((s) => Array.from(s.values).filter((v) => v !== null).length)).toEqual([c.metrics[run.id].length, c.metrics[child!.id].length]);
    expect(c.flagRateSeries[0].points.map((p) => p.x)).toEqual([1, 2]);
    expect(c.grids[run.id]!.epochs).toEqual([1, 2]);
    expect(c.grids[child!.id]!.epochs).toEqual([]);
  });
});

describe('compare store', () => {
  it('needs two ids; a missing run is named and the others still shown', async () => {
    const c = useCompareStore();
    await c.open([run.id]);
    expect(c.result).toBeNull();
    await c.open([run.id, 999]);
    expect(c.error).toBeNull();
    expect(c.result!.missing).toEqual([999]);
    expect(c.runs.map((r) => r.id)).toEqual([run.id]);
  });
});

describe('report store', () => {
  it('returns a run report as content the browser can save, named for the run', async () => {
    const s = useReportStore();
    const html = await s.exportReport({ runs: [run.id] }, 'html');
    expect(s.error).toBeNull();
    expect(html).toMatchObject({ filename: `gan-focus-run-${run.id}.html`, mime: 'text/html' });
    expect(html!.data as string).toMatch(/<html/i);
    expect(html!.data as string).toContain('explained');
    const json = await s.exportReport({ runs: [run.id] }, 'json');
    expect(JSON.parse(json!.data as string)).toBeTypeOf('object');
    expect(s.busy).toBeNull();
  });

  it('says in words when the router refuses', async () => {
    const s = useReportStore();
    expect(await s.exportReport({ runs: [4242] }, 'csv')).toBeNull();
    expect(s.error).toMatch(/4242/);
  });
});
