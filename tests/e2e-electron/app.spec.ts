import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import type { GanFocusBridge } from '../../src/shared/api.js';
import { ROOT } from '../e2e/support/cli.js';
import { electronBinary } from './electron-binary.js';

// Callbacks passed to evaluate run in the page; these casts only type them (this file has no DOM lib).
type PageGlobals = { ganFocus: GanFocusBridge; recordEvent(e: unknown): void; open(url: string): unknown; location: { href: string } };

const binary = electronBinary(ROOT);
const MAIN = join(ROOT, 'out', 'main', 'index.js');
const skipReason = 'missing' in binary ? `Electron tests skipped: ${binary.missing}` : '';
// The list reporter does not print skip reasons; say it once where it shows.
if (skipReason) console.log(skipReason);
test.skip(skipReason !== '', skipReason);

let app: ElectronApplication;
let win: Page;
let home: string;

test.beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error('out/main/index.js is missing: run `npx electron-vite build` first');
  home = mkdtempSync(join(tmpdir(), 'gan-focus-electron-'));
  app = await electron.launch({
    executablePath: (binary as { path: string }).path,
    args: [MAIN, '--no-sandbox'],
    env: { ...process.env, GAN_FOCUS_HOME: home },
    timeout: 60_000,
  });
  win = await app.firstWindow({ timeout: 60_000 });
});

test.afterAll(async () => {
  await app?.close();
  rmSync(home, { recursive: true, force: true });
});

test('the window opens on the runs view, served from app://', async () => {
  await expect(win.getByRole('heading', { name: 'Runs', level: 1 })).toBeVisible();
  expect(win.url()).toMatch(/^app:\/\/renderer\/index\.html/);
  const csp = await win.evaluate(async () => (await fetch('index.html')).headers.get('content-security-policy'));
  expect(csp).toContain("default-src 'self'");
  expect(csp).not.toContain('unsafe');
});

test('IPC round trip through the preload bridge, with errors for bad messages', async () => {
  const ok = await win.evaluate(() => (globalThis as unknown as PageGlobals).ganFocus.call({ id: 1, method: 'presets', params: {} }));
  expect(ok).toMatchObject({ id: 1, ok: true, result: { quick: { epochs: 10 } } });
  const unknown = await win.evaluate(() => (globalThis as unknown as PageGlobals).ganFocus.call({ id: 2, method: 'nope', params: {} }));
  expect(unknown).toMatchObject({ id: 2, ok: false, error: { code: 'bad_request' } });
  const malformed = await win.evaluate(() => ((globalThis as unknown as PageGlobals).ganFocus.call as (m: unknown) => Promise<unknown>)('not a request'));
  expect(malformed).toMatchObject({ id: null, ok: false, error: { code: 'bad_request' } });
  const events: unknown[] = [];
  await win.exposeFunction('recordEvent', (e: unknown) => events.push(e));
  await win.evaluate(() => (globalThis as unknown as PageGlobals).ganFocus.onEvent((e) => (globalThis as unknown as PageGlobals).recordEvent(e)));
  const created = await win.evaluate(() =>
    (globalThis as unknown as PageGlobals).ganFocus.call({ id: 3, method: 'presets', params: {} }).then((p) =>
      (globalThis as unknown as PageGlobals).ganFocus.call({ id: 4, method: 'createRun', params: { name: 'ipc', config: (p as { result: { quick: unknown } }).result.quick } }),
    ),
  );
  expect(created).toMatchObject({ ok: true, result: { name: 'ipc', status: 'queued' } });
  await expect.poll(() => events.length).toBeGreaterThan(0);
  expect(events[0]).toMatchObject({ type: 'runState', run: { name: 'ipc' } });
});

test('security: no Node in the page, only the bridge exposed, no new windows, no navigation away', async () => {
  expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
  expect(await win.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
  expect(await win.evaluate(() => Object.keys((globalThis as unknown as PageGlobals).ganFocus).sort())).toEqual(['call', 'onEvent']);
  // webSecurity: the page cannot read local files.
  expect(await win.evaluate(() => fetch('file:///etc/hostname').then(() => 'read', () => 'refused'))).toBe('refused');

  await win.evaluate(() => (globalThis as unknown as PageGlobals).open('https://example.com/'));
  expect(app.windows()).toHaveLength(1);
  await win.evaluate(() => ((globalThis as unknown as PageGlobals).location.href = 'https://example.com/'));
  await win.waitForTimeout(500);
  expect(win.url()).toMatch(/^app:\/\/renderer\//);
  await expect(win.getByRole('heading', { name: 'Runs', level: 1 })).toBeVisible();
});
