import { join } from 'node:path';
import { presetConfig } from '../../src/shared/config.js';
import { openDatabase } from '../../src/main/store/db.js';
import { createRun } from '../../src/main/store/runs.js';
import { cli } from './support/cli.js';
import { expect, test } from './support/fixtures.js';
import { RunsPage } from './pages/runs-page.js';

test('the runs table shows the prepared runs and filters them', async ({ app, page }) => {
  await app.open('#/runs');
  const runs = new RunsPage(page);
  await expect(runs.row('baseline')).toContainText('completed');
  await expect(runs.row('baseline')).toContainText('2 / 2');
  await expect(runs.row('baseline')).toContainText('MNIST');
  await expect(runs.row('other seed')).toBeVisible();
  await app.shot('runs');

  await runs.search.fill('other');
  await expect(runs.row('other seed')).toBeVisible();
  await expect(runs.row('baseline')).toHaveCount(0);
  await runs.search.fill('');
  await runs.status.selectOption('failed');
  await expect(runs.table.locator('tbody tr')).toHaveCount(0);
  await runs.status.selectOption('');
  await expect(runs.row('baseline')).toBeVisible();
});

test('a run is duplicated, renamed, tagged and deleted after confirmation', async ({ app, page }) => {
  await app.open('#/runs');
  const runs = new RunsPage(page);
  await runs.row('other seed').getByRole('button', { name: 'Duplicate run other seed' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('other seed (copy)');
  await expect(page.locator('.progress .badge')).toHaveText('queued');

  await app.open('#/runs');
  await runs.edit('other seed (copy)', { name: 'scratch', notes: 'to be deleted', addTags: ['tmp'] });
  await expect(runs.row('scratch')).toContainText('tmp');
  await expect(runs.row('scratch')).toContainText('to be deleted');
  await page.getByLabel('Tag').selectOption('tmp');
  await runs.expectRuns(['scratch']);
  await page.getByLabel('Tag').selectOption('');

  await runs.remove('scratch');
  await expect(runs.row('scratch')).toHaveCount(0);
  await page.reload();
  await expect(runs.row('baseline')).toBeVisible();
  await expect(runs.row('scratch')).toHaveCount(0);
});

test('the runs table shows flags and G quality, and sorts by any column from the keyboard', async ({ app, page }) => {
  // A run never trained has no G quality: it sorts last whichever way the column sorts.
  createUntrainedRun('not trained yet');
  type Listed = {
    id: number;
    name: string;
    flags: { epoch: number; flagged: number; total: number } | null;
    quality: { fidMnist: number; digitsPresent: number; epoch: number } | null;
  };
  const listed = JSON.parse(cli(process.env.E2E_HOME!, ['runs', '--json'])) as Listed[];
  const baseline = listed.find((r) => r.id === 1)!;
  const other = listed.find((r) => r.name === 'other seed')!;
  expect(baseline.flags).not.toBeNull();
  expect(baseline.quality).not.toBeNull();
  // The engine measures G at the end of every epoch, so a trained run has quality without `gan-focus quality`.
  expect(other.quality).not.toBeNull();
  await app.open('#/runs');
  const runs = new RunsPage(page);
  const row = runs.row('baseline');
  await expect(row.locator('[data-col="flags"]')).toContainText(`${baseline.flags!.flagged}`);
  await expect(row.locator('[data-col="flags"]')).toContainText(`of ${baseline.flags!.total}, epoch ${baseline.flags!.epoch}`);
  await expect(row.locator('[data-col="fid"]')).toContainText(baseline.quality!.fidMnist.toFixed(1));
  await expect(row.locator('[data-col="digits"]')).toHaveText(`${baseline.quality!.digitsPresent} / 10`);
  await expect(runs.row('other seed').locator('[data-col="fid"]')).toContainText(other.quality!.fidMnist.toFixed(1));
  await expect(runs.row('not trained yet').locator('[data-col="fid"]')).toHaveText('—');

  const header = (name: string) => runs.table.locator('thead th').filter({ has: page.getByRole('button', { name, exact: true }) });
  await expect(header('#')).toHaveAttribute('aria-sort', 'descending');
  await expect(header('FID-MNIST')).toHaveAttribute('aria-sort', 'none');
  const names = () => runs.table.locator('tbody tr td:nth-child(3) > a').allTextContents();
  const before = await names();

  // Keyboard only: Tab reaches the header buttons, Enter and Space sort.
  await page.getByRole('button', { name: 'Name', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(header('Name')).toHaveAttribute('aria-sort', 'ascending');
  await expect(header('#')).toHaveAttribute('aria-sort', 'none');
  await expect.poll(names).toEqual([...before].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
  await page.keyboard.press('Space');
  await expect(header('Name')).toHaveAttribute('aria-sort', 'descending');
  await expect.poll(names).toEqual([...before].sort((a, b) => b.toLowerCase().localeCompare(a.toLowerCase())));

  const fid = (name: string) => listed.find((r) => r.name === name)?.quality?.fidMnist ?? null;
  const byFid = (dir: 1 | -1) =>
    [...before].sort((a, b) => {
      const [x, y] = [fid(a), fid(b)];
      if (x === null || y === null) return (x === null ? 1 : 0) - (y === null ? 1 : 0);
      return dir * (x - y);
    });
  await page.getByRole('button', { name: 'FID-MNIST', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(header('FID-MNIST')).toHaveAttribute('aria-sort', 'ascending');
  await expect.poll(names).toEqual(byFid(1));
  await page.keyboard.press('Enter');
  await expect(header('FID-MNIST')).toHaveAttribute('aria-sort', 'descending');
  await expect.poll(names).toEqual(byFid(-1));
  // Runs without G quality (this one, and any other spec's run that never trained an epoch) come last.
  const unassessed = before.filter((n) => fid(n) === null);
  expect(unassessed).toContain('not trained yet');
  expect((await names()).slice(-unassessed.length).sort()).toEqual([...unassessed].sort());

  await runs.remove('not trained yet');
});

/** A queued run written to the served home's database, as another process would. */
function createUntrainedRun(name: string): void {
  const db = openDatabase(join(process.env.E2E_HOME!, 'gan-focus.db'));
  try {
    createRun(db, { name, config: { ...presetConfig('quick'), arch: 'paper' as const, limit: 128, ngf: 4, ndf: 4, batchSize: 32, epochs: 1 } }).id;
  } finally {
    db.close();
  }
}
