import { createWriteStream, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ReportFormat } from '../../shared/api.js';
import { homePaths } from '../store/paths.js';
import { collectReport, type CamOptions, type ReportSource } from './collect.js';
import { writeFocusCsv } from './csv.js';
import { renderHtml } from './html.js';
import { htmlToPdf, type PdfPrinter } from './pdf.js';
import { ReportError } from './report-error.js';

export { collectReport, type CamOptions, type ReportSource } from './collect.js';
export { setPdfPrinter, type PdfPrinter } from './pdf.js';
export { REPORT_SCHEMA_VERSION, type ReportData } from './report-data.js';
export { ReportError } from './report-error.js';

export interface ExportOptions {
  /** The API router (the CLI's), or the router's own methods (the API's exportReport). */
  router: ReportSource;
  /** One run, or several for a comparison (the CSV lists every run's rows). */
  ids: number[];
  format: ReportFormat;
  /** The file to write; it appears whole or not at all. */
  out: string;
  cam?: CamOptions;
  /** Electron's printToPDF; default: the printer set with setPdfPrinter, else a system Chromium. */
  printPdf?: PdfPrinter;
}

export interface ExportResult {
  format: ReportFormat;
  out: string;
  bytes: number;
  /** Data rows of a CSV; null for the other formats. */
  rows: number | null;
}

/** The bytes of an HTML, PDF or JSON report (CSV streams instead: see writeFocusCsv). */
export async function renderReport(o: Omit<ExportOptions, 'out'> & { format: Exclude<ReportFormat, 'csv'> }): Promise<Uint8Array> {
  const data = await collectReport(o.router, o.ids, o.cam);
  if (o.format === 'json') return Buffer.from(`${JSON.stringify(data, null, 2)}\n`);
  const html = renderHtml(data);
  return o.format === 'html' ? Buffer.from(html) : htmlToPdf(html, o.printPdf);
}

async function checkRuns(router: ReportSource, ids: number[]): Promise<void> {
  if (ids.length === 0) throw new ReportError('a report needs at least one run id', true);
  for (const id of ids) await router.handle('getRun', { id });
}

export async function exportReport(o: ExportOptions): Promise<ExportResult> {
  const out = path.resolve(o.out);
  if (!existsSync(path.dirname(out))) throw new ReportError(`cannot write ${out}: the folder ${path.dirname(out)} does not exist`, true);
  const partial = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.partial`);
  try {
    let rows: number | null = null;
    if (o.format === 'csv') {
      await checkRuns(o.router, o.ids);
      rows = (await writeFocusCsv(homePaths(o.router.home).db, [...new Set(o.ids)], createWriteStream(partial))).rows;
    } else {
      writeFileSync(partial, await renderReport({ ...o, format: o.format }));
    }
    renameSync(partial, out);
    return { format: o.format, out, bytes: statSync(out).size, rows };
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
}

/**
 * A report's content instead of a file, for the API without `out` (the web UI
 * offers it as a download): text for HTML, JSON and CSV, base64 for PDF.
 * Refused above `maxBytes`: one message must not carry a huge training-set CSV.
 */
export async function reportContent(
  o: Omit<ExportOptions, 'out'>,
  maxBytes: number,
): Promise<{ content: string; encoding: 'utf8' | 'base64'; bytes: number; rows: number | null }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gan-focus-export-'));
  try {
    const r = await exportReport({ ...o, out: path.join(dir, `report.${o.format}`) });
    if (r.bytes > maxBytes)
      throw new ReportError(`the ${o.format.toUpperCase()} report is ${(r.bytes / 2 ** 20).toFixed(1)} MB, more than one API message carries (${maxBytes / 2 ** 20} MB): give "out" to write it to a file`, true);
    const bytes = readFileSync(r.out);
    return o.format === 'pdf'
      ? { content: bytes.toString('base64'), encoding: 'base64', bytes: r.bytes, rows: null }
      : { content: bytes.toString('utf8'), encoding: 'utf8', bytes: r.bytes, rows: r.rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
