import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect, type Page, type TestInfo } from '@playwright/test';
import { ROOT } from './cli.js';

export interface AppFixture {
  url: string;
  /** Opens a hash route of the served renderer (keeps the token query, if any). */
  open(hash: string): Promise<void>;
  /** Saves a full-page screenshot as a test artifact and as docs/screenshots/<name>.png for the README. */
  shot(name: string): Promise<void>;
}

async function saveShot(page: Page, info: TestInfo, name: string): Promise<void> {
  const dir = join(ROOT, 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const png = await page.screenshot({ fullPage: true, animations: 'disabled' });
  await info.attach(name, { body: png, contentType: 'image/png' });
  writeFileSync(join(dir, `${name}.png`), png);
}

/**
 * Every test gets the served app and fails on any console error, uncaught
 * exception or CSP violation in the page (so the strict CSP is tested too).
 */
/** Collects the page's console errors, uncaught exceptions and CSP violations from now on. */
export async function watchPage(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // The init script runs in the page (this file is typed without the DOM lib).
  await page.addInitScript(() => {
    type Violation = { violatedDirective: string; blockedURI: string };
    const doc = (globalThis as unknown as { document: { addEventListener(t: string, l: (e: Violation) => void): void } }).document;
    doc.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  return problems;
}

export const test = base.extend<{ app: AppFixture }>({
  app: async ({ page }, use, info) => {
    const url = process.env.E2E_URL;
    if (!url) throw new Error('E2E_URL is not set: run through playwright.config.ts (its global setup starts gan-focus serve)');
    const problems = await watchPage(page);
    await use({
      url,
      async open(hash) {
        await page.goto(`${url}${hash}`);
        await expect(page.locator('main#main')).toBeVisible();
      },
      shot: (name) => saveShot(page, info, name),
    });
    expect(problems, 'no console errors, page errors or CSP violations').toEqual([]);
  },
});

export { expect };
