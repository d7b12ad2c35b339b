import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { ExplanationGrid, ExplanationSettings, FocusSummaryResult, GridCell, JobInfo } from '../../../shared/api.js';
import { describeError } from '../api/errors.js';
import { useApi } from './api.js';
import { useSelectionStore } from './selection.js';

/**
 * The Explain view: the Figure-1 grid (probe samples x epochs) of one run for
 * the shared explain selection, the focus summary per epoch, and the best-epoch decision.
 */
export const useExplainStore = defineStore('explain', () => {
  const api = useApi();
  const id = ref<number | null>(null);
  const grid = shallowRef<ExplanationGrid | null>(null);
  const focus = shallowRef<FocusSummaryResult | null>(null);
  const selection = useSelectionStore();
  /** The settings this run has explanations for, to offer them. */
  const explained = shallowRef<ExplanationSettings[]>([]);
  /** The layers of what is shown (the run's default when none is chosen). */
  const layers = computed(() => grid.value?.layers ?? selection.selection.layers);
  const method = computed(() => selection.selection.method);
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
  const choice = () => selection.params;

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
      const [g, f, x] = await Promise.all([
        api.call('getExplanationGrid', { id: runId, ...choice() }),
        api.call('getFocusSummary', { id: runId, ...choice() }),
        api.call('listExplanationSettings', { id: runId }),
      ]);
      if (mine !== seq) return;
      grid.value = g;
      focus.value = f;
      explained.value = x;
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
    explained.value = [];
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

  watch(
    () => selection.key,
    () => void reload(),
  );

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
      const c = await api.call('confirmBestEpoch', { id: id.value, epoch, ...choice(), ...(note ? { note } : {}) });
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
    explained,
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
    explainEpochs,
    cancelJob,
    confirmBest,
  };
});
