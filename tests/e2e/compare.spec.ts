import { readFileSync } from 'node:fs';
import { expect, test } from './support/fixtures.js';
import { ComparePage } from './pages/compare-page.js';
import { RunsPage } from './pages/runs-page.js';

test('two runs are compared: config diff, overlaid curves, CAMs side by side', async ({ app, page }) => {
  await app.open('#/runs');
  const runs = new RunsPage(page);
  await runs.selectForCompare(['baseline', 'other seed']);
  await page.getByTestId('compare-selected').click();
  await expect(page).toHaveURL(/#\/compare\?ids=\d+,\d+/);

  const compare = new ComparePage(page);
  await expect(compare.diffRow('seed')).toContainText('1');
  await expect(compare.diffRow('seed')).toContainText('2');
  // The two runs differ in their seeds only: the data seed and the training seed (--seed sets both).
  await expect(compare.diffRow('trainingSeed')).toContainText('2');
  await expect(compare.diff.locator('tbody tr')).toHaveCount(2);
  for (const title of ['Loss_D per iteration', 'Loss_G per iteration', 'D(x) per iteration', 'D(G(z)) per iteration', 'Flag rate of the probes per epoch', 'G quality: FID to MNIST (lower is better)']) {
    await expect(page.getByRole('img', { name: title })).toBeVisible();
  }
  await expect(page.getByRole('img', { name: /probe \d+ CAM at epoch 2/ })).toHaveCount(32);
  await app.shot('compare');

  // The CAM columns scroll together.
  const panes = page.locator('.pane');
  await panes.nth(0).evaluate((el) => (el.scrollTop = 200));
  await expect.poll(() => panes.nth(1).evaluate((el) => el.scrollTop)).toBeGreaterThan(150);
});

test('a run report is exported from the run view as a file download', async ({ app, page }) => {
  await app.open('#/run/1');
  await page.getByLabel('Report').selectOption('html');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
  expect(download.suggestedFilename()).toBe('gan-focus-run-1.html');
  const html = readFileSync((await download.path())!, 'utf8');
  expect(html).toMatch(/<html/i);
  expect(html).toContain('baseline');
});
