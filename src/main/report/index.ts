import { createWriteStream, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ReportFormat } from '../../shared/api.js';
import { homePaths } from '../store/paths.js';
import { collectReport, collectStudyReport, type CamOptions, type ReportSource } from './collect.js';
import { writeFocusCsv } from './csv.js';
import { studyCsv } from './csv-study.js';
import { renderHtml } from './html.js';
import { renderStudyHtml } from './html-study.js';
import { htmlToPdf, type PdfPrinter } from './pdf.js';
import { ReportError } from './report-error.js';

export { collectReport, collectStudyReport, type CamOptions, type ReportSource } from './collect.js';
export { setPdfPrinter, type PdfPrinter } from './pdf.js';
export { REPORT_SCHEMA_VERSION, type ReportData, type StudyReportData } from './report-data.js';
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

/** Writes `out` whole or not at all: `write` fills a partial file that is renamed at the end; it returns the CSV rows (null otherwise). */
async function writeWhole(format: ReportFormat, file: string, write: (partial: string) => Promise<number | null>): Promise<ExportResult> {
  const out = path.resolve(file);
  if (!existsSync(path.dirname(out))) throw new ReportError(`cannot write ${out}: the folder ${path.dirname(out)} does not exist`, true);
  const partial = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.partial`);
  try {
    const rows = await write(partial);
    renameSync(partial, out);
    return { format, out, bytes: statSync(out).size, rows };
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
}

export function exportReport(o: ExportOptions): Promise<ExportResult> {
  return writeWhole(o.format, o.out, async (partial) => {
    if (o.format !== 'csv') {
      writeFileSync(partial, await renderReport({ ...o, format: o.format }));
      return null;
    }
    await checkRuns(o.router, o.ids);
    return (await writeFocusCsv(homePaths(o.router.home).db, [...new Set(o.ids)], createWriteStream(partial))).rows;
  });
}

export interface StudyExportOptions {
  router: ReportSource;
  /** The study. */
  id: number;
  format: ReportFormat;
  out: string;
  printPdf?: PdfPrinter;
}

/** A study's report: HTML and PDF (the verdict first), JSON (`study show --json` plus metadata), CSV (arms x seeds x epochs). */
export function exportStudyReport(o: StudyExportOptions): Promise<ExportResult> {
  return writeWhole(o.format, o.out, async (partial) => {
    const data = await collectStudyReport(o.router, o.id);
    if (o.format === 'csv') {
      const csv = studyCsv(data);
      writeFileSync(partial, csv.text);
      return csv.rows;
    }
    if (o.format === 'json') writeFileSync(partial, `${JSON.stringify(data, null, 2)}\n`);
    else {
      const html = renderStudyHtml(data);
      writeFileSync(partial, o.format === 'html' ? html : await htmlToPdf(html, o.printPdf));
    }
    return null;
  });
}

/**
 * A report's content instead of a file, for the API without `out` (the web UI
 * offers it as a download): text for HTML, JSON and CSV, base64 for PDF.
 * Refused above `maxBytes`: one message must not carry a huge training-set CSV.
 */
export async function reportContent(
  format: ReportFormat,
  write: (out: string) => Promise<ExportResult>,
  maxBytes: number,
): Promise<{ content: string; encoding: 'utf8' | 'base64'; bytes: number; rows: number | null }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gan-focus-export-'));
  try {
    const r = await write(path.join(dir, `report.${format}`));
    if (r.bytes > maxBytes)
      throw new ReportError(`the ${format.toUpperCase()} report is ${(r.bytes / 2 ** 20).toFixed(1)} MB, more than one API message carries (${maxBytes / 2 ** 20} MB): give "out" to write it to a file`, true);
    const bytes = readFileSync(r.out);
    return format === 'pdf'
      ? { content: bytes.toString('base64'), encoding: 'base64', bytes: r.bytes, rows: null }
      : { content: bytes.toString('utf8'), encoding: 'utf8', bytes: r.bytes, rows: r.rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
