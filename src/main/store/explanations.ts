import type BetterSqlite3 from 'better-sqlite3';
import { sampleId } from '../../shared/config.js';
import type { CamMethod, CamTarget, ExplanationRow, ExplanationStatus, FocusRow, FocusSample, ReviewDecision, SampleSet } from '../../shared/explain.js';
import type { FocusSettings } from '../../shared/focus-settings.js';
import { transaction, type Database } from './db.js';
import { requireRun } from './runs.js';

/** What identifies an explanation: the run's D at an epoch, the CAM choice and the focus settings. */
export type ExplanationKey = Pick<ExplanationRow, 'runId' | 'epoch' | 'layers' | 'method' | 'target' | 'samples' | 'settings'>;

interface ExplanationRecord {
  id: number;
  run_id: number;
  epoch: number;
  layer: string;
  method: CamMethod;
  target: CamTarget;
  samples: SampleSet;
  settings_json: string;
  status: ExplanationStatus;
  total: number;
  done: number;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

function toRow(r: ExplanationRecord): ExplanationRow {
  return {
    id: r.id,
    runId: r.run_id,
    epoch: r.epoch,
    layers: r.layer.split(','),
    method: r.method,
    target: r.target,
    samples: r.samples,
    settings: JSON.parse(r.settings_json) as FocusSettings,
    status: r.status,
    total: r.total,
    done: r.done,
    error: r.error,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

/** Settings serialised with sorted keys, so equal settings find the same row. */
export function settingsJson(s: FocusSettings): string {
  return JSON.stringify({ camLevel: s.camLevel, dilation: s.dilation, maskLevel: s.maskLevel, threshold: s.threshold });
}

function keyParams(k: ExplanationKey) {
  return [k.runId, k.epoch, k.layers.join(','), k.method, k.target, k.samples, settingsJson(k.settings)];
}

export function findExplanation(db: Database, k: ExplanationKey): ExplanationRow | null {
  const r = db
    .prepare(
      `SELECT * FROM explanations WHERE run_id = ? AND epoch = ? AND layer = ? AND method = ? AND target = ? AND samples = ? AND settings_json = ?`,
    )
    .get(...keyParams(k)) as ExplanationRecord | undefined;
  return r ? toRow(r) : null;
}

/**
 * Starts (or restarts) the explanation for a key: earlier rows for the same key
 * are replaced, so a cancelled or failed computation can simply be run again.
 */
export function beginExplanation(db: Database, k: ExplanationKey, total: number): ExplanationRow {
  return transaction(db, () => {
    requireRun(db, k.runId);
    db.prepare(
      `DELETE FROM explanations WHERE run_id = ? AND epoch = ? AND layer = ? AND method = ? AND target = ? AND samples = ? AND settings_json = ?`,
    ).run(...keyParams(k));
    const info = db
      .prepare(
        `INSERT INTO explanations (run_id, epoch, layer, method, target, samples, settings_json, status, total, host_pid, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
      )
      .run(...keyParams(k), total, process.pid, new Date().toISOString());
    return getExplanation(db, Number(info.lastInsertRowid))!;
  });
}

export function getExplanation(db: Database, id: number): ExplanationRow | null {
  const r = db.prepare('SELECT * FROM explanations WHERE id = ?').get(id) as ExplanationRecord | undefined;
  return r ? toRow(r) : null;
}

export function listExplanations(db: Database, runId: number, filter: { samples?: SampleSet; status?: ExplanationStatus } = {}): ExplanationRow[] {
  const rows = db
    .prepare(
      `SELECT * FROM explanations WHERE run_id = @runId
         AND (@samples IS NULL OR samples = @samples) AND (@status IS NULL OR status = @status)
       ORDER BY epoch, id`,
    )
    .all({ runId, samples: filter.samples ?? null, status: filter.status ?? null }) as ExplanationRecord[];
  return rows.map(toRow);
}

const FOCUS_COLUMNS = '(explanation_id, sample_index, digit, ratio, coverage, sharpness, score, flagged, cam)';
/** Rows per INSERT: one statement per row costs more than the B-tree work (9 values each, well under SQLite's 32766). */
const ROWS_PER_INSERT = 128;
const inserts = new WeakMap<Database, Map<number, BetterSqlite3.Statement>>();

/** `INSERT OR REPLACE` of `n` focus rows, prepared once per database. */
function insertRows(db: Database, n: number): BetterSqlite3.Statement {
  let byCount = inserts.get(db);
  if (!byCount) inserts.set(db, (byCount = new Map()));
  let st = byCount.get(n);
  if (!st) {
    st = db.prepare(`INSERT OR REPLACE INTO focus ${FOCUS_COLUMNS} VALUES ${Array(n).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`);
    byCount.set(n, st);
  }
  return st;
}

/**
 * One batch of focus rows in one transaction with the progress counter: a
 * crash between batches leaves every written batch whole and `done` true.
 */
export function insertFocusBatch(db: Database, explanationId: number, rows: FocusSample[]): void {
  transaction(db, () => {
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      const chunk = rows.slice(start, start + ROWS_PER_INSERT);
      const values: unknown[] = [];
      for (const r of chunk) values.push(explanationId, r.index, r.digit, r.ratio, r.coverage, r.sharpness, r.score, r.flagged ? 1 : 0, r.cam);
      insertRows(db, chunk.length).run(values);
    }
    // Counting the rows instead would make a 60k-sample explanation quadratic.
    db.prepare('UPDATE explanations SET done = done + ? WHERE id = ?').run(rows.length, explanationId);
  });
}

export function finishExplanation(db: Database, id: number, status: Exclude<ExplanationStatus, 'running'>, error?: string): ExplanationRow {
  db.prepare('UPDATE explanations SET status = ?, error = ?, finished_at = ? WHERE id = ?').run(status, error ?? null, new Date().toISOString(), id);
  return getExplanation(db, id)!;
}

/** Explanations left 'running' by a process that died are failed at start-up. */
export function failOrphanedExplanations(db: Database, isAlive: (pid: number) => boolean): number {
  const rows = db.prepare(`SELECT id, host_pid FROM explanations WHERE status = 'running'`).all() as { id: number; host_pid: number | null }[];
  let n = 0;
  for (const r of rows) {
    if (r.host_pid !== null && isAlive(r.host_pid)) continue;
    finishExplanation(db, r.id, 'failed', 'the process computing it stopped; run it again');
    n++;
  }
  return n;
}

export interface FocusQuery {
  flaggedOnly?: boolean;
  minRatio?: number;
  maxRatio?: number;
  digit?: number;
  /** Sorted by ratio, highest first (no-evidence rows last). */
  limit?: number;
  offset?: number;
}

interface FocusRecord {
  sample_index: number;
  digit: number | null;
  ratio: number | null;
  coverage: number;
  sharpness: number | null;
  score: number;
  flagged: number;
  decision: ReviewDecision | null;
  note: string | null;
}

export function listFocus(db: Database, explanationId: number, datasetId: string, q: FocusQuery = {}): FocusRow[] {
  const e = getExplanation(db, explanationId);
  if (!e) throw new Error(`explanation ${explanationId} does not exist`);
  // "flagged = 1" spelled out (not a parameter) lets SQLite use the index of flagged rows.
  const rows = db
    .prepare(
      `SELECT f.sample_index, f.digit, f.ratio, f.coverage, f.sharpness, f.score, f.flagged, r.decision, r.note
       FROM focus f LEFT JOIN reviews r ON r.run_id = @runId AND r.sample_index = f.sample_index
       WHERE f.explanation_id = @id${q.flaggedOnly ? ' AND f.flagged = 1' : ''}
         AND (@minRatio IS NULL OR f.ratio >= @minRatio)
         AND (@maxRatio IS NULL OR f.ratio <= @maxRatio)
         AND (@digit IS NULL OR f.digit = @digit)
       ORDER BY f.ratio IS NULL, f.ratio DESC, f.sample_index
       LIMIT @limit OFFSET @offset`,
    )
    .all({
      runId: e.runId,
      id: explanationId,
      minRatio: q.minRatio ?? null,
      maxRatio: q.maxRatio ?? null,
      digit: q.digit ?? null,
      limit: q.limit ?? -1,
      offset: q.offset ?? 0,
    }) as FocusRecord[];
  return rows.map((r) => ({
    sampleId: sampleId(datasetId, r.sample_index),
    index: r.sample_index,
    digit: r.digit,
    ratio: r.ratio,
    coverage: r.coverage,
    sharpness: r.sharpness,
    score: r.score,
    flagged: r.flagged === 1,
    review: r.decision,
    note: r.note ?? '',
  }));
}

export function countFocus(db: Database, explanationId: number): { total: number; flagged: number; noEvidence: number } {
  return db
    .prepare(
      `SELECT COUNT(*) AS total, COALESCE(SUM(flagged), 0) AS flagged, COALESCE(SUM(ratio IS NULL), 0) AS noEvidence
       FROM focus WHERE explanation_id = ?`,
    )
    .get(explanationId) as { total: number; flagged: number; noEvidence: number };
}

/** The stored 8-bit CAM of one sample, or null when it was not kept. */
export function getCam(db: Database, explanationId: number, index: number): Uint8Array | null {
  const r = db.prepare('SELECT cam FROM focus WHERE explanation_id = ? AND sample_index = ?').get(explanationId, index) as
    | { cam: Buffer | null }
    | undefined;
  return r?.cam ? new Uint8Array(r.cam) : null;
}
