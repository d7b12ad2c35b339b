import { sampleId } from '../../shared/config.js';
import type { ProbeSample } from '../../shared/explain.js';
import { transaction, type Database } from './db.js';
import { requireRun } from './runs.js';

/** The run's fixed probe set, in display order. */
export function listProbes(db: Database, runId: number, datasetId: string): ProbeSample[] {
  return (
    db.prepare('SELECT position, sample_index AS "index", digit FROM probes WHERE run_id = ? ORDER BY position').all(runId) as {
      position: number;
      index: number;
      digit: number | null;
    }[]
  ).map((p) => ({ ...p, sampleId: sampleId(datasetId, p.index) }));
}

/**
 * Replaces the probe set (the user chose others, or informative probes were
 * picked). Probe explanations describe the old set, so they go too.
 */
export function setProbes(db: Database, runId: number, probes: { index: number; digit: number | null }[]): void {
  const seen = new Set<number>();
  for (const p of probes) {
    if (!Number.isInteger(p.index) || p.index < 0) throw new Error(`probe sample index must be a whole number >= 0, got ${p.index}`);
    if (seen.has(p.index)) throw new Error(`probe sample ${p.index} is listed twice`);
    seen.add(p.index);
  }
  transaction(db, () => {
    requireRun(db, runId);
    db.prepare('DELETE FROM probes WHERE run_id = ?').run(runId);
    db.prepare(`DELETE FROM explanations WHERE run_id = ? AND samples = 'probe'`).run(runId);
    const insert = db.prepare('INSERT INTO probes (run_id, position, sample_index, digit) VALUES (?, ?, ?, ?)');
    probes.forEach((p, position) => insert.run(runId, position, p.index, p.digit));
  });
}

/**
 * Gives a derived run the probe set of the run it comes from, so their CAMs line
 * up row by row; nothing when the source has none yet. Replaces the target's set
 * (and with it its probe explanations, as setProbes does).
 */
export function copyProbes(db: Database, fromRunId: number, toRunId: number): number {
  const rows = db.prepare('SELECT sample_index AS "index", digit FROM probes WHERE run_id = ? ORDER BY position').all(fromRunId) as { index: number; digit: number | null }[];
  if (rows.length > 0) setProbes(db, toRunId, rows);
  return rows.length;
}
