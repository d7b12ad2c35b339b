import { expect, test } from './support/fixtures.js';
import { ReviewPage } from './pages/review-page.js';

// The fixture explains run 1's training set at epoch 2 only: every flag there
// was flagged at 1 of 1 explained epochs, and none can meet "2 of the last 2".
test('each flag shows at how many explained epochs it was flagged, and Review can require a stable flag', async ({ app, page }) => {
  await app.open('#/run/1/review');
  const review = new ReviewPage(page);
  await expect(review.cells().first()).toBeVisible();
  const flagged = Number((await review.counts.textContent())!.match(/of (\d+) flagged/)![1]);
  expect(flagged).toBeGreaterThan(0);
  await expect(review.cells().first()).toHaveAccessibleName(/flagged in 1 of 1 explanations/);
  await expect(review.cells().first()).toContainText('1/1');
  await expect(page.getByTestId('stability')).toHaveText('Flagged at 1 of 1 explained epochs (2)');
  await expect(page.getByText(/\(baseline \d+\.\d %\)/)).toBeVisible();

  await page.getByLabel('Stability K').fill('2');
  await page.getByLabel('Stability N').fill('2');
  await page.getByLabel('Stability N').dispatchEvent('change');
  await page.getByRole('checkbox', { name: /Stable: flagged at/ }).check();
  await expect(review.counts).toContainText(`0 flagged shown (of ${flagged} flagged`);
  await expect(review.counts).toContainText('0 flagged at ≥ 2 of the last 2 explained epochs');
  await expect(page.getByTestId('stability-short')).toContainText('Only 1 epoch (2) of the training set is explained with these settings, fewer than the 2 asked for.');
  await expect(page.getByText('No flagged samples match these filters.')).toBeVisible();

  await page.getByLabel('Stability K').fill('1');
  await page.getByLabel('Stability N').fill('1');
  await page.getByLabel('Stability N').dispatchEvent('change');
  await expect(review.counts).toContainText(`${flagged} flagged at ≥ 1 of the last 1 explained epochs`);
  await expect(review.cells().first()).toBeVisible();
  await page.getByRole('checkbox', { name: /Stable: flagged at/ }).uncheck();
  await expect(review.counts).not.toContainText('of the last');
});
