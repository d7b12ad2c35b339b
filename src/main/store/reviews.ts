import type { ReviewDecision } from '../../shared/explain.js';
import { transaction, type Database } from './db.js';
import { requireRun } from './runs.js';

export interface ReviewInput {
  index: number;
  /** null clears the decision (undo); undefined keeps it. */
  decision?: ReviewDecision | null;
  /** undefined keeps the note. */
  note?: string;
}

export interface ReviewRow {
  index: number;
  decision: ReviewDecision | null;
  note: string;
  updatedAt: string;
}

/**
 * A person's decision on a flagged sample; kept per run, across epochs and settings.
 * Sets, never toggles: saving the stored decision again changes nothing.
 */
export function saveReview(db: Database, runId: number, input: ReviewInput): ReviewRow {
  if (!Number.isInteger(input.index) || input.index < 0) throw new Error(`review: sample index must be a whole number >= 0`);
  return transaction(db, () => {
    requireRun(db, runId);
    const now = new Date().toISOString();
    const old = getReview(db, runId, input.index);
    const decision = input.decision === undefined ? (old?.decision ?? null) : input.decision;
    const note = input.note ?? old?.note ?? '';
    // The same decision again is a no-op (keys pressed twice, a retried request): it keeps its time.
    if (old && old.decision === decision && old.note === note) return old;
    db.prepare(
      `INSERT INTO reviews (run_id, sample_index, decision, note, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (run_id, sample_index) DO UPDATE SET decision = excluded.decision, note = excluded.note, updated_at = excluded.updated_at`,
    ).run(runId, input.index, decision, note, now);
    return getReview(db, runId, input.index)!;
  });
}

export function getReview(db: Database, runId: number, index: number): ReviewRow | null {
  return (
    (db
      .prepare('SELECT sample_index AS "index", decision, note, updated_at AS updatedAt FROM reviews WHERE run_id = ? AND sample_index = ?')
      .get(runId, index) as ReviewRow | undefined) ?? null
  );
}

export function listReviews(db: Database, runId: number, decision?: ReviewDecision): ReviewRow[] {
  return db
    .prepare(
      `SELECT sample_index AS "index", decision, note, updated_at AS updatedAt FROM reviews
       WHERE run_id = ? AND (? IS NULL OR decision = ?) ORDER BY sample_index`,
    )
    .all(runId, decision ?? null, decision ?? null) as ReviewRow[];
}
