import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ReportError } from './report-error.js';

// The PDF is the HTML report printed by a browser engine: Electron's
// webContents.printToPDF inside the app, a system Chromium elsewhere. The
// report's @page and break-inside rules do the pagination in both.

/** Prints an HTML file to PDF bytes. Electron passes one built on webContents.printToPDF. */
export type PdfPrinter = (htmlFile: string) => Promise<Uint8Array>;

let appPrinter: PdfPrinter | null = null;

/**
 * Lets the Electron main process (the only code that may import electron)
 * make every PDF export, including the API's, print with its own engine.
 */
export function setPdfPrinter(printer: PdfPrinter | null): void {
  appPrinter = printer;
}

export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** GAN_FOCUS_CHROMIUM, else /usr/bin/chromium, else the first Chromium or Chrome on PATH; null when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const chosen = env.GAN_FOCUS_CHROMIUM?.trim();
  if (chosen) {
    if (!executable(chosen)) throw new ReportError(`GAN_FOCUS_CHROMIUM is ${chosen}, which is not an executable file`, false);
    return chosen;
  }
  if (executable('/usr/bin/chromium')) return '/usr/bin/chromium';
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of CHROMIUM_NAMES) {
      const file = path.join(dir, name);
      if (executable(file)) return file;
    }
  }
  return null;
}

export const NO_CHROMIUM =
  'PDF export needs a Chromium or Chrome browser and none was found: install one (Debian/Ubuntu: apt-get install chromium; ' +
  'Fedora: dnf install chromium; macOS: brew install --cask chromium) or set GAN_FOCUS_CHROMIUM to its executable. ' +
  'The HTML export has the same content and prints from any browser.';

const PRINT_TIMEOUT_MS = 180_000;

/** Prints with a headless Chromium in a throw-away profile, with every background request turned off. */
export function chromiumPrinter(binary: string): PdfPrinter {
  return async (htmlFile) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gan-focus-pdf-'));
    const out = path.join(dir, 'report.pdf');
    try {
      const args = [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-extensions',
        '--no-pdf-header-footer',
        `--user-data-dir=${path.join(dir, 'profile')}`,
        `--print-to-pdf=${out}`,
        pathToFileURL(htmlFile).href,
      ];
      const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
        const timer = setTimeout(() => child.kill('SIGKILL'), PRINT_TIMEOUT_MS);
        child.on('error', (e) => {
          clearTimeout(timer);
          reject(new Error(`cannot start ${binary}: ${e.message}`));
        });
        child.on('close', (c) => {
          clearTimeout(timer);
          resolve({ code: c, stderr: err });
        });
      });
      if (!existsSync(out)) {
        const tail = stderr.trim().split('\n').slice(-5).join('\n');
        throw new ReportError(`${binary} did not write a PDF (exit code ${code})${tail ? `:\n${tail}` : ''}`, false);
      }
      return new Uint8Array(readFileSync(out));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** The PDF of an HTML report: with `printer`, else the app's, else a system Chromium. */
export async function htmlToPdf(html: string, printer?: PdfPrinter): Promise<Uint8Array> {
  const print = printer ?? appPrinter ?? chromiumPrinter(findChromium() ?? failNoChromium());
  const dir = mkdtempSync(path.join(tmpdir(), 'gan-focus-report-'));
  try {
    const file = path.join(dir, 'report.html');
    writeFileSync(file, html);
    return await print(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function failNoChromium(): never {
  throw new ReportError(NO_CHROMIUM, false);
}
