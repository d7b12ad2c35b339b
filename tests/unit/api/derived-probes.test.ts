import { describe, expect, it } from 'vitest';
import type { ExplanationGrid, RunSummary } from '../../../src/shared/api.js';
import { defaultCamLayer, presetConfig } from '../../../src/shared/config.js';
import { DEFAULT_CAM_METHOD, type FocusSample } from '../../../src/shared/explain.js';
import { DEFAULT_FOCUS_SETTINGS } from '../../../src/shared/focus-settings.js';
import { beginExplanation, finishExplanation, insertFocusBatch } from '../../../src/main/store/explanations.js';
import { listProbes, setProbes } from '../../../src/main/store/probes.js';
import { setDatasetId } from '../../../src/main/store/runs.js';
import { openRouterAndStore } from './router-store.js';

// Hand-built training-set flags in a real store; the derived runs come from the router.
const config = { ...presetConfig('quick'), limit: 256, epochs: 2 };
const DATASET = 'mnist-train';
const { router, db } = openRouterAndStore();

const row = (index: number, flagged: boolean): FocusSample => ({
  index,
  digit: null,
  ratio: flagged ? 0.9 : 0.2,
  baselineRatio: 0.3,
  coverage: 0.2,
  sharpness: 0.5,
  score: 1,
  flagged,
  cam: null,
});

/** A trained-looking run whose training set at epoch 1 flags exactly `flagged`. */
async function parentRun(flagged: number[]): Promise<number> {
  const run = (await router.handle('createRun', { config })) as RunSummary;
  setDatasetId(db, run.id, DATASET);
  const e = beginExplanation(
    db,
    { runId: run.id, epoch: 1, layers: [defaultCamLayer(config.arch)], method: DEFAULT_CAM_METHOD, target: 'real', samples: 'train', settings: DEFAULT_FOCUS_SETTINGS },
    flagged.length + 1,
  );
  insertFocusBatch(db, e.id, [...flagged.map((i) => row(i, true)), row(9999, false)]);
  finishExplanation(db, e.id, 'complete');
  return run.id;
}

const probes = (id: number) => listProbes(db, id, DATASET).map((p) => p.index);
const grid = async (id: number) => (await router.handle('getExplanationGrid', { id })) as ExplanationGrid;

describe('a derived run keeps its parent probe samples', () => {
  it('excluding flagged samples: same probes in the same order, and a probe the child does not train on says so', async () => {
    const parent = await parentRun([3, 120]);
    setProbes(db, parent, [40, 3, 7, 12].map((index) => ({ index, digit: null })));
    const child = (await router.handle('excludeAndRetrain', { id: parent, epoch: 1 })) as RunSummary;
    expect(child.excluded).toEqual([`${DATASET}:3`, `${DATASET}:120`]);
    expect(probes(child.id)).toEqual([40, 3, 7, 12]);

    setDatasetId(db, child.id, DATASET);
    const [p, c] = [await grid(parent), await grid(child.id)];
    expect(c.probes.map((x) => [x.position, x.index])).toEqual(p.probes.map((x) => [x.position, x.index]));
    expect(p.probes.map((x) => x.excluded)).toEqual([false, false, false, false]);
    expect(c.probes.map((x) => x.excluded)).toEqual([false, true, false, false]);
    // The same images: a row compares the same sample.
    expect(c.probes.map((x) => x.imageBase64)).toEqual(p.probes.map((x) => x.imageBase64));
  });

  it('a parent without probes gets its seeded pick at that moment, and the child the same', async () => {
    const parent = await parentRun([5]);
    expect(probes(parent)).toEqual([]);
    const child = (await router.handle('excludeAndRetrain', { id: parent, epoch: 1 })) as RunSummary;
    expect(probes(parent)).toHaveLength(16);
    expect(probes(child.id)).toEqual(probes(parent));
  });

  it('a duplicate keeps the original probes, even hand-picked ones', async () => {
    const src = await parentRun([5]);
    setProbes(db, src, [77, 1, 250].map((index) => ({ index, digit: null })));
    const copy = (await router.handle('duplicateRun', { id: src })) as RunSummary;
    expect(probes(copy.id)).toEqual([77, 1, 250]);
  });
});
