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
  await expect(compare.diff.locator('tbody tr')).toHaveCount(1);
  for (const title of ['Loss_D per epoch', 'Loss_G per epoch', 'D(x) per epoch', 'D(G(z)) per epoch', 'Flag rate of the probes per epoch']) {
    await expect(page.getByRole('img', { name: title })).toBeVisible();
  }
  await expect(page.getByRole('img', { name: /probe \d+ CAM at epoch 2/ })).toHaveCount(32);
  await app.shot('compare');

  // The CAM columns scroll together.
  const panes = page.locator('.pane');
  await panes.nth(0).evaluate((el) => (el.scrollTop = 200));
  await expect.poll(() => panes.nth(1).evaluate((el) => el.scrollTop)).toBeGreaterThan(150);
});
