import BetterSqlite3 from 'better-sqlite3';
import type { CamMethod, CamTarget, ReviewDecision, SampleSet } from '../../shared/explain.js';
import type { FocusSettings } from '../../shared/focus-settings.js';
import type { Database } from './db.js';
import { focusAt, readFocusColumns } from './focus-blocks.js';
import { listReviews } from './reviews.js';

/** One stored focus row with what identifies it: its run, explanation and review. */
export interface FocusExportRow {
  runId: number;
  datasetId: string | null;
  epoch: number;
  explanationId: number;
  samples: SampleSet;
  layers: string;
  method: CamMethod;
  target: CamTarget;
  threshold: number;
  index: number;
  digit: number | null;
  ratio: number | null;
  coverage: number;
  flagged: boolean;
  review: ReviewDecision | null;
}

/**
 * A connection of its own for a long export: an open iterator keeps its
 * connection busy, so iterating on the router's connection would make every
 * other call fail until the file is written. WAL lets it read beside writers.
 */
export function openExportReader(dbFile: string): Database {
  try {
    const db = new BetterSqlite3(dbFile, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return db;
  } catch (e) {
    throw new Error(`cannot open database ${dbFile} for export: ${(e as Error).message}`, { cause: e });
  }
}

interface ExplanationRecord {
  id: number;
  run_id: number;
  dataset_id: string | null;
  epoch: number;
  samples: SampleSet;
  layer: string;
  method: CamMethod;
  target: CamTarget;
  settings_json: string;
}

/**
 * Every focus row of the runs, one at a time: runs in the order given, then
 * epoch and explanation, then sample index. One explanation's numbers are held
 * at a time (a few MB for a 60k training set), never a whole run's rows.
 */
export function* iterateFocusRows(db: Database, runIds: number[]): Generator<FocusExportRow> {
  const explanations = db.prepare(
    `SELECT e.id, e.run_id, r.dataset_id, e.epoch, e.samples, e.layer, e.method, e.target, e.settings_json
     FROM explanations e JOIN runs r ON r.id = e.run_id WHERE e.run_id = ? ORDER BY e.epoch, e.samples, e.id`,
  );
  for (const runId of runIds) {
    const decisions = new Map(listReviews(db, runId).map((r) => [r.index, r.decision]));
    for (const e of explanations.all(runId) as ExplanationRecord[]) {
      const threshold = (JSON.parse(e.settings_json) as FocusSettings).threshold;
      const c = readFocusColumns(db, e.id);
      const order = Array.from({ length: c.length }, (_, i) => i).sort((a, b) => c.index[a] - c.index[b]);
      for (const i of order) {
        const f = focusAt(c, i);
        yield {
          runId: e.run_id,
          datasetId: e.dataset_id,
          epoch: e.epoch,
          explanationId: e.id,
          samples: e.samples,
          layers: e.layer,
          method: e.method,
          target: e.target,
          threshold,
          index: f.index,
          digit: f.digit,
          ratio: f.ratio,
          coverage: f.coverage,
          flagged: f.flagged,
          review: decisions.get(f.index) ?? null,
        };
      }
    }
  }
}
