import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ApiEvent, EpochSummary, MetricRow, RunDetail } from '../../../shared/api.js';
import { isFinishedStatus } from '../../../shared/types.js';
import { ApiCallError, describeError } from '../api/errors.js';
import { runCurves, type RunCurves } from '../logic/curves.js';
import { estimateEta, type ProgressSample } from '../logic/eta.js';
import { useApi } from './api.js';

/** One run, live: its detail, per-iteration metrics as they arrive, grids per epoch. */
export const useRunStore = defineStore('run', () => {
  const api = useApi();
  const id = ref<number | null>(null);
  const detail = shallowRef<RunDetail | null>(null);
  const metrics = shallowRef<MetricRow[]>([]);
  const samples = shallowRef<ProgressSample[]>([]);
  const batchesPerEpoch = ref<number | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  /** The run does not exist (a bad address, or deleted): a not-found page, not a load error. */
  const missing = ref(false);
  const actionError = ref<string | null>(null);
  const busy = ref<'cancel' | 'resume' | 'start' | null>(null);
  const gridEpoch = ref<number | null>(null);
  /** Follow the newest epoch's grid until the user picks another one. */
  const followLatest = ref(true);
  const grids = ref<Record<number, string>>({});
  const gridError = ref<string | null>(null);
  let loadSeq = 0;

  const epochs = computed<EpochSummary[]>(() => detail.value?.epochs ?? []);
  const totalEpochs = computed(() => detail.value?.config.epochs ?? 0);
  const running = computed(() => detail.value?.status === 'running');
  /** A run made before the router checked this cannot take a single step: no start or resume is offered. */
  const untrainable = computed(() => {
    const d = detail.value;
    if (!d || d.trainingImages === null || d.trainingImages >= d.config.batchSize) return null;
    return `it trains on ${d.trainingImages.toLocaleString('en-US')} images, fewer than one batch of ${d.config.batchSize}; make a new run with a smaller batch or more images`;
  });
  const canResume = computed(() => {
    const s = detail.value?.status;
    return untrainable.value === null && (s === 'cancelled' || s === 'interrupted' || s === 'failed');
  });
  const canStart = computed(() => untrainable.value === null && detail.value?.status === 'queued');
  const perEpoch = computed(() => {
    if (batchesPerEpoch.value) return batchesPerEpoch.value;
    const e = epochs.value.find((x) => x.iterations);
    return e?.iterations ?? null;
  });
  const totalIterations = computed(() => (perEpoch.value ? perEpoch.value * totalEpochs.value : 0));
  const eta = computed(() => estimateEta(samples.value, totalIterations.value));
  const lastIteration = computed(() => metrics.value[metrics.value.length - 1]?.iteration ?? 0);
  const fraction = computed(() => {
    if (detail.value?.status === 'completed') return 1;
    if (totalIterations.value > 0) return Math.min(1, lastIteration.value / totalIterations.value);
    return totalEpochs.value > 0 ? epochs.value.length / totalEpochs.value : 0;
  });

  /** Per-iteration curves, aligned for the charts, with the epochs' boundaries. */
  const curves = computed<RunCurves>(() => runCurves(metrics.value));

  function applyEvent(e: ApiEvent): void {
    if (id.value === null) return;
    if (e.type === 'runState' && e.run.id === id.value && detail.value) {
      detail.value = { ...detail.value, ...e.run };
      if (isFinishedStatus(e.run.status)) samples.value = [];
    } else if (e.type === 'progress' && e.runId === id.value) {
      batchesPerEpoch.value = e.batches;
      const last = lastIteration.value;
      const fresh = e.metrics.filter((m) => m.iteration > last);
      if (fresh.length > 0) {
        metrics.value = [...metrics.value, ...fresh];
        samples.value = [...samples.value, { at: Date.now(), iteration: fresh[fresh.length - 1].iteration }];
      }
    } else if (e.type === 'epochDone' && e.runId === id.value && detail.value) {
      const others = detail.value.epochs.filter((x) => x.epoch !== e.epoch.epoch);
      detail.value = {
        ...detail.value,
        epochs: [...others, e.epoch].sort((a, b) => a.epoch - b.epoch),
        epochsCompleted: Math.max(detail.value.epochsCompleted, e.epoch.epoch),
      };
      if (followLatest.value) void showGrid(e.epoch.epoch, false);
    }
  }
  api.onEvent(applyEvent);

  async function open(runId: number): Promise<void> {
    const seq = ++loadSeq;
    id.value = runId;
    detail.value = null;
    metrics.value = [];
    samples.value = [];
    batchesPerEpoch.value = null;
    grids.value = {};
    gridEpoch.value = null;
    followLatest.value = true;
    error.value = null;
    missing.value = false;
    actionError.value = null;
    loading.value = true;
    try {
      const [d, m] = await Promise.all([api.call('getRun', { id: runId }), api.call('getMetrics', { id: runId })]);
      if (seq !== loadSeq) return;
      detail.value = d;
      // Progress events that arrived while loading are already in `metrics`; keep the union.
      const seen = new Set(m.map((r) => r.iteration));
      metrics.value = [...m, ...metrics.value.filter((r) => !seen.has(r.iteration))].sort((a, b) => a.iteration - b.iteration);
      const latest = d.epochs[d.epochs.length - 1];
      if (latest) await showGrid(latest.epoch, false);
    } catch (err) {
      if (seq === loadSeq) {
        error.value = describeError(err);
        missing.value = err instanceof ApiCallError && err.code === 'not_found';
      }
    } finally {
      if (seq === loadSeq) loading.value = false;
    }
  }

  async function showGrid(epoch: number, chosenByUser = true): Promise<void> {
    if (id.value === null) return;
    if (chosenByUser) followLatest.value = epoch === epochs.value[epochs.value.length - 1]?.epoch;
    gridEpoch.value = epoch;
    if (grids.value[epoch]) return;
    const runId = id.value;
    try {
      const g = await api.call('getGrid', { id: runId, epoch });
      if (id.value === runId) grids.value = { ...grids.value, [epoch]: g.pngBase64 };
      gridError.value = null;
    } catch (err) {
      gridError.value = describeError(err);
    }
  }

  async function act(kind: 'cancel' | 'resume' | 'start'): Promise<void> {
    if (id.value === null) return;
    busy.value = kind;
    actionError.value = null;
    try {
      const runId = id.value;
      const run =
        kind === 'cancel'
          ? await api.call('cancelRun', { id: runId, reason: 'from the workbench' })
          : await api.call(kind === 'resume' ? 'resumeRun' : 'startRun', { id: runId });
      if (detail.value && run.id === detail.value.id) detail.value = { ...detail.value, ...run };
      if (kind !== 'cancel') samples.value = [];
    } catch (err) {
      actionError.value = describeError(err);
    } finally {
      busy.value = null;
    }
  }

  /** Name, notes and tags, edited on the Run page. */
  async function update(patch: { name?: string; notes?: string; tags?: string[] }): Promise<void> {
    if (id.value === null) return;
    const run = await api.call('updateRun', { id: id.value, ...patch });
    if (detail.value && run.id === detail.value.id) detail.value = { ...detail.value, ...run };
  }

  return {
    id,
    detail,
    metrics,
    epochs,
    loading,
    error,
    missing,
    actionError,
    busy,
    gridEpoch,
    grids,
    gridError,
    followLatest,
    running,
    canResume,
    canStart,
    untrainable,
    totalEpochs,
    totalIterations,
    lastIteration,
    eta,
    fraction,
    curves,
    open,
    showGrid,
    update,
    cancel: () => act('cancel'),
    resume: () => act('resume'),
    start: () => act('start'),
    applyEvent,
  };
});
