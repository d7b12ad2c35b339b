import { cli } from './support/cli.js';
import { expect, test } from './support/fixtures.js';
import { ExplainPage } from './pages/explain-page.js';

// The explain selection (layer, method, target, threshold) is one choice shared
// by Explain, Review and Compare, kept in the address; an explanation made from
// the CLI with settings the UI never chose is offered and opens.
const SELECTION = /layer=block2&method=hirescam&target=real&threshold=0\.6(&|$)/;

test('a CLI explanation with non-default settings opens in the UI, and the address keeps the selection across reload, Review and Compare', async ({ app, page }) => {
  const home = process.env.E2E_HOME!;
  cli(home, ['explain', '2', '--layer', 'block2', '--method', 'hirescam', '--threshold', '0.6']);

  await app.open('#/run/2/explain');
  const explain = new ExplainPage(page);
  await expect(explain.epochColumns()).toHaveText(['1', '2']);
  const explained = page.getByRole('combobox', { name: 'Explained with' });
  await expect(explained.locator('option', { hasText: 'block2 · hirescam · threshold 60 %' })).toHaveText(/probes at 2 epochs/);
  // Nothing chosen yet: the defaults, written into the address.
  await expect(page).toHaveURL(/#\/run\/2\/explain\?method=hirescam&target=real&threshold=0\.7$/);
  await explained.selectOption({ label: (await explained.locator('option', { hasText: 'block2 · hirescam · threshold 60 %' }).textContent())! });
  await expect(page).toHaveURL(SELECTION);
  await expect(page.getByRole('combobox', { name: 'Layer' })).toHaveValue('block2');
  await expect(page.getByRole('combobox', { name: 'Method' })).toHaveValue('hirescam');
  await expect(page.getByRole('spinbutton', { name: 'Threshold' })).toHaveValue('0.6');
  await expect(explain.epochColumns()).toHaveText(['1', '2']);
  await expect(explain.cell(0, 1)).toHaveAccessibleName(/epoch 2: off-digit/);

  // A bookmarked address restores the selection.
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Method' })).toHaveValue('hirescam');
  await expect(page.getByRole('combobox', { name: 'Layer' })).toHaveValue('block2');
  await expect(explain.epochColumns()).toHaveText(['1', '2']);

  // Explain -> Review keeps it, and Review offers the training set under it.
  await page.getByRole('link', { name: 'Review flags' }).click();
  await expect(page).toHaveURL(/#\/run\/2\/review\?/);
  await expect(page).toHaveURL(SELECTION);
  await expect(page.getByRole('combobox', { name: 'Method' })).toHaveValue('hirescam');
  await expect(page.getByText(/not explained at epoch \d with block2 · hirescam · threshold 60 %/)).toBeVisible();

  // Review -> Compare through an address without a selection: the current one is kept and written in.
  await page.evaluate(() => ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/compare?ids=1,2'));
  await expect(page).toHaveURL(/#\/compare\?ids=1,2&layer=block2&method=hirescam&target=real&threshold=0\.6$/);
  await expect(page.getByRole('combobox', { name: 'Method' })).toHaveValue('hirescam');
  // Run 2 is explained with these settings, run 1 is not.
  await expect(page.getByRole('img', { name: /probe \d+ CAM at epoch 2/ })).toHaveCount(16);
  await expect(page.getByText('Not explained at this epoch.')).toHaveCount(1);
  await expect(page.getByTestId('report-settings')).toHaveText('CAMs and flags with block2 · hirescam · threshold 60 %');

  // Changing it in Compare is the same selection everywhere.
  await page.getByRole('combobox', { name: 'Method' }).selectOption('gradcam');
  await expect(page).toHaveURL(/method=gradcam/);
  await expect(page.getByRole('img', { name: /probe \d+ CAM at epoch 2/ })).toHaveCount(0);
  await page.goBack();
  await expect(page).toHaveURL(/#\/run\/2\/review\?.*method=hirescam/);
});
