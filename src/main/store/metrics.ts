import type { MetricRow } from '../../shared/types.js';
import { transaction, type Database } from './db.js';
import { requireRun } from './runs.js';

export type { MetricRow } from '../../shared/types.js';

export interface MetricQuery {
  /** Inclusive. */
  fromIteration?: number;
  limit?: number;
}

/**
 * One prepared statement in one transaction: one fsync for the whole batch
 * instead of one per row. NaN losses are stored as null.
 */
export function insertMetrics(db: Database, runId: number, rows: MetricRow[]): number {
  rows.forEach((r, i) => {
    if (!Number.isInteger(r.iteration) || r.iteration < 1) throw new Error(`metrics row ${i}: iteration must be an integer >= 1, got ${r.iteration}`);
    if (!Number.isInteger(r.epoch) || r.epoch < 1) throw new Error(`metrics row ${i}: epoch must be an integer >= 1, got ${r.epoch}`);
  });
  const insert = db.prepare(
    'INSERT INTO metrics (run_id, iteration, epoch, loss_d, loss_g, dx, dgz) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  return transaction(db, () => {
    requireRun(db, runId);
    for (const r of rows) {
      try {
        insert.run(runId, r.iteration, r.epoch, r.lossD, r.lossG, r.dx, r.dgz);
      } catch (e) {
        if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new Error(`run ${runId}: metrics for iteration ${r.iteration} are already recorded`, { cause: e });
        }
        throw e;
      }
    }
    return rows.length;
  });
}

/** In iteration order. */
export function listMetrics(db: Database, runId: number, query: MetricQuery = {}): MetricRow[] {
  const from = query.fromIteration ?? 1;
  const limit = query.limit ?? -1;
  if (!Number.isInteger(from)) throw new Error(`metrics query: fromIteration must be an integer, got ${from}`);
  if (query.limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new Error(`metrics query: limit must be a non-negative integer, got ${query.limit}`);
  }
  return db
    .prepare(
      `SELECT epoch, iteration, loss_d AS lossD, loss_g AS lossG, dx, dgz
       FROM metrics WHERE run_id = ? AND iteration >= ? ORDER BY iteration LIMIT ?`,
    )
    .all(runId, from, limit) as MetricRow[];
}
