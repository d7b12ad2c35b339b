import { describe, expect, it } from 'vitest';
import type { ExplanationSettings, FocusSummaryResult, RunListItem, RunSummary } from '../../../src/shared/api.js';
import { defaultCamLayer, presetConfig } from '../../../src/shared/config.js';
import { DEFAULT_CAM_METHOD, type BestEpochConfirmation, type CamMethod, type CamTarget, type SampleSet } from '../../../src/shared/explain.js';
import { DEFAULT_FOCUS_SETTINGS, type FocusSettings } from '../../../src/shared/focus-settings.js';
import { dispatch } from '../../../src/main/api/dispatch.js';
import { beginExplanation, finishExplanation } from '../../../src/main/store/explanations.js';
import { openRouterAndStore } from './router-store.js';

const { router, db } = openRouterAndStore();

const newRun = async () => (await router.handle('createRun', { config: { ...presetConfig('quick'), epochs: 3 } })) as RunSummary;

function explained(
  runId: number,
  epoch: number,
  o: { layers?: string[]; method?: CamMethod; target?: CamTarget; samples?: SampleSet; settings?: Partial<FocusSettings>; status?: 'complete' | 'failed' } = {},
) {
  const e = beginExplanation(
    db,
    {
      runId,
      epoch,
      layers: o.layers ?? ['block3'],
      method: o.method ?? 'gradcam',
      target: o.target ?? 'real',
      samples: o.samples ?? 'probe',
      settings: { ...DEFAULT_FOCUS_SETTINGS, ...o.settings },
    },
    0,
  );
  finishExplanation(db, e.id, o.status ?? 'complete');
}

describe('listExplanationSettings', () => {
  it('lists every set of settings with complete explanations, the most recent first, with its probe and training-set epochs', async () => {
    const run = await newRun();
    explained(run.id, 2);
    explained(run.id, 1);
    const hires = { layers: ['block2'], method: 'hirescam' as const, target: 'fake' as const, settings: { threshold: 0.6, dilation: 2 } };
    explained(run.id, 3, hires);
    explained(run.id, 1, hires);
    explained(run.id, 3, { ...hires, samples: 'train' });
    // A failed computation is nothing to open.
    explained(run.id, 2, { method: 'layercam', status: 'failed' });

    const list = (await router.handle('listExplanationSettings', { id: run.id })) as ExplanationSettings[];
    expect(list).toEqual([
      { layers: ['block2'], method: 'hirescam', target: 'fake', settings: { ...DEFAULT_FOCUS_SETTINGS, threshold: 0.6, dilation: 2 }, probeEpochs: [1, 3], trainEpochs: [3] },
      { layers: ['block3'], method: 'gradcam', target: 'real', settings: DEFAULT_FOCUS_SETTINGS, probeEpochs: [1, 2], trainEpochs: [] },
    ]);
  });

  it('is empty for a run never explained, and validated like every method on every transport', async () => {
    const run = await newRun();
    expect(await router.handle('listExplanationSettings', { id: run.id })).toEqual([]);
    await expect(router.handle('listExplanationSettings', { id: 9999 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(router.handle('listExplanationSettings', { id: run.id, layer: 'x' })).rejects.toMatchObject({ code: 'bad_request' });
    // IPC and the WebSocket both go through dispatch.
    expect(await dispatch(router, JSON.stringify({ id: 7, method: 'listExplanationSettings', params: { id: run.id } }))).toEqual({ id: 7, ok: true, result: [] });
    expect(await dispatch(router, { id: 8, method: 'listExplanationSettings', params: { id: 0 } })).toMatchObject({ id: 8, ok: false, error: { code: 'bad_request' } });
  });
});

describe('confirmBestEpoch under explain settings', () => {
  it('confirms under the settings given, shows each confirmation with its settings, and the runs table the latest', async () => {
    const run = await newRun();
    const hires = { layers: ['block2'], method: 'hirescam' as const, settings: { threshold: 0.6 } };
    const a = (await router.handle('confirmBestEpoch', { id: run.id, epoch: 2 })) as BestEpochConfirmation;
    expect(a).toMatchObject({ confirmed: 2, layers: [defaultCamLayer(run.config.arch)], method: DEFAULT_CAM_METHOD, target: 'real', settings: DEFAULT_FOCUS_SETTINGS });
    const b = (await router.handle('confirmBestEpoch', { id: run.id, epoch: 3, ...hires, note: 'finer layer' })) as BestEpochConfirmation;
    expect(b).toMatchObject({ confirmed: 3, layers: ['block2'], method: 'hirescam', settings: { ...DEFAULT_FOCUS_SETTINGS, threshold: 0.6 }, note: 'finer layer' });

    const summary = async (p: object) => ((await router.handle('getFocusSummary', { id: run.id, ...p })) as FocusSummaryResult).confirmed;
    expect(await summary({})).toMatchObject({ confirmed: 2 });
    expect(await summary(hires)).toMatchObject({ confirmed: 3 });
    expect(await summary({ ...hires, settings: { threshold: 0.5 } })).toBeNull();

    const row = ((await router.handle('listRuns', {})) as RunListItem[]).find((r) => r.id === run.id)!;
    expect(row.bestEpoch).toEqual({ epoch: 3, confirmed: true, cam: { layers: ['block2'], method: 'hirescam', target: 'real', settings: { ...DEFAULT_FOCUS_SETTINGS, threshold: 0.6 } } });
  });
});
