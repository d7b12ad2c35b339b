import { app, BrowserWindow, ipcMain, protocol, session } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dispatch } from '../api/dispatch.js';
import { createRouter, type Router } from '../api/router.js';
import { contentSecurityPolicy } from '../web/security.js';
import { readStatic } from '../web/static-files.js';
import { setPdfPrinter } from '../report/pdf.js';
import { printReportToPdf } from './pdf-printer.js';
import { utilityLauncher } from './utility-launcher.js';

// The Electron shell, and the only module that imports 'electron' (besides the
// preload and the utilityProcess launcher). It owns windows and security; the
// router does the work, the engine runs in a utilityProcess.

const here = dirname(fileURLToPath(import.meta.url));
const RENDERER_DIR = join(here, '../renderer');
const PRELOAD = join(here, '../preload/index.cjs');
const WORKER = join(here, 'worker.js');
const APP_ORIGIN = 'app://renderer';
/** Set by `electron-vite dev`: the renderer then comes from Vite's server, with hot reload. */
const DEV_SERVER = process.env.ELECTRON_RENDERER_URL;

// A custom scheme instead of file://: the renderer gets a real origin, its
// responses carry the CSP header, and nothing outside the build can be read.
protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

// Tests and portable setups pick the data folder; otherwise it is the OS's per-user app data.
if (process.env.GAN_FOCUS_HOME) app.setPath('userData', process.env.GAN_FOCUS_HOME);

function isAppUrl(url: string): boolean {
  return url.startsWith(`${APP_ORIGIN}/`) || (DEV_SERVER !== undefined && url.startsWith(DEV_SERVER));
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (e) => e.preventDefault());
});

async function serveRenderer(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const file = url.host === 'renderer' ? await readStatic(RENDERER_DIR, url.pathname) : null;
  if (!file) return new Response('not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
  return new Response(new Uint8Array(file.body), {
    headers: {
      'Content-Type': file.contentType,
      'Content-Security-Policy': contentSecurityPolicy(),
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 900,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'GAN Focus',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(DEV_SERVER ?? `${APP_ORIGIN}/index.html`);
  return win;
}

function installSecurity(): void {
  protocol.handle('app', serveRenderer);
  // The dev server's pages get the same policy, loosened only for Vite's injected styles and HMR socket.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    if (DEV_SERVER && details.url.startsWith(DEV_SERVER)) {
      const ws = DEV_SERVER.replace(/^http/, 'ws');
      headers['Content-Security-Policy'] = [contentSecurityPolicy({ connect: [ws], inlineStyles: true })];
    }
    callback({ responseHeaders: headers });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

function connectApi(router: Router): void {
  ipcMain.handle('api:call', (event, raw: unknown) => {
    if (!isAppUrl(event.senderFrame?.url ?? '')) {
      return { id: null, ok: false, error: { code: 'unauthorized', message: 'API calls are accepted from the app window only' } };
    }
    return dispatch(router, raw);
  });
  router.onEvent((e) => {
    for (const w of BrowserWindow.getAllWindows()) if (!w.isDestroyed()) w.webContents.send('api:event', e);
  });
}

if (!app.requestSingleInstanceLock()) {
  // One app per data folder: a second instance hands over to the first.
  app.quit();
} else {
  let router: Router | null = null;
  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows();
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.whenReady().then(() => {
    installSecurity();
    router = createRouter({ home: app.getPath('userData'), launcher: utilityLauncher(WORKER) });
    setPdfPrinter(printReportToPdf);
    connectApi(router);
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => router?.close());
}
