import { describe, expect, it } from 'vitest';
import type { RunListItem } from '../../../src/shared/api.js';
import { presetConfig } from '../../../src/shared/config.js';
import { endedLabel, splitTags, trainingImagesText } from '../../../src/renderer/src/logic/format.js';
import { DEFAULT_RUN_SORT, nextSort, sortRuns } from '../../../src/renderer/src/logic/run-sort.js';

function row(id: number, patch: Partial<RunListItem> = {}): RunListItem {
  return {
    id,
    name: `run-${id}`,
    status: 'completed',
    config: presetConfig('quick'),
    datasetId: 'mnist-train',
    parentId: null,
    excluded: [],
    backend: 'wasm',
    hostPid: null,
    createdAt: `2025-01-0${id}T00:00:00.000Z`,
    startedAt: null,
    finishedAt: null,
    notes: '',
    tags: [],
    error: null,
    epochsCompleted: 10,
    bestEpoch: null,
    flagCount: null,
    flags: null,
    trainingImages: 6400,
    quality: null,
    ...patch,
  };
}

const q = (fidMnist: number, digitsPresent: number) => ({ epoch: 10, count: 1000, classCounts: [], digitsPresent, meanConfidence: 0.9, fidMnist });
const flags = (flagged: number) => ({ epoch: 4, flagged, total: 6400, confirmed: 0 });
const ids = (runs: RunListItem[]) => runs.map((r) => r.id);

describe('runs table sorting', () => {
  const runs = [
    row(1, { name: 'beta', flags: flags(45), quality: q(120.5, 7) }),
    row(2, { name: 'Alpha', quality: q(80.25, 9) }),
    row(3, { name: 'gamma', flags: flags(3), quality: q(300, 2) }),
    row(4, { name: 'delta', flags: flags(45) }),
  ];

  it('opens newest first', () => {
    expect(ids(sortRuns(runs, DEFAULT_RUN_SORT))).toEqual([4, 3, 2, 1]);
  });

  it('sorts numbers as numbers and names without regard to case, both ways', () => {
    expect(ids(sortRuns(runs, { key: 'fid', direction: 'ascending' }))).toEqual([2, 1, 3, 4]);
    expect(ids(sortRuns(runs, { key: 'digits', direction: 'descending' }))).toEqual([2, 1, 3, 4]);
    expect(ids(sortRuns(runs, { key: 'name', direction: 'ascending' }))).toEqual([2, 1, 4, 3]);
  });

  it('puts runs without a value last in either direction, and breaks ties newest first', () => {
    expect(ids(sortRuns(runs, { key: 'flags', direction: 'descending' }))).toEqual([4, 1, 3, 2]);
    expect(ids(sortRuns(runs, { key: 'flags', direction: 'ascending' }))).toEqual([3, 4, 1, 2]);
    expect(ids(sortRuns(runs, { key: 'fid', direction: 'descending' }))).toEqual([3, 1, 2, 4]);
  });

  it('a click sorts a new column ascending and flips the current one', () => {
    expect(nextSort(DEFAULT_RUN_SORT, 'fid')).toEqual({ key: 'fid', direction: 'ascending' });
    expect(nextSort({ key: 'fid', direction: 'ascending' }, 'fid')).toEqual({ key: 'fid', direction: 'descending' });
    expect(nextSort(DEFAULT_RUN_SORT, 'id')).toEqual({ key: 'id', direction: 'ascending' });
  });
});

describe('training images in words', () => {
  it('shows what a run trains on, and where exclusions take it from', () => {
    expect(trainingImagesText({ limit: 1024, excluded: [] }, 1024)).toBe('1,024 images');
    expect(trainingImagesText({ limit: 1024, excluded: ['a', 'b', 'c', 'd', 'e'] }, 1019)).toBe('1,019 images (1,024 images minus 5 excluded)');
    expect(trainingImagesText({ limit: null, excluded: ['a'] }, 59_999)).toBe('59,999 images (all images minus 1 excluded)');
    expect(trainingImagesText({ limit: 1024, excluded: ['a'] }, null)).toBe('1,024 images minus 1 excluded');
  });
});

describe('run states in words', () => {
  it('only a completed run "finished"; cancelled, interrupted and failed runs say so', () => {
    const at = '2025-12-02T10:30:00.000Z';
    expect(endedLabel({ status: 'completed', finishedAt: at })).toBe('finished 2025-12-02 10:30');
    expect(endedLabel({ status: 'cancelled', finishedAt: at })).toBe('cancelled 2025-12-02 10:30');
    expect(endedLabel({ status: 'interrupted', finishedAt: at })).toBe('interrupted 2025-12-02 10:30');
    expect(endedLabel({ status: 'failed', finishedAt: at })).toBe('failed 2025-12-02 10:30');
    expect(endedLabel({ status: 'running', finishedAt: null })).toBeNull();
  });

  it('splits typed tags on commas', () => {
    expect(splitTags('cpu, tiny')).toEqual(['cpu', 'tiny']);
    expect(splitTags(' cpu,,tiny ,cpu, ')).toEqual(['cpu', 'tiny']);
    expect(splitTags('')).toEqual([]);
  });
});
