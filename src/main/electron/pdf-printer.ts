import { BrowserWindow } from 'electron';
import { pathToFileURL } from 'node:url';

/**
 * Prints a self-contained report (no script, no external request: see
 * src/main/report/html.ts) with Electron's own Chromium, in a hidden, sandboxed
 * window that runs no JavaScript and is closed right after.
 */
export async function printReportToPdf(htmlFile: string): Promise<Uint8Array> {
  const win = new BrowserWindow({
    show: false,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false },
  });
  try {
    await win.loadURL(pathToFileURL(htmlFile).href);
    return await win.webContents.printToPDF({ printBackground: true, pageSize: 'A4' });
  } finally {
    win.destroy();
  }
}
