import { describe, expect, it } from 'vitest';
import type { RunDetail, RunListItem, RunSummary } from '../../../src/shared/api.js';
import { presetConfig, sampleId } from '../../../src/shared/config.js';
import { loadDataset } from '../../../src/main/engine/data/dataset.js';
import { trainingIndices } from '../../../src/main/engine/data/run-indices.js';
import { createRun } from '../../../src/main/store/runs.js';
import { openRouterAndStore } from './router-store.js';

process.env.GAN_FOCUS_BACKEND ??= 'wasm';

// Issue 15, defects 2 and 6: a run with fewer images than one batch was accepted
// (its epoch had 0 steps), and a derived run's header showed its parent's limit.
const tiny = { ...presetConfig('quick'), arch: 'paper' as const, limit: 128, ngf: 4, ndf: 4, batchSize: 32, epochs: 1 };
/** `n` ids from inside the 128-image subset, as exclusion ids. */
const subsetIds = (n: number) => Array.from(trainingIndices(loadDataset({ kind: 'mnist' }), tiny).slice(0, n)).map((i) => sampleId('mnist-train', i));

const { router, db } = openRouterAndStore();

describe('training images are counted as the engine counts them', () => {
  it('createRun refuses fewer images than one batch, naming the counts, and creates nothing', async () => {
    await expect(router.handle('createRun', { config: { ...tiny, limit: 10, batchSize: 64 } })).rejects.toMatchObject({
      code: 'bad_request',
      message: 'this run cannot train: it would train on 10 images (dataset 60,000, limit 10), fewer than one batch of 64, so an epoch would have no step: use a batch size of at most 10, or more images',
    });
    // The exclusions count: 128 - 100 = 28 < 32.
    await expect(router.handle('createRun', { config: { ...tiny, excluded: subsetIds(100) } })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('28 images (dataset 60,000, limit 128, 100 excluded), fewer than one batch of 32'),
    });
    expect(await router.handle('listRuns', {})).toEqual([]);
  });

  it('estimateEpoch refuses the same config at once, before timing anything, and counts images otherwise', async () => {
    await expect(router.handle('estimateEpoch', { config: { ...tiny, limit: 10, batchSize: 64 } })).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/10 images/) });
    const e = (await router.handle('estimateEpoch', { config: { ...tiny, excluded: subsetIds(5) } })) as { images: number; stepsPerEpoch: number };
    expect(e).toMatchObject({ images: 123, stepsPerEpoch: 3 });
  }, 120_000);

  it('a derived run reports the images it trains on: its subset minus its exclusions', async () => {
    const run = (await router.handle('createRun', { name: 'minus five', config: { ...tiny, excluded: subsetIds(5) } })) as RunSummary;
    expect(((await router.handle('getRun', { id: run.id })) as RunDetail).trainingImages).toBe(123);
    const item = ((await router.handle('listRuns', {})) as RunListItem[]).find((r) => r.id === run.id)!;
    expect(item.trainingImages).toBe(123);
  });

  it('a run stored before the check is never started or resumed into a failure', async () => {
    const old = createRun(db, { name: 'from before', config: { ...tiny, limit: 10, batchSize: 64 } });
    expect(((await router.handle('getRun', { id: old.id })) as RunDetail).trainingImages).toBe(10);
    await expect(router.handle('startRun', { id: old.id })).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/^run \d+ cannot train: it would train on 10 images/) });
    await expect(router.handle('duplicateRun', { id: old.id })).rejects.toMatchObject({ code: 'bad_request' });
  });
});
