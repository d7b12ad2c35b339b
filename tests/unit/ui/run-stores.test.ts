import { disposePinia, type Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import { useNewRunStore } from '../../../src/renderer/src/stores/new-run.js';
import { useRunStore } from '../../../src/renderer/src/stores/run.js';
import { eventually, openWorkbench, TINY, useStoresWith, type Workbench } from './helpers.js';

let wb: Workbench;
let pinia: Pinia;
beforeEach(() => {
  wb = openWorkbench();
  pinia = useStoresWith(wb.client);
});
afterEach(() => {
  disposePinia(pinia);
  wb.close();
});

describe('new-run store', () => {
  it('starts from the quick preset, reports problems by field, and creates the run', async () => {
    const form = useNewRunStore();
    await form.init();
    expect(form.preset).toBe('quick');
    expect(form.draft).toMatchObject({ arch: 'dcgan5', limit: 6400, ngf: 64, ndf: 64, epochs: 10 });
    expect(form.valid).toBe(true);

    form.setField('batchSize', 1);
    form.setField('epochs', undefined);
    expect(form.preset).toBe('custom');
    expect(form.valid).toBe(false);
    expect(form.issues).toEqual({ batchSize: ['Batch size must be at least 2'], epochs: ['Epochs is required'] });
    expect(await form.create(false)).toBeNull();
    expect(await wb.client.call('listRuns', {})).toEqual([]);

    form.applyPreset('quick');
    for (const [k, v] of Object.entries(TINY)) form.setField(k, v);
    form.name = '  tiny  ';
    const run = await form.create(false);
    expect(run).toMatchObject({ name: 'tiny', status: 'queued', config: TINY });
  });

  it('estimates the epoch time by timing real steps in an engine process', async () => {
    const form = useNewRunStore();
    await form.init();
    for (const [k, v] of Object.entries(TINY)) form.setField(k, v);
    await form.runEstimate();
    expect(form.estimateError).toBeNull();
    expect(form.estimate).toMatchObject({ stepsPerEpoch: 4 });
    expect(form.estimate!.secondsPerStep).toBeGreaterThan(0);
    expect(form.estimate!.backend).toMatch(/\S/);
  });

  it('refuses fewer images than one batch with the reason, and lets a fixed config through again', async () => {
    const form = useNewRunStore();
    await form.init();
    for (const [k, v] of Object.entries({ ...TINY, limit: 10 })) form.setField(k, v);
    await form.runEstimate();
    expect(form.refusal).toMatch(/it would train on 10 images \(dataset 60,000, limit 10\), fewer than one batch of 32/);
    expect(form.estimate).toBeNull();
    expect(form.estimateError).toBeNull();
    expect(await form.create(false)).toBeNull();
    expect(form.submitError).toMatch(/fewer than one batch of 32/);
    expect(await wb.client.call('listRuns', {})).toEqual([]);

    form.setField('limit', 128);
    await nextTick();
    expect(form.refusal).toBeNull();
    await form.runEstimate();
    expect(form.refusal).toBeNull();
    expect(form.estimate).toMatchObject({ images: 128, stepsPerEpoch: 4 });
  });

  it('copies the config of the run it starts from', async () => {
    const src = await wb.client.call('createRun', { name: 'source', config: { ...TINY, seed: 77 } });
    const form = useNewRunStore();
    await form.init(src.id);
    expect(form.draft).toEqual({ ...TINY, seed: 77 });
    expect(form.name).toBe('source (copy)');
    expect(form.preset).toBe('custom');
  });
});

describe('run store', () => {
  it('a cancel keeps its reason, the run says "cancelled", and Resume offers the next epoch', async () => {
    const created = await wb.client.call('createRun', { name: 'to cancel', config: { ...TINY, limit: 2048, ngf: 4, ndf: 4, epochs: 3 } });
    const run = useRunStore();
    await run.open(created.id);
    await run.start();
    await eventually(() => run.running && run.metrics.length > 0);
    await run.cancel();
    await eventually(() => run.detail?.status === 'cancelled');
    expect(run.detail!.error!.message).toBe('from the workbench');
    expect(run.detail!.finishedAt).not.toBeNull();
    expect(run.canResume).toBe(true);
  });

  it('follows a tiny run live from start to completion through events', async () => {
    const created = await wb.client.call('createRun', { name: 'live', config: { ...TINY, epochs: 2 } });
    const run = useRunStore();
    await run.open(created.id);
    expect(run.canStart).toBe(true);
    expect(run.epochs).toEqual([]);

    await run.start();
    expect(run.actionError).toBeNull();
    await eventually(() => run.detail?.status === 'completed' && run.epochs.length === 2 && run.gridEpoch === 2 && !!run.grids[2]);

    // 128 images / batch 32 = 4 iterations per epoch, all reported live.
    expect(run.metrics.map((m) => m.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(run.totalIterations).toBe(8);
    expect(run.fraction).toBe(1);
    expect(Object.values(run.curves.series).map((c) => c.label)).toEqual(['Loss_D', 'Loss_G', 'D(x)', 'D(G(z))']);
    expect(run.curves.x).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(run.curves.series.lossD.values).every((v) => typeof v === 'number')).toBe(true);
    expect(run.curves.boundaries).toEqual([{ x: 4.5, epoch: 2 }]);
    expect(Buffer.from(run.grids[2], 'base64').subarray(1, 4).toString()).toBe('PNG');

    // What a fresh open reads back equals what arrived live.
    const live = run.metrics;
    await run.open(created.id);
    expect(run.metrics).toEqual(live);
    expect(run.gridEpoch).toBe(2);
    await run.showGrid(1);
    expect(run.followLatest).toBe(false);
    expect(Buffer.from(run.grids[1], 'base64').subarray(1, 4).toString()).toBe('PNG');

    await run.resume();
    expect(run.actionError).toMatch(/already completed/);
  });

  it('shows a missing run as an error in words', async () => {
    const run = useRunStore();
    await run.open(4242);
    expect(run.error).toBe('run 4242 does not exist');
    expect(run.detail).toBeNull();
  });
});
