import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { RunListItem, RunSummary } from '../../../shared/api.js';
import type { RunStatus } from '../../../shared/types.js';
import { describeError } from '../api/errors.js';
import { DEFAULT_RUN_SORT, nextSort, sortRuns, type RunSort, type RunSortKey } from '../logic/run-sort.js';
import { splitTags } from '../logic/format.js';
import { useApi } from './api.js';

export type { RunListItem };

export interface RunFilters {
  search: string;
  status: RunStatus | '';
  tag: string;
}

export function matchesFilters(run: RunSummary, f: RunFilters): boolean {
  if (f.status && run.status !== f.status) return false;
  if (f.tag && !run.tags.includes(f.tag)) return false;
  const q = f.search.trim().toLowerCase();
  if (!q) return true;
  const haystack = [String(run.id), run.name, run.notes, run.backend ?? '', run.datasetId ?? '', ...run.tags].join('\n').toLowerCase();
  return q.split(/\s+/).every((word) => haystack.includes(word));
}

/** The runs table: every run, filtered here so typing in the search box answers at once. */
export const useRunsStore = defineStore('runs', () => {
  const api = useApi();
  const runs = shallowRef<RunListItem[]>([]);
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  const filters = ref<RunFilters>({ search: '', status: '', tag: '' });

  const sort = ref<RunSort>({ ...DEFAULT_RUN_SORT });
  const filtered = computed(() => sortRuns(runs.value.filter((r) => matchesFilters(r, filters.value)), sort.value));
  const allTags = computed(() => [...new Set(runs.value.flatMap((r) => r.tags))].sort());

  function upsert(run: RunSummary): void {
    const i = runs.value.findIndex((r) => r.id === run.id);
    // A state event carries the run without its explain columns: keep the ones known.
    runs.value = i < 0 ? [{ ...run, bestEpoch: null, flagCount: null, flags: null, trainingImages: null, quality: null }, ...runs.value] : runs.value.map((r) => (r.id === run.id ? { ...r, ...run } : r));
  }

  api.onEvent((e) => {
    if (e.type === 'runState') upsert(e.run);
  });

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      const list = await api.call('listRuns', {});
      runs.value = [...list].sort((a, b) => b.id - a.id);
      error.value = null;
      loaded.value = true;
    } catch (err) {
      error.value = describeError(err);
    } finally {
      loading.value = false;
    }
  }

  async function update(id: number, patch: { name?: string; notes?: string; tags?: string[] }): Promise<RunSummary> {
    const run = await api.call('updateRun', { id, ...patch });
    upsert(run);
    return run;
  }

  /** Deletes a run; the runs derived from it stay, without the link (their notes say where they came from). */
  async function remove(id: number): Promise<void> {
    const { detached } = await api.call('deleteRun', { id });
    runs.value = runs.value.filter((r) => r.id !== id);
    if (detached.length) await refresh();
  }

  /** The runs derived from this one, named in the delete dialog. */
  const childrenOf = (id: number) => runs.value.filter((r) => r.parentId === id);

  async function duplicate(id: number): Promise<RunSummary> {
    const run = await api.call('duplicateRun', { id });
    upsert(run);
    return run;
  }

  return {
    runs,
    loading,
    loaded,
    error,
    filters,
    filtered,
    sort,
    sortBy: (key: RunSortKey) => (sort.value = nextSort(sort.value, key)),
    allTags,
    refresh,
    rename: (id: number, name: string) => update(id, { name: name.trim() }),
    setNotes: (id: number, notes: string) => update(id, { notes }),
    setTags: (id: number, tags: string[]) => update(id, { tags: splitTags(tags.join(',')) }),
    childrenOf,
    remove,
    duplicate,
    byId: (id: number) => runs.value.find((r) => r.id === id),
  };
});
