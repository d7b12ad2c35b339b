import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { presetConfig } from '../../src/shared/config.js';
import { openDatabase } from '../../src/main/store/db.js';
import { createRun } from '../../src/main/store/runs.js';
import { startServe } from './support/cli.js';
import { RunPage } from './pages/run-page.js';

// Issue 15, defect 13: a run died with `gan-focus serve`. Its own home and
// server (the shared one stays up for the other tests); the page only, as the
// app fixture fails on the console errors a dropped socket logs.
test('the server is killed mid-run; serve --resume-interrupted continues it and the open page reconnects and sees it finish', async ({ page }) => {
  const home = mkdtempSync(join(tmpdir(), 'gan-focus-e2e-restart-'));
  const db = openDatabase(join(home, 'gan-focus.db'));
  createRun(db, { name: 'remote run', config: { ...presetConfig('quick'), arch: 'paper' as const, limit: 128, ngf: 4, ndf: 4, batchSize: 32, epochs: 4 } });
  db.close();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const servers = [await startServe(home)];
  try {
    const url = new URL(servers[0].url);
    await page.goto(`${servers[0].url}#/run/1`);
    const run = new RunPage(page);
    await page.getByRole('button', { name: 'Start training' }).click();
    await run.waitForStatus('running');
    await expect(run.epochs).toHaveCount(1, { timeout: 120_000 });

    servers[0].child.kill('SIGKILL');
    await new Promise((r) => servers[0].child.once('exit', r));
    await expect(page.getByTestId('connection')).toBeVisible();

    servers.push(await startServe(home, ['--resume-interrupted'], Number(url.port)));
    await expect.poll(() => servers[1].output()).toMatch(/resumed run 1 "remote run" from epoch \d/);
    await expect(page.getByTestId('connection')).toHaveCount(0);
    await run.waitForStatus('completed');
    await expect(run.epochs).toHaveCount(4);
    await expect(page.getByTestId('run-error')).toHaveCount(0);
    expect(pageErrors).toEqual([]);
  } finally {
    for (const s of servers) {
      if (s.child.exitCode === null && s.child.signalCode === null) {
        s.child.kill('SIGTERM');
        await new Promise((r) => s.child.once('exit', r));
      }
    }
    rmSync(home, { recursive: true, force: true });
  }
});
