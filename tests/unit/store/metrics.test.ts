import { describe, expect, it } from 'vitest';
import { insertMetrics, listMetrics, type MetricRow } from '../../../src/main/store/metrics.js';
import { createRun } from '../../../src/main/store/runs.js';
import { config, tempDb } from './temp-db.js';

const rows = (n: number, start = 1): MetricRow[] =>
  Array.from({ length: n }, (_, k) => {
    const i = start + k;
    return { epoch: Math.ceil(i / 100), iteration: i, lossD: 1 / i, lossG: i / 7, dx: 0.5, dgz: 0.25 };
  });

describe('metrics', () => {
  it('bulk-inserts 1000 rows and reads them back in order', () => {
    const { db } = tempDb();
    const run = createRun(db, { config: config() });
    expect(insertMetrics(db, run.id, rows(1000))).toBe(1000);
    const back = listMetrics(db, run.id);
    expect(back).toHaveLength(1000);
    expect(back).toEqual(rows(1000));
  });

  it('pages with fromIteration and limit', () => {
    const { db } = tempDb();
    const run = createRun(db, { config: config() });
    insertMetrics(db, run.id, rows(300));
    expect(listMetrics(db, run.id, { fromIteration: 250, limit: 10 }).map((m) => m.iteration)).toEqual(
      Array.from({ length: 10 }, (_, k) => 250 + k),
    );
    expect(listMetrics(db, run.id, { fromIteration: 295 })).toHaveLength(6);
    expect(() => listMetrics(db, run.id, { limit: -1 })).toThrow('limit must be a non-negative integer');
  });

  it('keeps runs apart', () => {
    const { db } = tempDb();
    const a = createRun(db, { config: config() });
    const b = createRun(db, { config: config() });
    insertMetrics(db, a.id, rows(5));
    insertMetrics(db, b.id, rows(3));
    expect(listMetrics(db, a.id)).toHaveLength(5);
    expect(listMetrics(db, b.id)).toHaveLength(3);
  });

  it('a batch with a duplicate iteration inserts nothing', () => {
    const { db } = tempDb();
    const run = createRun(db, { config: config() });
    insertMetrics(db, run.id, rows(10));
    expect(() => insertMetrics(db, run.id, [...rows(3, 11), ...rows(1, 5)])).toThrow(
      `run ${run.id}: metrics for iteration 5 are already recorded`,
    );
    expect(listMetrics(db, run.id)).toHaveLength(10);
  });

  it('refuses bad rows and unknown runs', () => {
    const { db } = tempDb();
    const run = createRun(db, { config: config() });
    expect(() => insertMetrics(db, run.id, [{ ...rows(1)[0], iteration: 0 }])).toThrow('metrics row 0: iteration must be an integer >= 1');
    expect(() => insertMetrics(db, 404, rows(1))).toThrow('run 404 does not exist');
  });
});
