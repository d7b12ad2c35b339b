import type { FocusSample } from '../../shared/explain.js';
import { cachedStatement, type Database } from './db.js';

/**
 * Focus numbers are stored a block of samples per row, one little-endian typed
 * array per column (migration 4). A row per sample made writing a training
 * set's 60k rows cost 130-170 ms, most of it SQLite's per-row work (a plain
 * 9-column table in memory already took 75 ms); as blocks they take ~35 ms.
 * The review queries filter and sort these columns in JS. The table is made
 * by migration 4; migration 5 added baseline_ratio (NULL in older blocks).
 */

/** One explanation's focus numbers, each sample once, in the order written. */
export interface FocusColumns {
  length: number;
  index: Int32Array;
  /** -1: no label. */
  digit: Int16Array;
  /** NaN: no evidence (a CAM that sums to zero). */
  ratio: Float64Array;
  coverage: Float64Array;
  /** NaN: not computed. */
  sharpness: Float64Array;
  score: Float64Array;
  flagged: Uint8Array;
  /** NaN: no ink, or written before baselines were stored. */
  baselineRatio: Float64Array;
}

export type Column = Exclude<keyof FocusColumns, 'length'>;
const COLUMNS = {
  index: Int32Array,
  digit: Int16Array,
  ratio: Float64Array,
  coverage: Float64Array,
  sharpness: Float64Array,
  score: Float64Array,
  flagged: Uint8Array,
  baselineRatio: Float64Array,
} as const;
const NAMES = Object.keys(COLUMNS) as Column[];
/** SQL column of each array ("index" is a keyword). */
const SQL_NAME: Record<Column, string> = { ...Object.fromEntries(NAMES.map((n) => [n, n])), index: 'sample_index', baselineRatio: 'baseline_ratio' } as Record<
  Column,
  string
>;
/** Columns added after the table was made: NULL in older blocks, read as NaN. */
const NULLABLE: ReadonlySet<Column> = new Set(['baselineRatio']);

/** Rows per block when one call writes more than a Grad-CAM batch: a block is read whole. */
export const BLOCK_ROWS = 4096;

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('GAN Focus stores focus numbers little-endian and needs a little-endian CPU');
}

function fail(r: FocusSample, what: string): never {
  throw new Error(`focus row of sample ${String(r.index)}: ${what}`);
}

/** The row's values as stored, refusing what the row-per-sample table's CHECKs refused. */
function encode(rows: FocusSample[]): Record<Column, Buffer> {
  const n = rows.length;
  const c = Object.fromEntries(NAMES.map((name) => [name, new COLUMNS[name](n)])) as unknown as Omit<FocusColumns, 'length'>;
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (!Number.isInteger(r.index) || r.index < 0 || r.index > 0x7fffffff) fail(r, 'the sample index must be a whole number >= 0');
    if (r.digit !== null && (!Number.isInteger(r.digit) || r.digit < 0 || r.digit > 0x7fff)) fail(r, `digit ${r.digit} is not a label`);
    if (r.ratio !== null && !Number.isNaN(r.ratio) && !(r.ratio >= 0 && r.ratio <= 1)) fail(r, `ratio ${r.ratio} is outside [0, 1]`);
    if (r.baselineRatio !== null && !(r.baselineRatio >= 0 && r.baselineRatio <= 1)) fail(r, `baseline ratio ${r.baselineRatio} is outside [0, 1]`);
    if (!Number.isFinite(r.coverage)) fail(r, `coverage is ${r.coverage}`);
    if (!Number.isFinite(r.score)) fail(r, `D's score is ${r.score}`);
    c.index[i] = r.index;
    c.digit[i] = r.digit ?? -1;
    c.ratio[i] = r.ratio ?? NaN;
    c.coverage[i] = r.coverage;
    c.sharpness[i] = r.sharpness ?? NaN;
    c.score[i] = r.score;
    c.flagged[i] = r.flagged ? 1 : 0;
    c.baselineRatio[i] = r.baselineRatio ?? NaN;
  }
  return Object.fromEntries(NAMES.map((name) => [name, Buffer.from(c[name].buffer)])) as Record<Column, Buffer>;
}

/**
 * Appends rows as blocks, and their CAMs. Call inside a transaction. A sample
 * written again (a retried batch) replaces its earlier values when read.
 */
export function writeFocusBlocks(db: Database, explanationId: number, rows: FocusSample[]): void {
  const insert = cachedStatement(
    db,
    `INSERT INTO focus_blocks (explanation_id, count, ${NAMES.map((n) => SQL_NAME[n]).join(', ')}) VALUES (?, ?, ${NAMES.map(() => '?').join(', ')})`,
  );
  const cam = cachedStatement(db, 'INSERT OR REPLACE INTO focus_cams (explanation_id, sample_index, cam) VALUES (?, ?, ?)');
  for (let start = 0; start < rows.length; start += BLOCK_ROWS) {
    const chunk = rows.slice(start, start + BLOCK_ROWS);
    const cols = encode(chunk);
    insert.run(explanationId, chunk.length, ...NAMES.map((n) => cols[n]));
    // A retried sample whose CAM is no longer kept keeps the earlier one: same D, same sample, same CAM.
    for (const r of chunk) if (r.cam) cam.run(explanationId, r.index, r.cam);
  }
}

/** Copies the blob's bytes into `out` at row `at` (a blob's Buffer need not be aligned for a typed view). */
function copyInto(out: FocusColumns[Column], at: number, blob: Buffer): void {
  new Uint8Array(out.buffer, at * out.BYTES_PER_ELEMENT, blob.length).set(blob);
}

/** Some of an explanation's columns (always with the sample index). */
export type SomeFocusColumns<C extends Column> = Pick<FocusColumns, C | 'index' | 'length'>;

/**
 * An explanation's focus numbers, all columns or the ones asked for (fewer
 * columns, fewer blobs to read: the runs table counts flags of every run).
 * A sample written twice appears once, with its last values.
 */
export function readFocusColumns(db: Database, explanationId: number): FocusColumns;
export function readFocusColumns<C extends Column>(db: Database, explanationId: number, columns: readonly C[]): SomeFocusColumns<C>;
export function readFocusColumns(db: Database, explanationId: number, columns: readonly Column[] = NAMES): SomeFocusColumns<Column> {
  const names = NAMES.filter((n) => n === 'index' || columns.includes(n));
  const blocks = cachedStatement(db, `SELECT id, count, ${names.map((n) => SQL_NAME[n]).join(', ')} FROM focus_blocks WHERE explanation_id = ? ORDER BY id`).all(
    explanationId,
  ) as ({ id: number; count: number } & Record<string, Buffer | null>)[];
  const length = blocks.reduce((s, b) => s + b.count, 0);
  const c = { length, ...Object.fromEntries(names.map((name) => [name, new COLUMNS[name](length)])) } as FocusColumns;
  let at = 0;
  for (const b of blocks) {
    for (const name of names) {
      const blob = b[SQL_NAME[name]] as Buffer | null;
      if (blob === null && NULLABLE.has(name)) {
        (c[name] as Float64Array).fill(NaN, at, at + b.count);
        continue;
      }
      // The table's CHECKs make this impossible unless the file was damaged or edited by hand.
      if (blob === null || blob.length !== b.count * COLUMNS[name].BYTES_PER_ELEMENT) {
        throw new Error(`focus block ${b.id} of explanation ${explanationId} is damaged: ${SQL_NAME[name]} holds ${blob?.length ?? 'no'} bytes for ${b.count} samples`);
      }
      copyInto(c[name], at, blob);
    }
    at += b.count;
  }
  return withoutRewrites(c, names);
}

function withoutRewrites(c: FocusColumns, names: readonly Column[]): FocusColumns {
  let max = -1;
  for (let i = 0; i < c.length; i++) if (c.index[i] > max) max = c.index[i];
  const last = new Int32Array(max + 1).fill(-1);
  let rewrites = 0;
  for (let i = 0; i < c.length; i++) {
    if (last[c.index[i]] >= 0) rewrites++;
    last[c.index[i]] = i;
  }
  if (rewrites === 0) return c;
  const keep: number[] = [];
  for (let i = 0; i < c.length; i++) if (last[c.index[i]] === i) keep.push(i);
  const out = { length: keep.length } as FocusColumns;
  for (const name of names) {
    const col = new COLUMNS[name](keep.length);
    keep.forEach((from, to) => (col[to] = c[name][from]));
    (out as unknown as Record<Column, typeof col>)[name] = col;
  }
  return out;
}

/** Row i of the columns, with the nulls the API uses. */
export function focusAt(c: FocusColumns, i: number): Omit<FocusSample, 'cam'> {
  return {
    index: c.index[i],
    digit: c.digit[i] < 0 ? null : c.digit[i],
    ratio: Number.isNaN(c.ratio[i]) ? null : c.ratio[i],
    coverage: c.coverage[i],
    sharpness: Number.isNaN(c.sharpness[i]) ? null : c.sharpness[i],
    score: c.score[i],
    flagged: c.flagged[i] === 1,
    baselineRatio: Number.isNaN(c.baselineRatio[i]) ? null : c.baselineRatio[i],
  };
}

/** The stored 8-bit CAM of one sample, or null when it was not kept. */
export function getCam(db: Database, explanationId: number, index: number): Uint8Array | null {
  const r = cachedStatement(db, 'SELECT cam FROM focus_cams WHERE explanation_id = ? AND sample_index = ?').get(explanationId, index) as
    | { cam: Buffer }
    | undefined;
  return r ? new Uint8Array(r.cam) : null;
}
