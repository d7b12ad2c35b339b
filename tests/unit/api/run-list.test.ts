import { describe, expect, it } from 'vitest';
import type { FlagList, JobInfo, RunListItem, RunSummary } from '../../../src/shared/api.js';
import { presetConfig } from '../../../src/shared/config.js';
import type { QualityRow } from '../../../src/shared/explain.js';
import { saveQuality } from '../../../src/main/store/quality.js';
import { openRouterAndStore } from './router-store.js';

const tiny = { ...presetConfig('quick'), arch: 'paper' as const, limit: 128, ngf: 4, ndf: 4, batchSize: 32, epochs: 2 };
const { router, db } = openRouterAndStore();

const item = async (id: number) => ((await router.handle('listRuns', {})) as RunListItem[]).find((r) => r.id === id)!;
const quality = (epoch: number, fidMnist: number, digitsPresent: number): QualityRow => ({
  epoch,
  count: 1000,
  classCounts: [100, 100, 100, 100, 100, 100, 100, 100, 100, 100],
  digitsPresent,
  meanConfidence: 0.8,
  fidMnist,
});

describe('runs table rows', () => {
  it('carry the G quality of the latest epoch assessed, or null before any', async () => {
    const run = (await router.handle('createRun', { config: tiny })) as RunSummary;
    expect((await item(run.id)).quality).toBeNull();
    saveQuality(db, run.id, quality(1, 180.5, 6));
    saveQuality(db, run.id, quality(2, 95.25, 9));
    expect((await item(run.id)).quality).toEqual(quality(2, 95.25, 9));
  });
});

describe('the Flags column', () => {
  it('counts the default-settings flags at the best epoch, not whatever was explained last at the highest epoch', async () => {
    const created = (await router.handle('createRun', { name: 'flags', config: { ...tiny, ngf: 8, ndf: 8, seed: 3 }, start: true })) as RunSummary;
    const run = await router.waitForRun(created.id);
    expect(run.status).toBe('completed');
    const explain = async (p: object) => router.waitForJob(((await router.handle('explain', { id: run.id, ...p })) as JobInfo).jobId);
    await explain({ samples: 'train', epochs: [1] });
    // A later look at epoch 2 with a stricter threshold: its flags are not the ones under review.
    await explain({ samples: 'train', epochs: [2], settings: { threshold: 1 } });
    const atOne = (await router.handle('listFlags', { id: run.id, epoch: 1, limit: 5 })) as FlagList;
    const strict = (await router.handle('listFlags', { id: run.id, epoch: 2, settings: { threshold: 1 } })) as FlagList;
    expect(atOne.flagged).toBeGreaterThan(0);
    expect(strict.flagged).not.toBe(atOne.flagged);

    // No best epoch yet: the default-settings explanation (the only one) counts.
    expect((await item(run.id)).flags).toEqual({ epoch: 1, flagged: atOne.flagged, total: 128, confirmed: 0 });
    for (const f of atOne.items.slice(0, 2)) await router.handle('reviewSample', { id: run.id, index: f.index, decision: 'confirmed' });
    await router.handle('confirmBestEpoch', { id: run.id, epoch: 1 });
    const row = await item(run.id);
    expect(row.flags).toEqual({ epoch: 1, flagged: atOne.flagged, total: 128, confirmed: Math.min(2, atOne.flagged) });
    expect(row.flagCount).toBe(atOne.flagged);

    // Once the best epoch's training set is explained with the defaults, that epoch counts.
    await router.handle('confirmBestEpoch', { id: run.id, epoch: 2 });
    await explain({ samples: 'train', epochs: [2] });
    const atTwo = (await router.handle('listFlags', { id: run.id, epoch: 2 })) as FlagList;
    expect((await item(run.id)).flags).toMatchObject({ epoch: 2, flagged: atTwo.flagged });
  }, 300_000);
});

describe('compare with a run that does not exist', () => {
  it('compares the runs that exist and names the missing ones', async () => {
    const a = (await router.handle('createRun', { name: 'a', config: tiny })) as RunSummary;
    const r = (await router.handle('compareRuns', { ids: [a.id, 999] })) as { runs: { id: number }[]; missing: number[] };
    expect(r.runs.map((x) => x.id)).toEqual([a.id]);
    expect(r.missing).toEqual([999]);
    await expect(router.handle('compareRuns', { ids: [a.id, a.id] })).rejects.toMatchObject({ code: 'bad_request' });
  });
});
