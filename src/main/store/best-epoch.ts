import type { BestEpochConfirmation } from '../../shared/explain.js';
import { transaction, type Database } from './db.js';
import { requireRun } from './runs.js';

/** A person's choice of the best epoch, with what was recommended at the time. */
export function confirmBestEpoch(
  db: Database,
  runId: number,
  input: { recommended: number | null; confirmed: number; rule: string; note?: string },
): BestEpochConfirmation {
  return transaction(db, () => {
    const run = requireRun(db, runId);
    if (!Number.isInteger(input.confirmed) || input.confirmed < 1 || input.confirmed > run.config.epochs)
      throw new Error(`best epoch must be between 1 and ${run.config.epochs}, got ${input.confirmed}`);
    db.prepare(
      `INSERT INTO best_epochs (run_id, recommended, confirmed, rule, note, confirmed_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id) DO UPDATE SET recommended = excluded.recommended, confirmed = excluded.confirmed,
         rule = excluded.rule, note = excluded.note, confirmed_at = excluded.confirmed_at`,
    ).run(runId, input.recommended, input.confirmed, input.rule, input.note ?? '', new Date().toISOString());
    return getBestEpoch(db, runId)!;
  });
}

export function getBestEpoch(db: Database, runId: number): BestEpochConfirmation | null {
  return (
    (db
      .prepare('SELECT recommended, confirmed, rule, note, confirmed_at AS confirmedAt FROM best_epochs WHERE run_id = ?')
      .get(runId) as BestEpochConfirmation | undefined) ?? null
  );
}
