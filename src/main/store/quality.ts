import type { QualityRow } from '../../shared/explain.js';
import type { Database } from './db.js';
import { requireRun } from './runs.js';

export function saveQuality(db: Database, runId: number, q: QualityRow): void {
  requireRun(db, runId);
  db.prepare(
    `INSERT OR REPLACE INTO quality (run_id, epoch, count, class_counts_json, digits_present, mean_confidence, fid_mnist, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(runId, q.epoch, q.count, JSON.stringify(q.classCounts), q.digitsPresent, q.meanConfidence, q.fidMnist, new Date().toISOString());
}

export function listQuality(db: Database, runId: number): QualityRow[] {
  return (
    db
      .prepare(
        `SELECT epoch, count, class_counts_json, digits_present, mean_confidence, fid_mnist FROM quality WHERE run_id = ? ORDER BY epoch`,
      )
      .all(runId) as { epoch: number; count: number; class_counts_json: string; digits_present: number; mean_confidence: number; fid_mnist: number }[]
  ).map((r) => ({
    epoch: r.epoch,
    count: r.count,
    classCounts: JSON.parse(r.class_counts_json) as number[],
    digitsPresent: r.digits_present,
    meanConfidence: r.mean_confidence,
    fidMnist: r.fid_mnist,
  }));
}
