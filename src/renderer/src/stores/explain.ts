import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ExplanationGrid, FocusSummaryResult, GridCell, JobInfo } from '../../../shared/api.js';
import { CAM_METHODS, DEFAULT_CAM_METHOD, type CamMethod } from '../../../shared/explain.js';
import { describeError } from '../api/errors.js';
import { useApi } from './api.js';

/**
 * The Explain view: the Figure-1 grid (probe samples x epochs) of one run for
 * one CAM choice, the focus summary per epoch, and the best-epoch decision.
 */
export const useExplainStore = defineStore('explain', () => {
  const api = useApi();
  const id = ref<number | null>(null);
  const grid = shallowRef<ExplanationGrid | null>(null);
  const focus = shallowRef<FocusSummaryResult | null>(null);
  /** Empty: the router's default layer. */
  const layers = ref<string[]>([]);
  const method = ref<CamMethod>(DEFAULT_CAM_METHOD);
  const opacity = ref(0.6);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const job = shallowRef<JobInfo | null>(null);
  const jobError = ref<string | null>(null);
  const confirming = ref(false);
  const confirmError = ref<string | null>(null);
  let seq = 0;

  const cellIndex = computed(() => {
    const m = new Map<string, GridCell>();
    for (const c of grid.value?.cells ?? []) m.set(`${c.position}:${c.epoch}`, c);
    return m;
  });
  const epochs = computed(() => grid.value?.epochs ?? []);
  const recommended = computed(() => focus.value?.recommendation.epoch ?? null);
  const confirmed = computed(() => focus.value?.confirmed?.confirmed ?? null);
  const jobRunning = computed(() => job.value?.status === 'running');
  const choice = () => ({ ...(layers.value.length ? { layers: layers.value } : {}), method: method.value });

  api.onEvent((e) => {
    if (e.type !== 'job' || e.job.runId !== id.value || e.job.kind !== 'explain') return;
    const wasRunning = job.value?.status === 'running';
    job.value = e.job;
    if (wasRunning && e.job.status !== 'running') void reload();
  });

  async function reload(): Promise<void> {
    if (id.value === null) return;
    const mine = ++seq;
    const runId = id.value;
    loading.value = true;
    try {
      const [g, f] = await Promise.all([
        api.call('getExplanationGrid', { id: runId, ...choice() }),
        api.call('getFocusSummary', { id: runId, ...choice() }),
      ]);
      if (mine !== seq) return;
      grid.value = g;
      focus.value = f;
      if (!layers.value.length) layers.value = g.layers;
      error.value = null;
    } catch (err) {
      if (mine !== seq) return;
      error.value = describeError(err);
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  async function open(runId: number): Promise<void> {
    id.value = runId;
    grid.value = null;
    focus.value = null;
    layers.value = [];
    job.value = null;
    error.value = null;
    await reload();
    try {
      const jobs = await api.call('listJobs', {});
      job.value = jobs.find((j) => j.runId === runId && j.kind === 'explain' && j.status === 'running') ?? null;
    } catch {
      // The job list only adds a progress bar; the grid works without it.
    }
  }

  function setLayer(name: string): Promise<void> {
    layers.value = [name];
    return reload();
  }

  function setMethod(m: string): Promise<void> {
    if ((CAM_METHODS as readonly string[]).includes(m)) method.value = m as CamMethod;
    return reload();
  }

  /** Starts explaining every finished epoch on the probes; progress arrives as job events. */
  async function explainEpochs(): Promise<void> {
    if (id.value === null) return;
    jobError.value = null;
    try {
      job.value = await api.call('explain', { id: id.value, samples: 'probe', ...choice() });
    } catch (err) {
      jobError.value = describeError(err);
    }
  }

  async function cancelJob(): Promise<void> {
    if (!job.value) return;
    try {
      job.value = await api.call('cancelJob', { jobId: job.value.jobId });
    } catch (err) {
      jobError.value = describeError(err);
    }
  }

  async function confirmBest(epoch: number, note?: string): Promise<void> {
    if (id.value === null) return;
    confirming.value = true;
    confirmError.value = null;
    try {
      const c = await api.call('confirmBestEpoch', { id: id.value, epoch, ...(note ? { note } : {}) });
      if (focus.value) focus.value = { ...focus.value, confirmed: c };
    } catch (err) {
      confirmError.value = describeError(err);
    } finally {
      confirming.value = false;
    }
  }

  return {
    id,
    grid,
    focus,
    layers,
    method,
    methods: CAM_METHODS,
    opacity,
    loading,
    error,
    job,
    jobError,
    jobRunning,
    confirming,
    confirmError,
    epochs,
    recommended,
    confirmed,
    cell: (position: number, epoch: number) => cellIndex.value.get(`${position}:${epoch}`) ?? null,
    open,
    reload,
    setLayer,
    setMethod,
    explainEpochs,
    cancelJob,
    confirmBest,
  };
});
