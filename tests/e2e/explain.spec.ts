import { expect, test } from './support/fixtures.js';
import { ExplainPage } from './pages/explain-page.js';

test('the Figure-1 grid shows probes by epochs, enlarges a cell, and the best epoch is confirmed', async ({ app, page }) => {
  await app.open('#/run/1/explain');
  const explain = new ExplainPage(page);
  await expect(explain.epochColumns()).toHaveText(['1', '2']);
  await expect(explain.probeRows()).toHaveCount(16);
  await expect(explain.cell(0, 0)).toHaveAccessibleName(/epoch 1: off-digit share (\d+\.\d %|no evidence)/);
  await explain.opacity.fill('0.8');
  await expect(page.locator('output[for=opacity]')).toHaveText('80 %');
  // The paper D's measured default (defaultCamLayer) and method.
  await expect(page.getByRole('combobox', { name: 'Layer' })).toHaveValue('block1');
  await expect(page.getByRole('combobox', { name: 'Method' })).toHaveValue('hirescam');

  const dialog = await explain.enlarge(0, 1);
  await expect(dialog.getByRole('img', { name: 'original' })).toBeVisible();
  await expect(dialog.getByRole('img', { name: 'CAM overlay' })).toBeVisible();
  await expect(dialog).toContainText(/Off-digit/);
  await expect(dialog).toContainText(/Faithfulness of this epoch's CAMs \(ROAD, probe samples\): (-?\d+\.\d\d \/ rand -?\d+\.\d\d|—)/);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // The fixture's tiny G draws no digits: the rule recommends nothing and the gates table says why, per epoch.
  await expect(explain.recommendation).toContainText("No best epoch recommended. No explained epoch passes the rule's gates");
  const verdicts = page.getByTestId('epoch-verdicts');
  await expect(verdicts.locator('tbody tr')).toHaveCount(2);
  await expect(verdicts.locator('tbody tr').first()).toContainText(/excluded: .*G (is poor: FID-MNIST|quality not measured)/);
  await expect(explain.grid.getByTestId('no-evidence-row')).toContainText(/\d+ of 16/);
  // Each epoch's stored ROAD faithfulness beside the random map's (a dash where every probe lacks evidence).
  const faithfulness = explain.grid.getByTestId('faithfulness-row').getByTestId('faithfulness');
  await expect(faithfulness).toHaveCount(2);
  await expect(faithfulness.first()).toHaveText(/-?\d+\.\d\d \/ rand -?\d+\.\d\d|—/);
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

test('arrow keys move between grid cells, the enlarged view steps through epochs and probes, and thumbnails grow with the window', async ({ app, page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await app.open('#/run/1/explain');
  const explain = new ExplainPage(page);
  await expect(explain.probeRows()).toHaveCount(16);
  // The grid is one tab stop; its thumbnails share the window's width instead of staying 64 px.
  await expect(explain.grid.locator('button.cell[tabindex="0"]')).toHaveCount(1);
  expect((await explain.cell(0, 0).boundingBox())!.width).toBeGreaterThan(200);

  await explain.cell(0, 0).focus();
  await page.keyboard.press('ArrowRight');
  await expect(explain.cell(0, 1)).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(explain.cell(1, 1)).toBeFocused();
  await page.keyboard.press('Home');
  await expect(explain.cell(1, 0)).toBeFocused();
  await expect(explain.cell(1, 0)).toHaveAttribute('tabindex', '0');
  await expect(explain.cell(0, 0)).toHaveAttribute('tabindex', '-1');

  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: /Probe #\d+/ });
  const title = dialog.getByRole('heading', { level: 2 });
  await expect(title).toContainText('epoch 1');
  const probe = (await title.textContent())!.replace(/, epoch \d+$/, '');
  await page.keyboard.press('ArrowRight');
  await expect(title).toHaveText(`${probe}, epoch 2`);
  // At the last epoch the key stays put.
  await page.keyboard.press('ArrowRight');
  await expect(title).toHaveText(`${probe}, epoch 2`);
  await expect(dialog.getByRole('button', { name: 'Next epoch →' })).toHaveAttribute('aria-disabled', 'true');
  await dialog.getByRole('button', { name: 'Next probe ↓' }).click();
  await expect(title).not.toContainText(probe);
  await expect(title).toContainText('epoch 2');
  await dialog.getByRole('button', { name: '← Previous epoch' }).click();
  await expect(title).toContainText('epoch 1');
  await page.keyboard.press('ArrowUp');
  await expect(title).toHaveText(`${probe}, epoch 1`);
  await page.keyboard.press('ArrowDown');
  await app.shot('explain-enlarged');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  // The grid's focus follows the enlarged view: the third probe, epoch 1.
  await expect(explain.cell(2, 0)).toBeFocused();
  await app.shot('explain-wide');
});
