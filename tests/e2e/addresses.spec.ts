import { expect, test } from './support/fixtures.js';

// Issue 15, defect 10: bad addresses showed the runs list as if nothing were wrong.
test('a bad address shows a not-found page, never the runs list', async ({ app, page }) => {
  for (const [hash, heading] of [
    ['#/runs/999', 'Page not found'],
    ['#/run/abc', 'Page not found'],
    ['#/nonsense', 'Page not found'],
    ['#/run/999', 'Run #999 not found'],
  ]) {
    await app.open(hash);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    await expect(page.getByTestId('not-found')).toBeVisible();
    await expect(page.getByTestId('runs-table')).toHaveCount(0);
    // No section of the app claims an address that names no page (a missing run is still under Runs).
    if (heading === 'Page not found') await expect(page.getByRole('navigation', { name: 'Main' }).locator('[aria-current="page"]')).toHaveCount(0);
  }
  await expect(page.getByTestId('not-found')).toContainText('run 999 does not exist');
  await page.getByRole('link', { name: 'Go to the runs list' }).click();
  await expect(page.getByTestId('runs-table')).toBeVisible();
});

test('compare names a missing run, shows the one that exists, and a later valid address starts clean', async ({ app, page }) => {
  await app.open('#/compare?ids=1,999');
  await expect(page.getByTestId('missing-runs')).toHaveText('Run #999 does not exist (deleted, or a mistyped address); only #1 is left to show.');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByTestId('lineage')).toContainText('#1 baseline');
  await expect(page.getByRole('img', { name: 'Loss_D per iteration' })).toBeVisible();
  await expect(page.locator('.picker summary')).toContainText('Choose runs (1 selected');

  await app.open('#/compare?ids=1,2');
  await expect(page.getByTestId('missing-runs')).toHaveCount(0);
  await expect(page.locator('.picker summary')).toContainText('Choose runs (2 selected');
  await expect(page.getByTestId('config-diff')).toContainText('seed');
  // Through the page itself (a hash change, no reload): the old answer's notice and count must go.
  await page.evaluate(() => ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/compare?ids=2,998'));
  await expect(page.getByTestId('missing-runs')).toContainText('Run #998 does not exist');
  await expect(page.locator('.picker summary')).toContainText('Choose runs (1 selected');
  await page.evaluate(() => ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/compare?ids=1,2'));
  await expect(page.getByTestId('missing-runs')).toHaveCount(0);
  await expect(page.locator('.picker summary')).toContainText('Choose runs (2 selected');
});
