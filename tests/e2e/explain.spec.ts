import { expect, test } from './support/fixtures.js';
import { ExplainPage } from './pages/explain-page.js';

test('the Figure-1 grid shows probes by epochs, enlarges a cell, and the best epoch is confirmed', async ({ app, page }) => {
  await app.open('#/run/1/explain');
  const explain = new ExplainPage(page);
  await expect(explain.epochColumns()).toHaveText(['1', '2']);
  await expect(explain.probeRows()).toHaveCount(16);
  await expect(explain.cell(0, 0)).toHaveAccessibleName(/epoch 1: off-digit (\d+\.\d %|no evidence)/);
  await explain.opacity.fill('0.8');
  await expect(page.locator('output[for=opacity]')).toHaveText('80 %');
  await expect(page.getByRole('combobox', { name: 'Layer' })).toHaveValue('block3');

  const dialog = await explain.enlarge(0, 1);
  await expect(dialog.getByRole('img', { name: 'original' })).toBeVisible();
  await expect(dialog.getByRole('img', { name: 'CAM overlay' })).toBeVisible();
  await expect(dialog).toContainText(/Off-digit/);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // The fixture's tiny G draws no digits: the rule recommends nothing and the gates table says why, per epoch.
  await expect(explain.recommendation).toContainText("No best epoch recommended. No explained epoch passes the rule's gates");
  const verdicts = page.getByTestId('epoch-verdicts');
  await expect(verdicts.locator('tbody tr')).toHaveCount(2);
  await expect(verdicts.locator('tbody tr').first()).toContainText(/excluded: .*G (is poor: FID-MNIST|quality not measured)/);
  await expect(explain.grid.getByTestId('no-evidence-row')).toContainText(/\d+ of 16/);
  await app.shot('explain');
  const epoch = '2';
  await page.getByRole('combobox', { name: 'or choose' }).selectOption(epoch);
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(page.getByText(`Confirmed: epoch ${epoch}`)).toBeVisible();
  await page.reload();
  await expect(page.getByText(`Confirmed: epoch ${epoch}`)).toBeVisible();
});

test('the dark theme applies to every surface and persists', async ({ app, page }) => {
  await app.open('#/run/1/explain');
  const toggle = page.getByRole('button', { name: /Theme: .*; change theme/ });
  await toggle.click();
  await toggle.click();
  await expect(toggle).toHaveText('Theme: dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(new ExplainPage(page).probeRows()).toHaveCount(16);
  await app.shot('explain-dark');
  await page.getByRole('button', { name: /Theme: dark/ }).click();
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', 'dark');
});
