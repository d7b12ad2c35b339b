import type { RunListItem } from '../../../shared/api.js';

export const RUN_SORT_KEYS = ['id', 'name', 'status', 'epochs', 'bestEpoch', 'flags', 'fid', 'digits', 'created'] as const;
export type RunSortKey = (typeof RUN_SORT_KEYS)[number];
/** The words of aria-sort, so the header can say how the table is sorted. */
export type SortDirection = 'ascending' | 'descending';
export interface RunSort {
  key: RunSortKey;
  direction: SortDirection;
}

/** Newest first, as the list has always opened. */
export const DEFAULT_RUN_SORT: RunSort = { key: 'id', direction: 'descending' };

/** null: the run has no value there (never explained, never assessed); such rows sort last either way. */
export function sortValue(r: RunListItem, key: RunSortKey): number | string | null {
  switch (key) {
    case 'id':
      return r.id;
    case 'name':
      return r.name.toLocaleLowerCase();
    case 'status':
      return r.status;
    case 'epochs':
      return r.epochsCompleted;
    case 'bestEpoch':
      return r.bestEpoch?.epoch ?? null;
    case 'flags':
      return r.flags?.flagged ?? null;
    case 'fid':
      return r.quality?.fidMnist ?? null;
    case 'digits':
      return r.quality?.digitsPresent ?? null;
    case 'created':
      return r.createdAt;
  }
}

export function sortRuns(runs: readonly RunListItem[], sort: RunSort): RunListItem[] {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return [...runs].sort((a, b) => {
    const va = sortValue(a, sort.key);
    const vb = sortValue(b, sort.key);
    if (va === null || vb === null) return va === vb ? b.id - a.id : va === null ? 1 : -1;
    const order = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    // Ties keep the newest first, so the order never depends on the previous sort.
    return order === 0 ? b.id - a.id : sign * order;
  });
}

/** A click on a column: sort by it ascending, or flip it when it already sorts the table. */
export function nextSort(current: RunSort, key: RunSortKey): RunSort {
  if (current.key !== key) return { key, direction: 'ascending' };
  return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
}
