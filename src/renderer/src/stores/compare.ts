import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { CompareResult, ExplanationGrid, JobInfo, MetricRow, RunDetail } from '../../../shared/api.js';
import { describeError } from '../api/errors.js';
import type { Series } from '../logic/chart.js';
import { overlayCurves, type OverlayCurves } from '../logic/curves.js';
import { qualityGroups, type QualityGroup, type QualityMetric } from '../logic/quality-bands.js';
import { useApi } from './api.js';
import { useSelectionStore } from './selection.js';

export const MAX_COMPARED = 8;
export interface LineageNode {
  id: number;
  name: string;
  parentId: number | null;
  excludedCount: number;
  /** How many of its ancestors are among the compared runs (for indentation). */
  depth: number;
}

/** Compare: two or more runs side by side under the shared explain selection, from one compareRuns answer plus each run's probe grid. */
export const useCompareStore = defineStore('compare', () => {
  const api = useApi();
  const ids = ref<number[]>([]);
  const result = shallowRef<CompareResult | null>(null);
  const grids = shallowRef<Record<number, ExplanationGrid | null>>({});
  const epoch = ref<number | null>(null);
  /** Per-iteration metrics by run, loaded after the comparison itself. */
  const metrics = shallowRef<Record<number, MetricRow[]>>({});
  const loading = ref(false);
  const error = ref<string | null>(null);
  /** G-quality jobs started from this view, by run. */
  const qualityJobs = ref<Record<number, JobInfo>>({});
  const qualityError = ref<string | null>(null);
  const selection = useSelectionStore();
  let seq = 0;

  api.onEvent((e) => {
    if (e.type !== 'job' || e.job.kind !== 'quality' || !(e.job.runId in qualityJobs.value)) return;
    qualityJobs.value = { ...qualityJobs.value, [e.job.runId]: e.job };
    if (e.job.status !== 'running' && Object.values(qualityJobs.value).every((j) => j.status !== 'running')) void refreshInsight();
  });

  const runs = computed<RunDetail[]>(() => result.value?.runs ?? []);
  const label = (r: RunDetail) => `#${r.id} ${r.name}`;
  const perRun = (points: (r: RunDetail) => Series['points']): Series[] =>
    runs.value.map((r) => ({ id: String(r.id), label: label(r), points: points(r) }));

  const flagRateSeries = computed(() =>
    perRun((r) => (result.value?.flagRates ?? []).filter((f) => f.runId === r.id).map((f) => ({ x: f.epoch, y: f.flagRate }))),
  );
  /** Every run's per-iteration curves overlaid; a run keeps its position's colour. */
  const iterationCurves = computed<OverlayCurves>(() =>
    overlayCurves(runs.value.map((r, i) => ({ id: r.id, label: label(r), color: i, rows: metrics.value[r.id] ?? [] }))),
  );
  /** Per-epoch G quality, runs that differ only by seed grouped into a band. */
  const qualityBands = (metric: QualityMetric): QualityGroup[] =>
    qualityGroups(
      runs.value.map((r, i) => ({ id: r.id, name: r.name, color: i, config: r.config, quality: result.value?.quality.find((q) => q.runId === r.id)?.rows ?? [] })),
      metric,
    );
  const fidBands = computed(() => qualityBands('fidMnist'));
  const digitBands = computed(() => qualityBands('digitsPresent'));
  const hasFocus = computed(() => (result.value?.flagRates.length ?? 0) > 0);
  const hasQuality = computed(() => result.value?.quality.some((q) => q.rows.length > 0) ?? false);

  const lineage = computed<LineageNode[]>(() => {
    const byId = new Map(runs.value.map((r) => [r.id, r]));
    return (result.value?.lineage ?? []).map((l) => {
      let depth = 0;
      for (let p = l.parentId; p !== null && byId.has(p) && depth < byId.size; p = byId.get(p)!.parentId) depth++;
      return { ...l, name: byId.get(l.id)?.name ?? `run ${l.id}`, depth };
    });
  });

  /** Epochs every compared run has finished, so the CAM columns line up. */
  const commonEpochs = computed(() => {
    if (runs.value.length === 0) return [];
    const sets = runs.value.map((r) => new Set(r.epochs.map((e) => e.epoch)));
    return [...sets[0]].filter((e) => sets.every((s) => s.has(e))).sort((a, b) => a - b);
  });

  async function open(list: number[]): Promise<void> {
    const mine = ++seq;
    ids.value = [...new Set(list)].slice(0, MAX_COMPARED);
    result.value = null;
    grids.value = {};
    metrics.value = {};
    error.value = null;
    qualityJobs.value = {};
    qualityError.value = null;
    if (ids.value.length < 2) return;
    loading.value = true;
    try {
      const r = await api.call('compareRuns', { ids: ids.value, ...selection.params });
      if (mine !== seq) return;
      result.value = r;
      const common = commonEpochs.value;
      epoch.value = common.length ? common[common.length - 1] : null;
    } catch (err) {
      if (mine === seq) error.value = describeError(err);
      return;
    } finally {
      if (mine === seq) loading.value = false;
    }
    await Promise.all([loadGrids(mine), loadMetrics(mine)]);
  }

  async function loadMetrics(mine: number): Promise<void> {
    const out: Record<number, MetricRow[]> = {};
    await Promise.all(
      runs.value.map(async (r) => {
        try {
          out[r.id] = await api.call('getMetrics', { id: r.id });
        } catch {
          // A run deleted meanwhile draws no curve; the rest of the comparison stands.
          out[r.id] = [];
        }
      }),
    );
    if (mine === seq) metrics.value = out;
  }

  watch(
    () => selection.key,
    async () => {
      if (ids.value.length < 2 || !result.value) return;
      const mine = ++seq;
      await refreshInsight();
      await loadGrids(mine);
    },
  );

  async function refreshInsight(): Promise<void> {
    if (ids.value.length < 2) return;
    try {
      result.value = await api.call('compareRuns', { ids: ids.value, ...selection.params });
    } catch (err) {
      error.value = describeError(err);
    }
  }

  /** Measures G quality (class coverage, FID to MNIST) for every compared run that has none yet; long work, shown as jobs. */
  async function assessQuality(): Promise<void> {
    qualityError.value = null;
    const missing = runs.value.filter((r) => !result.value?.quality.find((q) => q.runId === r.id)?.rows.length);
    for (const r of missing) {
      try {
        const job = await api.call('assessQuality', { id: r.id });
        qualityJobs.value = { ...qualityJobs.value, [r.id]: job };
      } catch (err) {
        qualityError.value = `run #${r.id}: ${describeError(err)}`;
      }
    }
  }

  /** Each run's probe grid; the view shows the chosen epoch's column of each side by side. */
  async function loadGrids(mine: number): Promise<void> {
    const out: Record<number, ExplanationGrid | null> = {};
    await Promise.all(
      runs.value.map(async (r) => {
        try {
          out[r.id] = await api.call('getExplanationGrid', { id: r.id, ...selection.params });
        } catch {
          // A run that cannot be explained (e.g. never started) shows an empty column.
          out[r.id] = null;
        }
      }),
    );
    if (mine === seq) grids.value = out;
  }

  return {
    ids,
    result,
    runs,
    grids,
    epoch,
    loading,
    error,
    lineage,
    commonEpochs,
    flagRateSeries,
    hasFocus,
    hasQuality,
    qualityJobs,
    qualityError,
    metrics,
    iterationCurves,
    fidBands,
    digitBands,
    open,
    assessQuality,
    setEpoch: (e: number) => (epoch.value = e),
  };
});
