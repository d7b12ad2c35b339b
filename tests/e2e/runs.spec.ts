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
