import { describe, expect, it } from 'vitest';
import type { FocusSummaryResult, RunListItem, RunSummary } from '../../../src/shared/api.js';
import { defaultCamLayer, presetConfig } from '../../../src/shared/config.js';
import { DEFAULT_CAM_METHOD, type FocusSample } from '../../../src/shared/explain.js';
import { DEFAULT_FOCUS_SETTINGS } from '../../../src/shared/focus-settings.js';
import { recordEpoch } from '../../../src/main/store/epochs.js';
import { beginExplanation, finishExplanation, insertFocusBatch } from '../../../src/main/store/explanations.js';
import { setProbes } from '../../../src/main/store/probes.js';
import { setDatasetId } from '../../../src/main/store/runs.js';
import { openRouterAndStore } from './router-store.js';

// Hand-built epochs in a real store, read back through the API: the answer is known.
const config = { ...presetConfig('quick'), epochs: 4 };
const { router, db } = openRouterAndStore();

interface Epoch {
  epoch: number;
  dx: number;
  dgz: number;
  fid: number;
  digits: number;
  /** Off-digit ratio of each of the 8 probes (null: no evidence). */
  ratios: (number | null)[];
}

function focusRow(index: number, ratio: number | null): FocusSample {
  return { index, digit: index % 10, ratio, baselineRatio: 0.3, coverage: 0.2, sharpness: ratio === null ? null : 0.5, score: 1, flagged: ratio !== null && ratio >= 0.7, cam: null };
}

async function handBuilt(epochs: Epoch[]): Promise<number> {
  const run = (await router.handle('createRun', { config })) as RunSummary;
  setDatasetId(db, run.id, 'mnist-train');
  setProbes(db, run.id, Array.from({ length: 8 }, (_, index) => ({ index, digit: index % 10 })));
  for (const e of epochs) {
    recordEpoch(db, run.id, { epoch: e.epoch, lossD: 1, lossG: 1, dx: e.dx, dgz: e.dgz, seconds: 1, iterations: 10, gridPath: null }, [], {
      count: 1000,
      classCounts: [],
      digitsPresent: e.digits,
      meanConfidence: 0.8,
      fidMnist: e.fid,
    });
    const x = beginExplanation(
      db,
      { runId: run.id, epoch: e.epoch, layers: [defaultCamLayer(config.arch)], method: DEFAULT_CAM_METHOD, target: 'real', samples: 'probe', settings: DEFAULT_FOCUS_SETTINGS },
      e.ratios.length,
    );
    insertFocusBatch(db, x.id, e.ratios.map((r, i) => focusRow(i, r)));
    finishExplanation(db, x.id, 'complete');
  }
  return run.id;
}

const onDigit = (ratio: number) => Array<number>(8).fill(ratio);

describe('the best-epoch rule on stored epochs', () => {
  it('passes over the untrained start and a collapsed D for the learned epoch, and says why per epoch', async () => {
    const id = await handBuilt([
      // Untrained: D cannot tell real from fake, G draws noise; its CAMs sit tightly on the digit.
      { epoch: 1, dx: 0.5, dgz: 0.49, fid: 520, digits: 2, ratios: onDigit(0.1) },
      // D has collapsed to certainty; G is fine.
      { epoch: 2, dx: 0.999, dgz: 0.003, fid: 60, digits: 10, ratios: onDigit(0.15) },
      // Learned and informative.
      { epoch: 3, dx: 0.8, dgz: 0.3, fid: 45, digits: 10, ratios: onDigit(0.3) },
      // Learned, but 6 of 8 CAMs empty.
      { epoch: 4, dx: 0.78, dgz: 0.28, fid: 42, digits: 10, ratios: [0.2, 0.2, null, null, null, null, null, null] },
    ]);
    const s = (await router.handle('getFocusSummary', { id })) as FocusSummaryResult;
    expect(s.recommendation.epoch).toBe(3);
    expect(s.recommendation.verdicts.map((v) => [v.epoch, v.excluded.length === 0])).toEqual([
      [1, false],
      [2, false],
      [3, true],
      [4, false],
    ]);
    expect(s.recommendation.verdicts[0]).toMatchObject({ dx: 0.5, dgz: 0.49, fidMnist: 520, digitsPresent: 2 });
    expect(s.recommendation.verdicts[1].excluded).toEqual(['D has collapsed: D(x) 1.00 - D(G(z)) 0.00 = 1.00 > 0.95']);
    expect(s.recommendation.verdicts[3].excluded).toEqual(['6 of 8 probe samples have no evidence']);
    // The runs table reads the same rule.
    const item = ((await router.handle('listRuns', {})) as RunListItem[]).find((r) => r.id === id)!;
    expect(item.bestEpoch).toMatchObject({ epoch: 3, confirmed: false, cam: { target: 'real' } });
  });

  it('recommends nothing on a run whose G never learned, naming each epoch', async () => {
    const id = await handBuilt([
      { epoch: 1, dx: 0.95, dgz: 0.15, fid: 670, digits: 2, ratios: onDigit(0.2) },
      { epoch: 2, dx: 0.997, dgz: 0.005, fid: 655, digits: 1, ratios: onDigit(0.2) },
    ]);
    const s = (await router.handle('getFocusSummary', { id })) as FocusSummaryResult;
    expect(s.recommendation.epoch).toBeNull();
    expect(s.recommendation.reason).toMatch(/^No explained epoch passes the rule's gates, so none is recommended\. epoch 1: G is poor: FID-MNIST 670\.0 > 200\.0\. epoch 2: D has collapsed/);
  });
});
