import { disposePinia, type Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useRunsStore } from '../../../src/renderer/src/stores/runs.js';
import { useSettingsStore } from '../../../src/renderer/src/stores/settings.js';
import { ApiCallError } from '../../../src/renderer/src/api/errors.js';
import { openWorkbench, TINY, useStoresWith, type Workbench } from './helpers.js';
import { openDatabase } from '../../../src/main/store/db.js';
import { homePaths } from '../../../src/main/store/paths.js';
import { createRun } from '../../../src/main/store/runs.js';

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

const create = (name: string, tags: string[] = []) =>
  wb.client.call('createRun', { name, config: TINY }).then((r) => (tags.length ? wb.client.call('updateRun', { id: r.id, tags }) : r));

describe('runs store over the real router', () => {
  it('lists runs newest first and filters by words, status and tag', async () => {
    await create('baseline mnist', ['paper']);
    await create('narrow D', ['ablation']);
    await create('narrow G', ['ablation', 'paper']);
    const store = useRunsStore();
    await store.refresh();
    expect(store.runs.map((r) => r.name)).toEqual(['narrow G', 'narrow D', 'baseline mnist']);
    expect(store.allTags).toEqual(['ablation', 'paper']);

    store.filters.search = 'narrow';
    expect(store.filtered.map((r) => r.name)).toEqual(['narrow G', 'narrow D']);
    store.filters.tag = 'paper';
    expect(store.filtered.map((r) => r.name)).toEqual(['narrow G']);
    store.filters = { search: 'G narrow', status: '', tag: '' };
    expect(store.filtered.map((r) => r.name)).toEqual(['narrow G']);
    store.filters = { search: '', status: 'completed', tag: '' };
    expect(store.filtered).toEqual([]);
    store.filters = { search: '', status: 'queued', tag: '' };
    expect(store.filtered).toHaveLength(3);
  });

  it('renames, annotates and tags a run, and the router keeps it', async () => {
    const run = await create('first');
    const store = useRunsStore();
    await store.refresh();
    await store.rename(run.id, '  renamed  ');
    await store.setNotes(run.id, 'lr too high?');
    await store.setTags(run.id, ['a', ' b ', 'a', '']);
    expect(store.byId(run.id)).toMatchObject({ name: 'renamed', notes: 'lr too high?', tags: ['a', 'b'] });
    const stored = await wb.client.call('getRun', { id: run.id });
    expect(stored).toMatchObject({ name: 'renamed', notes: 'lr too high?', tags: ['a', 'b'] });
  });

  it('rejects an empty name with the router’s message and leaves the run as it was', async () => {
    const run = await create('keep me');
    const store = useRunsStore();
    await store.refresh();
    const err = await store.rename(run.id, '   ').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    expect((err as ApiCallError).code).toBe('bad_request');
    expect(store.byId(run.id)?.name).toBe('keep me');
  });

  it('deletes a run and duplicates one as a new queued run', async () => {
    const a = await create('a');
    const b = await create('b');
    const store = useRunsStore();
    await store.refresh();
    await store.remove(a.id);
    expect(store.runs.map((r) => r.id)).toEqual([b.id]);
    await expect(wb.client.call('getRun', { id: a.id })).rejects.toMatchObject({ code: 'not_found' });

    const copy = await store.duplicate(b.id);
    expect(copy.id).not.toBe(b.id);
    expect(copy.status).toBe('queued');
    expect(copy.config).toEqual(b.config);
    expect(store.runs.map((r) => r.id)).toEqual([copy.id, b.id]);
  });

  it('splits "cpu, tiny" into two tags, and a duplicate keeps the tags', async () => {
    const run = await create('tagged');
    const store = useRunsStore();
    await store.refresh();
    await store.setTags(run.id, ['cpu, tiny']);
    expect(store.byId(run.id)!.tags).toEqual(['cpu', 'tiny']);
    const copy = await store.duplicate(run.id);
    expect(copy).toMatchObject({ tags: ['cpu', 'tiny'], notes: `Duplicated from run #${run.id} "tagged".` });
  });

  it('deleting a parent keeps its derived runs and tells the store which', async () => {
    const parent = await create('parent');
    const db = openDatabase(homePaths(wb.home).db);
    const child = createRun(db, { name: 'child', config: TINY, parentId: parent.id, excluded: [] });
    db.close();
    const store = useRunsStore();
    await store.refresh();
    expect(store.childrenOf(parent.id).map((r) => r.name)).toEqual(['child']);
    expect(await wb.client.call('deleteRun', { id: parent.id })).toEqual({ id: parent.id, deleted: true, detached: [{ id: child.id, name: 'child' }] });
    await store.refresh();
    expect(store.byId(child.id)).toMatchObject({ parentId: null, notes: expect.stringMatching(/^Derived from run #\d+ "parent"/) });
  });

  it('picks up runs created elsewhere from runState events', async () => {
    const store = useRunsStore();
    await store.refresh();
    expect(store.runs).toEqual([]);
    const made = await create('from the CLI');
    expect(store.runs.map((r) => r.id)).toEqual([made.id]);
  });

  it('reports a failed refresh in words instead of throwing', async () => {
    const store = useRunsStore();
    wb.router.close();
    await store.refresh();
    expect(store.error).toMatch(/.+/);
    expect(store.loaded).toBe(false);
    wb = { ...wb, close: () => undefined };
  });
});

describe('settings store', () => {
  it('cycles system -> light -> dark and resolves system from the OS preference', () => {
    const s = useSettingsStore();
    expect(s.theme).toBe('system');
    s.systemDark = true;
    expect(s.effectiveTheme).toBe('dark');
    s.cycleTheme();
    expect([s.theme, s.effectiveTheme]).toEqual(['light', 'light']);
    s.cycleTheme();
    expect(s.theme).toBe('dark');
    s.cycleTheme();
    expect(s.theme).toBe('system');
    s.setTheme('purple');
    expect(s.theme).toBe('system');
  });
});
