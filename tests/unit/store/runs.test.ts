import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { recordEpoch } from '../../../src/main/store/epochs.js';
import { insertMetrics } from '../../../src/main/store/metrics.js';
import { isProcessAlive } from '../../../src/main/store/process-alive.js';
import {
  createRun,
  deleteRun,
  getRun,
  listRuns,
  markInterrupted,
  setStatus,
  updateRun,
} from '../../../src/main/store/runs.js';
import { config, sha, tempDb } from './temp-db.js';

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((done) => child.on('exit', done));
  return child.pid!;
}

const epoch = (n: number) => ({ epoch: n, lossD: 1, lossG: 2, dx: 0.5, dgz: 0.4, seconds: 3, iterations: 10, gridPath: null });

describe('runs', () => {
  it('creates a run with defaults and reads JSON columns back as typed fields', () => {
    const { db } = tempDb();
    const run = createRun(db, { config: config() });
    expect(run).toMatchObject({
      name: `run-${run.id}`,
      status: 'queued',
      config: config(),
      datasetId: null,
      parentId: null,
      excluded: [],
      backend: null,
      hostPid: null,
      startedAt: null,
      finishedAt: null,
      notes: '',
      tags: [],
      error: null,
      epochsCompleted: 0,
    });
    expect(Date.parse(run.createdAt)).not.toBeNaN();
    expect(getRun(db, run.id)).toEqual(run);
    expect(getRun(db, 12345)).toBeNull();
  });

  it('stores lineage: parent, excluded ids and dataset', () => {
    const { db } = tempDb();
    const parent = createRun(db, { name: ' base ', config: config(), datasetId: 'mnist' });
    const child = createRun(db, {
      config: { ...config(), excluded: ['mnist:3', 'mnist:7'] },
      datasetId: 'mnist',
      parentId: parent.id,
      excluded: ['mnist:3', 'mnist:7'],
    });
    expect(parent.name).toBe('base');
    expect(child).toMatchObject({ parentId: parent.id, excluded: ['mnist:3', 'mnist:7'], datasetId: 'mnist' });
    expect(child.config.excluded).toEqual(['mnist:3', 'mnist:7']);
  });

  it('refuses a bad config, an unknown parent and an unknown status with clear messages', () => {
    const { db } = tempDb();
    expect(() => createRun(db, { config: { ...config(), epochs: 0 } })).toThrow(/^run config: .*epochs/);
    expect(() => createRun(db, { config: config(), parentId: 77 })).toThrow('parent run 77 does not exist');
    expect(() => createRun(db, { config: config(), status: 'paused' as never })).toThrow('run status: unknown value "paused"');
    expect(listRuns(db)).toEqual([]);
  });

  it('updates name, notes and tags, trimming and de-duplicating tags', () => {
    const { db } = tempDb();
    const run = createRun(db, { config: config() });
    const updated = updateRun(db, run.id, { name: 'renamed', notes: 'looks at edges', tags: [' baseline', 'cpu', 'baseline'] });
    expect(updated).toMatchObject({ name: 'renamed', notes: 'looks at edges', tags: ['baseline', 'cpu'] });
    expect(updateRun(db, run.id, { notes: '' })).toMatchObject({ name: 'renamed', notes: '', tags: ['baseline', 'cpu'] });
    expect(() => updateRun(db, run.id, { name: '  ' })).toThrow('run name must not be empty');
    expect(() => updateRun(db, run.id, { tags: ['ok', ''] })).toThrow('run tags[1] must be a non-empty string');
    expect(() => updateRun(db, 999, { notes: 'x' })).toThrow('run 999 does not exist');
  });

  it('lists newest first, filtered by status, search and tag, with epochs completed', () => {
    const { db } = tempDb();
    const a = createRun(db, { name: 'alpha 100%', config: config() });
    const b = createRun(db, { name: 'beta', config: config() });
    const c = createRun(db, { name: 'gamma', config: config() });
    updateRun(db, b.id, { notes: 'the ALPHA follow-up', tags: ['keep'] });
    setStatus(db, c.id, 'running', { hostPid: process.pid });
    recordEpoch(db, a.id, epoch(1), []);
    recordEpoch(db, a.id, epoch(2), []);

    expect(listRuns(db).map((r) => r.id)).toEqual([c.id, b.id, a.id]);
    expect(listRuns(db).find((r) => r.id === a.id)?.epochsCompleted).toBe(2);
    expect(listRuns(db, { status: 'running' }).map((r) => r.id)).toEqual([c.id]);
    expect(listRuns(db, { status: ['queued', 'running'] })).toHaveLength(3);
    expect(listRuns(db, { search: 'alpha' }).map((r) => r.id)).toEqual([b.id, a.id]);
    expect(listRuns(db, { search: '100%' }).map((r) => r.id)).toEqual([a.id]);
    expect(listRuns(db, { search: '_' })).toEqual([]);
    expect(listRuns(db, { tag: 'keep' }).map((r) => r.id)).toEqual([b.id]);
    expect(listRuns(db, { tag: 'kee' })).toEqual([]);
  });

  it('sets timestamps on status transitions and keeps the first start across a resume', () => {
    const { db } = tempDb();
    const run = createRun(db, { config: config() });
    const running = setStatus(db, run.id, 'running', { backend: 'wasm', hostPid: process.pid });
    expect(running).toMatchObject({ status: 'running', backend: 'wasm', hostPid: process.pid, finishedAt: null });
    expect(running.startedAt! >= run.createdAt).toBe(true);

    const failed = setStatus(db, run.id, 'failed', { error: { message: 'out of memory', epoch: 2, iteration: 150 } });
    expect(failed.status).toBe('failed');
    expect(failed.finishedAt! >= failed.startedAt!).toBe(true);
    expect(failed.error).toEqual({ message: 'out of memory', epoch: 2, iteration: 150, at: failed.finishedAt });
    expect(failed.hostPid).toBe(process.pid);

    const resumed = setStatus(db, run.id, 'running', { hostPid: process.pid });
    expect(resumed).toMatchObject({ startedAt: running.startedAt, finishedAt: null, error: null, backend: 'wasm' });

    const done = setStatus(db, run.id, 'completed');
    expect(done.finishedAt).not.toBeNull();
    expect(done.error).toBeNull();
    expect(() => setStatus(db, 4242, 'running')).toThrow('run 4242 does not exist');
  });

  it('a run created as running or finished gets its timestamps', () => {
    const { db } = tempDb();
    const running = createRun(db, { config: config(), status: 'running', hostPid: process.pid });
    expect(running.startedAt).toBe(running.createdAt);
    expect(running.hostPid).toBe(process.pid);
    const cancelled = createRun(db, { config: config(), status: 'cancelled' });
    expect(cancelled.finishedAt).toBe(cancelled.createdAt);
  });

  it('marks runs of a dead process interrupted and leaves live ones alone', async () => {
    const { db } = tempDb();
    const dead = await deadPid();
    expect(isProcessAlive(dead)).toBe(false);
    expect(isProcessAlive(process.pid)).toBe(true);

    const orphan = setStatus(db, createRun(db, { config: config() }).id, 'running', { hostPid: dead });
    const orphanQueued = setStatus(db, createRun(db, { config: config() }).id, 'queued', { hostPid: dead });
    const live = setStatus(db, createRun(db, { config: config() }).id, 'running', { hostPid: process.pid });
    const waiting = createRun(db, { config: config() });
    const done = setStatus(db, createRun(db, { config: config() }).id, 'completed', { hostPid: dead });

    expect(markInterrupted(db, isProcessAlive).sort()).toEqual([orphan.id, orphanQueued.id].sort());
    const marked = getRun(db, orphan.id)!;
    expect(marked.status).toBe('interrupted');
    expect(marked.finishedAt).not.toBeNull();
    expect(marked.error?.message).toBe(`the process that ran it stopped (pid ${dead})`);
    // What `serve --resume-interrupted` looks for.
    expect(marked.error?.code).toBe('process_stopped');
    expect(getRun(db, orphanQueued.id)?.error?.message).toBe(`the process that queued it stopped (pid ${dead})`);
    expect(getRun(db, live.id)?.status).toBe('running');
    expect(getRun(db, waiting.id)?.status).toBe('queued');
    expect(getRun(db, done.id)?.status).toBe('completed');

    expect(markInterrupted(db, isProcessAlive)).toEqual([]);
  });

  it('moving back to queued drops the old host pid, so the sweep does not catch it', async () => {
    const { db } = tempDb();
    const run = createRun(db, { config: config(), status: 'running', hostPid: await deadPid() });
    setStatus(db, run.id, 'interrupted');
    expect(setStatus(db, run.id, 'queued').hostPid).toBeNull();
    expect(markInterrupted(db, isProcessAlive)).toEqual([]);
  });

  it('deletes a run with its epochs, checkpoints and metrics; children keep living without a parent', () => {
    const { db } = tempDb();
    const run = createRun(db, { config: config() });
    const child = createRun(db, { config: config(), parentId: run.id });
    recordEpoch(db, run.id, epoch(1), [
      { kind: 'generator', path: 'runs/1/g.json', sha256: sha('a'), bytes: 10 },
      { kind: 'discriminator', path: 'runs/1/d.json', sha256: sha('b'), bytes: 10 },
    ]);
    insertMetrics(db, run.id, [{ epoch: 1, iteration: 1, lossD: 1, lossG: 1, dx: 1, dgz: 1 }]);

    expect(deleteRun(db, run.id)).toBe(true);
    expect(deleteRun(db, run.id)).toBe(false);
    const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect([count('epochs'), count('checkpoints'), count('metrics')]).toEqual([0, 0, 0]);
    expect(getRun(db, child.id)?.parentId).toBeNull();
  });

  it('a deleted parent leaves a line in each derived run\'s notes: where it came from and what it excluded', () => {
    const { db } = tempDb();
    const parent = createRun(db, { name: 'baseline', config: config() });
    const child = createRun(db, { name: 'minus 2', config: { ...config(), excluded: ['mnist-train:1', 'mnist-train:2'] }, parentId: parent.id, excluded: ['mnist-train:1', 'mnist-train:2'] });
    updateRun(db, child.id, { notes: 'looks sharper' });
    const other = createRun(db, { config: config() });
    expect(deleteRun(db, parent.id)).toBe(true);
    const kept = getRun(db, child.id)!;
    expect(kept.parentId).toBeNull();
    expect(kept.notes).toMatch(
      new RegExp(`^looks sharper\\nDerived from run #${parent.id} "baseline" \\(deleted \\d{4}-\\d\\d-\\d\\d\\), excluding 2 of its samples; the config lists all 2 exclusions\\.$`),
    );
    expect(getRun(db, other.id)!.notes).toBe('');
  });

  it('creates a run with tags and notes', () => {
    const { db } = tempDb();
    expect(createRun(db, { config: config(), tags: [' cpu', 'tiny', 'cpu'], notes: 'n' })).toMatchObject({ tags: ['cpu', 'tiny'], notes: 'n' });
  });
});
