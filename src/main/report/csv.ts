import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { sampleId } from '../../shared/config.js';
import { iterateFocusRows, openExportReader, type FocusExportRow } from '../store/focus-export.js';

/** The columns first, in its order; then what tells explanations of one epoch apart. */
export const CSV_COLUMNS = [
  'run_id',
  'epoch',
  'sample_id',
  'digit',
  'off_digit_ratio',
  'coverage',
  'flagged',
  'review',
  'sample_set',
  'layers',
  'method',
  'target',
  'threshold',
  'explanation_id',
] as const;

/** RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvLine(r: FocusExportRow): string {
  return [
    r.runId,
    r.epoch,
    r.datasetId === null ? `${r.index}` : sampleId(r.datasetId, r.index),
    r.digit,
    r.ratio,
    r.coverage,
    r.flagged ? 1 : 0,
    r.review,
    r.samples,
    r.layers.replace(/,/g, '+'),
    r.method,
    r.target,
    r.threshold,
    r.explanationId,
  ]
    .map(csvField)
    .join(',');
}

/** Bytes gathered before a write: one write per row would cost more than the rows. */
const CHUNK = 64 * 1024;

/**
 * Streams every stored focus row of the runs (training set and probes, every
 * epoch and explanation) to `out` as CSV and ends it. Rows come one at a time
 * from SQLite and wait for `out` to drain, so memory stays flat for any run size.
 */
export async function writeFocusCsv(dbFile: string, runIds: number[], out: Writable): Promise<{ rows: number }> {
  // Listening from the start: a stream that fails between two writes (disk
  // full, a folder that does not exist) must end the export, not the process.
  const done = finished(out);
  done.catch(() => undefined);
  const db = openExportReader(dbFile);
  let rows = 0;
  try {
    let chunk = `${CSV_COLUMNS.join(',')}\r\n`;
    for (const r of iterateFocusRows(db, runIds)) {
      chunk += `${csvLine(r)}\r\n`;
      rows++;
      if (chunk.length >= CHUNK) {
        if (!out.write(chunk)) await Promise.race([once(out, 'drain'), done]);
        chunk = '';
      }
    }
    out.end(chunk);
    await done;
    return { rows };
  } catch (err) {
    out.destroy();
    throw err;
  } finally {
    db.close();
  }
}
