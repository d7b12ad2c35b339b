import { sampleId } from '../../shared/config.js';
import type { CamMethod, CamTarget, ExplanationRow, ExplanationStatus, Faithfulness, FocusRow, FocusSample, SampleSet } from '../../shared/explain.js';
import type { FocusSettings } from '../../shared/focus-settings.js';
import { cachedStatement, transaction, type Database } from './db.js';
import { focusAt, readFocusColumns, writeFocusBlocks, type FocusColumns } from './focus-blocks.js';
import { listReviews } from './reviews.js';
import { requireRun } from './runs.js';

export { getCam } from './focus-blocks.js';

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
  /** Absent in a database before migration 5 (the migration test opens one). */
  faithfulness_json?: string | null;
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
    faithfulness: r.faithfulness_json ? (JSON.parse(r.faithfulness_json) as Faithfulness) : null,
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

/**
 * One batch of focus rows in one transaction with the progress counter: a
 * crash between batches leaves every written batch whole and `done` true.
 */
export function insertFocusBatch(db: Database, explanationId: number, rows: FocusSample[]): void {
  transaction(db, () => {
    writeFocusBlocks(db, explanationId, rows);
    cachedStatement(db, 'UPDATE explanations SET done = done + ? WHERE id = ?').run(rows.length, explanationId);
  });
}

/** Stores the explanation's faithfulness (computed after its last batch, before it is finished). */
export function setFaithfulness(db: Database, id: number, f: Faithfulness): void {
  const info = db.prepare('UPDATE explanations SET faithfulness_json = ? WHERE id = ?').run(JSON.stringify(f), id);
  if (info.changes !== 1) throw new Error(`explanation ${id} does not exist`);
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
  /** Only these sample indices. */
  only?: ReadonlySet<number>;
  /** Sorted by ratio, highest first (no-evidence rows last). */
  limit?: number;
  offset?: number;
}

/** Positions of the rows that pass the query, in its order: ratio highest first, no evidence last, then sample index. */
function select(c: FocusColumns, q: FocusQuery): number[] {
  const picked: number[] = [];
  for (let i = 0; i < c.length; i++) {
    if (q.flaggedOnly && c.flagged[i] !== 1) continue;
    // NaN (no evidence) fails every ratio bound, as NULL does in SQL.
    if (q.minRatio !== undefined && !(c.ratio[i] >= q.minRatio)) continue;
    if (q.maxRatio !== undefined && !(c.ratio[i] <= q.maxRatio)) continue;
    if (q.digit !== undefined && c.digit[i] !== q.digit) continue;
    if (q.only && !q.only.has(c.index[i])) continue;
    picked.push(i);
  }
  // Ratios lie in [0, 1]: -1 puts no evidence (NaN) last with one numeric comparison.
  const key = c.ratio.map((r) => (Number.isNaN(r) ? -1 : r));
  const { index } = c;
  picked.sort((a, b) => key[b] - key[a] || index[a] - index[b]);
  const offset = q.offset ?? 0;
  return picked.slice(offset, q.limit === undefined || q.limit < 0 ? undefined : offset + q.limit);
}

export function listFocus(db: Database, explanationId: number, datasetId: string, q: FocusQuery = {}): FocusRow[] {
  const e = getExplanation(db, explanationId);
  if (!e) throw new Error(`explanation ${explanationId} does not exist`);
  const c = readFocusColumns(db, explanationId);
  const reviews = new Map(listReviews(db, e.runId).map((r) => [r.index, r]));
  return select(c, q).map((i) => {
    const review = reviews.get(c.index[i]);
    return Object.assign(focusAt(c, i), { sampleId: sampleId(datasetId, c.index[i]), review: review?.decision ?? null, note: review?.note ?? '' });
  });
}

export interface FocusCounts {
  total: number;
  flagged: number;
  noEvidence: number;
  /** Mean baseline ratio over the samples that have one; null if none has. */
  meanBaselineRatio: number | null;
}

export function countFocus(db: Database, explanationId: number): FocusCounts {
  const c = readFocusColumns(db, explanationId, ['flagged', 'ratio', 'baselineRatio']);
  let flagged = 0;
  let noEvidence = 0;
  let baselines = 0;
  let baselineSum = 0;
  for (let i = 0; i < c.length; i++) {
    flagged += c.flagged[i];
    if (Number.isNaN(c.ratio[i])) noEvidence++;
    if (!Number.isNaN(c.baselineRatio[i])) {
      baselines++;
      baselineSum += c.baselineRatio[i];
    }
  }
  return { total: c.length, flagged, noEvidence, meanBaselineRatio: baselines ? baselineSum / baselines : null };
}
