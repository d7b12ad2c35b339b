import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExplanationGrid, JobInfo, RunDetail, RunSummary } from '../../../src/shared/api.js';
import { presetConfig } from '../../../src/shared/config.js';
import { dispatch } from '../../../src/main/api/dispatch.js';
import { createRouter, type Router } from '../../../src/main/api/router.js';
import { configDiff } from '../../../src/main/api/compare-methods.js';
import { tempHome } from '../../helpers/cli.js';

process.env.GAN_FOCUS_BACKEND ??= 'wasm';

const tiny = { ...presetConfig('quick'), arch: 'paper' as const, limit: 128, ngf: 4, ndf: 4, batchSize: 32, epochs: 2, seed: 3 };
let router: Router;
let run: RunDetail;

beforeAll(async () => {
  router = createRouter({ home: tempHome() });
  const created = (await router.handle('createRun', { name: 'router test', config: tiny, start: true })) as RunSummary;
  run = await router.waitForRun(created.id);
  const job = (await router.handle('explain', { id: run.id })) as JobInfo;
  await router.waitForJob(job.jobId);
}, 300_000);

afterAll(() => router.close());

describe('router: validation at the edge', () => {
  it('rejects unknown methods, unknown fields and wrong types with bad_request', async () => {
    await expect(router.handle('dropTables', {})).rejects.toMatchObject({ code: 'bad_request' });
    await expect(router.handle('getRun', { id: 'one' })).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/id must be a finite number/) });
    await expect(router.handle('getRun', { id: 1, extra: true })).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/unknown field extra/) });
    await expect(router.handle('createRun', { config: { ...tiny, lr: -1 } })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(router.handle('explain', { id: run.id, layers: ['../../etc'] })).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('answers missing things with not_found and busy things with conflict', async () => {
    await expect(router.handle('getRun', { id: 999 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(router.handle('resumeRun', { id: run.id })).rejects.toMatchObject({ code: 'conflict' });
    await expect(router.handle('explain', { id: run.id, epochs: [7] })).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/no checkpoint at epoch 7/) });
  });

  it('dispatch turns any raw message into a Response, never a throw', async () => {
    expect(await dispatch(router, 'not json')).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await dispatch(router, { id: 1 })).toMatchObject({ id: 1, ok: false, error: { code: 'bad_request' } });
    expect(await dispatch(router, null)).toMatchObject({ ok: false });
    expect(await dispatch(router, JSON.stringify({ id: 2, method: 'getRun', params: { id: run.id } }))).toMatchObject({ id: 2, ok: true, result: { id: run.id } });
  });
});

describe('router: runs', () => {
  it('lists, renames, tags, duplicates and deletes runs', async () => {
    const updated = (await router.handle('updateRun', { id: run.id, name: 'renamed', tags: ['baseline', 'baseline', 'cpu'], notes: 'n' })) as RunSummary;
    expect(updated).toMatchObject({ name: 'renamed', tags: ['baseline', 'cpu'], notes: 'n' });
    expect(((await router.handle('listRuns', { tag: 'cpu' })) as RunSummary[]).map((r) => r.id)).toEqual([run.id]);
    const copy = (await router.handle('duplicateRun', { id: run.id })) as RunSummary;
    expect(copy).toMatchObject({ status: 'queued', config: tiny, name: 'renamed (copy)' });
    expect(await router.handle('deleteRun', { id: copy.id })).toEqual({ id: copy.id, deleted: true, detached: [] });
    await expect(router.handle('getRun', { id: copy.id })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('serves metrics and the fixed-noise grid as a PNG', async () => {
    const metrics = (await router.handle('getMetrics', { id: run.id })) as unknown[];
    expect(metrics).toHaveLength(8);
    const grid = (await router.handle('getGrid', { id: run.id, epoch: 2 })) as { pngBase64: string };
    expect(Buffer.from(grid.pngBase64, 'base64').subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('router: explain and review', () => {
  it('returns the Figure-1 grid: probes x epochs with a CAM per cell', async () => {
    const grid = (await router.handle('getExplanationGrid', { id: run.id })) as ExplanationGrid;
    expect(grid.layers).toEqual(['block1']);
    expect(grid.epochs).toEqual([1, 2]);
    expect(grid.probes).toHaveLength(16);
    expect(grid.cells).toHaveLength(32);
    for (const p of grid.probes) expect(Buffer.from(p.imageBase64, 'base64')).toHaveLength(4096);
    for (const c of grid.cells) if (c.camBase64) expect(Buffer.from(c.camBase64, 'base64')).toHaveLength(4096);
    expect(grid.availableLayers.map((l) => l.name)).toEqual(['block1', 'block2', 'block3']);
  });

  it('stores a review decision and a note, and undo clears the decision', async () => {
    expect(await router.handle('reviewSample', { id: run.id, index: 5, decision: 'confirmed', note: 'blob in the corner' })).toEqual({
      index: 5,
      decision: 'confirmed',
      note: 'blob in the corner',
    });
    expect(await router.handle('reviewSample', { id: run.id, index: 5, decision: null })).toEqual({ index: 5, decision: null, note: 'blob in the corner' });
  });

  it('stores the confirmed best epoch with the recommendation it was given', async () => {
    const c = (await router.handle('confirmBestEpoch', { id: run.id, epoch: 2, note: 'sharpest' })) as { confirmed: number; rule: string };
    expect(c.confirmed).toBe(2);
    expect(c.rule).toMatch(/median off-digit share/);
    await expect(router.handle('confirmBestEpoch', { id: run.id, epoch: 9 })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('refuses to exclude before the training set is explained', async () => {
    await expect(router.handle('excludeAndRetrain', { id: run.id })).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/--samples train/) });
  });
});

describe('compare', () => {
  it('the config diff lists only what differs', () => {
    const a = tiny;
    const b = { ...tiny, ngf: 8, excluded: ['mnist-train:1'] };
    expect(configDiff([a, b])).toEqual([
      { key: 'excluded (count)', values: [0, 1] },
      { key: 'ngf', values: [4, 8] },
    ]);
    expect(configDiff([a, { ...a }])).toEqual([]);
  });
});
