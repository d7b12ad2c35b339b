import { beforeAll, describe, expect, it } from 'vitest';
import type { FlagList, RunSummary } from '../../../src/shared/api.js';
import { defaultCamLayer, presetConfig } from '../../../src/shared/config.js';
import { DEFAULT_CAM_METHOD } from '../../../src/shared/explain.js';
import { DEFAULT_FOCUS_SETTINGS } from '../../../src/shared/focus-settings.js';
import { beginExplanation, finishExplanation, insertFocusBatch } from '../../../src/main/store/explanations.js';
import { setDatasetId } from '../../../src/main/store/runs.js';
import { openRouterAndStore } from './router-store.js';

// Training-set explanations written by hand into a real store: which sample is
// flagged at which epoch is known, so the counts are too.
const config = { ...presetConfig('quick'), epochs: 5 };
const { router, db } = openRouterAndStore();
let id: number;

/** Per epoch, the flagged sample indices among samples 0..5 (epoch 4 is explained with another threshold). */
const FLAGGED: Record<number, number[]> = { 1: [0, 1, 2], 2: [0, 2], 3: [0, 3], 5: [0, 2, 3, 4] };

beforeAll(async () => {
  id = ((await router.handle('createRun', { config })) as RunSummary).id;
  setDatasetId(db, id, 'mnist-train');
  const explain = (epoch: number, flagged: number[], threshold: number) => {
    const key = { runId: id, epoch, layers: [defaultCamLayer(config.arch)], method: DEFAULT_CAM_METHOD, target: 'real' as const, samples: 'train' as const };
    const x = beginExplanation(db, { ...key, settings: { ...DEFAULT_FOCUS_SETTINGS, threshold } }, 6);
    insertFocusBatch(
      db,
      x.id,
      Array.from({ length: 6 }, (_, index) => {
        const on = flagged.includes(index);
        return { index, digit: index, ratio: on ? 0.9 : 0.2, baselineRatio: 0.3, coverage: 0.2, sharpness: 0.5, score: 1, flagged: on, cam: null };
      }),
    );
    finishExplanation(db, x.id, 'complete');
  };
  for (const [epoch, flagged] of Object.entries(FLAGGED)) explain(Number(epoch), flagged, DEFAULT_FOCUS_SETTINGS.threshold);
  explain(4, [0, 1, 2, 3, 4, 5], 0.1);
});

const flags = async (p: object) => (await router.handle('listFlags', { id, ...p })) as FlagList;
const byIndex = (l: FlagList) => Object.fromEntries(l.items.map((f) => [f.index, f.flaggedIn]));

describe('flag stability', () => {
  it('counts each flag over the explained epochs with the same settings up to the listed one', async () => {
    const l = await flags({ epoch: 5 });
    // Epoch 4 was explained with another threshold: it is not one of these settings' epochs.
    expect(l.stability).toEqual({ epochs: [1, 2, 3, 5], required: null, stable: 4 });
    expect(byIndex(l)).toEqual({ 0: 4, 2: 3, 3: 2, 4: 1 });
    // At epoch 2 only epochs 1 and 2 count.
    const early = await flags({ epoch: 2 });
    expect(early.stability.epochs).toEqual([1, 2]);
    expect(byIndex(early)).toEqual({ 0: 2, 2: 2 });
  });

  it('keeps only the samples flagged at >= K of the last N, and counts over those N', async () => {
    const l = await flags({ epoch: 5, stable: { min: 2, of: 3 } });
    expect(l.stability).toEqual({ epochs: [2, 3, 5], required: { min: 2, of: 3 }, stable: 3 });
    expect(byIndex(l)).toEqual({ 0: 3, 2: 2, 3: 2 });
    expect((await flags({ epoch: 5, stable: { min: 3, of: 3 } })).items.map((f) => f.index)).toEqual([0]);
    // Unflagged rows too (flaggedOnly false): the requirement still applies.
    expect((await flags({ epoch: 5, stable: { min: 1, of: 2 }, flaggedOnly: false })).items.map((f) => f.index).sort()).toEqual([0, 2, 3, 4]);
    await expect(flags({ epoch: 5, stable: { min: 3, of: 2 } })).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/3 > 2/) });
  });

  it('excludes only the stable flags in a derived run when asked to', async () => {
    const child = (await router.handle('excludeAndRetrain', { id, epoch: 5, stable: { min: 3, of: 3 } })) as RunSummary;
    expect(child.excluded).toEqual(['mnist-train:0']);
    expect(child.name).toMatch(/minus 1 stable \(3 of 3\) flagged \(epoch 5\)$/);
    expect(((await router.handle('excludeAndRetrain', { id, epoch: 5 })) as RunSummary).excluded).toEqual(['mnist-train:0', 'mnist-train:2', 'mnist-train:3', 'mnist-train:4']);
    await expect(router.handle('excludeAndRetrain', { id, epoch: 2, stable: { min: 3, of: 3 } })).rejects.toMatchObject({
      code: 'conflict',
      message: 'no stable (flagged at >= 3 of the last 3 explained epochs) flagged samples to exclude at epoch 2',
    });
  });
});
