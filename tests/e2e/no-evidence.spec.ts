import { expect, test } from './support/fixtures.js';
import { ExplainPage } from './pages/explain-page.js';

// Runs 1 and 2 of the fixture are explained on their probes at every epoch.
test('Compare shows the probes without evidence per run and epoch, and beside each CAM column', async ({ app, page }) => {
  await app.open('#/compare?ids=1,2');
  const table = page.getByTestId('no-evidence-table');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table.locator('tbody tr').first()).toContainText(/#1\s*\d+ of 16/);
  await expect(page.getByTestId('cam-no-evidence').first()).toHaveText(/^(\d+ of 16 probes without evidence|No probe has evidence at epoch \d+: every CAM is zero\.)$/);
});

test('Explain shows the baseline ratio beside the off-digit share of an enlarged cell', async ({ app, page }) => {
  await app.open('#/run/1/explain');
  const explain = new ExplainPage(page);
  const dialog = await explain.enlarge(0, 0);
  await expect(dialog).toContainText(/Off-digit share (\d+\.\d %|no evidence) \(baseline \d+\.\d %: a CAM exactly on the digit at this layer\)/);
  // Its flags over the explained epochs, counted from the grid's outlined cells.
  await page.keyboard.press('Escape');
  const flagged = await explain.probeRows().first().locator('.cell.flagged').count();
  const epochs = await explain.epochColumns().count();
  await explain.enlarge(0, 0);
  await expect(page.getByTestId('probe-stability')).toHaveText(`This probe is flagged at ${flagged} of ${epochs} explained epochs.`);
});
