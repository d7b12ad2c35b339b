import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { CompareResult, ExplanationGrid, RunDetail } from '../../../shared/api.js';
import { describeError, isUnavailable } from '../api/errors.js';
import type { Series } from '../logic/chart.js';
import { configDiff } from '../logic/config-diff.js';
import { useApi } from './api.js';

export const MAX_COMPARED = 8;
export const EPOCH_METRICS = [
  { id: 'lossD', label: 'Loss_D' },
  { id: 'lossG', label: 'Loss_G' },
  { id: 'dx', label: 'D(x)' },
  { id: 'dgz', label: 'D(G(z))' },
] as const;

export interface LineageNode {
  id: number;
  name: string;
  parentId: number | null;
  excludedCount: number;
  /** How many ancestors among the compared runs. */
  depth: number;
}

/**
 * Compare: runs side by side. Curves, config diff and lineage come from the
 * runs themselves; focus, flag rates, G quality and CAM grids come from the
 * explain methods, and show "not available" where the server lacks them.
 */
export const useCompareStore = defineStore('compare', () => {
  const api = useApi();
  const ids = ref<number[]>([]);
  const runs = shallowRef<RunDetail[]>([]);
  const insight = shallowRef<CompareResult | null>(null);
  const insightUnavailable = ref(false);
  const insightError = ref<string | null>(null);
  const grids = shallowRef<Record<number, ExplanationGrid | null>>({});
  const gridsUnavailable = ref(false);
  const epoch = ref<number | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let seq = 0;

  const diff = computed(() => configDiff(runs.value.map((r) => r.config)));
  const label = (r: RunDetail) => `#${r.id} ${r.name}`;

  /** Epoch-level curves of one metric, one series per run. */
  function metricSeries(metric: (typeof EPOCH_METRICS)[number]['id']): Series[] {
    return runs.value.map((r) => ({ id: String(r.id), label: label(r), points: r.epochs.map((e) => ({ x: e.epoch, y: e[metric] })) }));
  }

  const flagRateSeries = computed<Series[]>(() =>
    runs.value.map((r) => ({
      id: String(r.id),
      label: label(r),
      points: (insight.value?.flagRates ?? []).filter((f) => f.runId === r.id).map((f) => ({ x: f.epoch, y: f.flagRate })),
    })),
  );

  const qualitySeries = computed<Series[]>(() =>
    runs.value.map((r) => ({
      id: String(r.id),
      label: label(r),
      points: (insight.value?.quality.find((q) => q.runId === r.id)?.rows ?? []).map((q) => ({ x: q.epoch, y: q.fidMnist })),
    })),
  );

  const lineage = computed<LineageNode[]>(() => {
    const byId = new Map(runs.value.map((r) => [r.id, r]));
    const depth = (r: RunDetail): number => {
      let d = 0;
      for (let p = r.parentId; p !== null && byId.has(p) && d < runs.value.length; p = byId.get(p)!.parentId) d++;
      return d;
    };
    return runs.value.map((r) => ({ id: r.id, name: r.name, parentId: r.parentId, excludedCount: r.excluded.length, depth: depth(r) }));
  });

  /** Epochs every compared run has finished, so grids line up. */
  const commonEpochs = computed(() => {
    if (runs.value.length === 0) return [];
    const sets = runs.value.map((r) => new Set(r.epochs.map((e) => e.epoch)));
    return [...sets[0]].filter((e) => sets.every((s) => s.has(e))).sort((a, b) => a - b);
  });

  async function open(list: number[]): Promise<void> {
    const mine = ++seq;
    ids.value = list.slice(0, MAX_COMPARED);
    runs.value = [];
    insight.value = null;
    grids.value = {};
    error.value = null;
    insightError.value = null;
    insightUnavailable.value = false;
    if (ids.value.length === 0) return;
    loading.value = true;
    try {
      const got = await Promise.all(ids.value.map((id) => api.call('getRun', { id })));
      if (mine !== seq) return;
      runs.value = got;
      const common = commonEpochs.value;
      epoch.value = common.length ? common[common.length - 1] : null;
    } catch (err) {
      if (mine === seq) error.value = describeError(err);
      return;
    } finally {
      if (mine === seq) loading.value = false;
    }
    await Promise.all([loadInsight(mine), loadGrids()]);
  }

  async function loadInsight(mine: number): Promise<void> {
    if (ids.value.length < 2) return;
    try {
      const r = await api.call('compareRuns', { ids: ids.value });
      if (mine === seq) insight.value = r;
    } catch (err) {
      if (mine !== seq) return;
      if (isUnavailable(err)) insightUnavailable.value = true;
      else insightError.value = describeError(err);
    }
  }

  /** Each run's probe grid; the view shows the chosen epoch's column side by side. */
  async function loadGrids(): Promise<void> {
    const mine = seq;
    const out: Record<number, ExplanationGrid | null> = {};
    await Promise.all(
      runs.value.map(async (r) => {
        try {
          out[r.id] = await api.call('getExplanationGrid', { id: r.id });
        } catch (err) {
          if (isUnavailable(err)) gridsUnavailable.value = true;
          out[r.id] = null;
        }
      }),
    );
    if (mine === seq) grids.value = out;
  }

  return {
    ids,
    runs,
    insight,
    insightUnavailable,
    insightError,
    grids,
    gridsUnavailable,
    epoch,
    loading,
    error,
    diff,
    lineage,
    commonEpochs,
    flagRateSeries,
    qualitySeries,
    metricSeries,
    open,
    setEpoch: (e: number) => (epoch.value = e),
  };
});
