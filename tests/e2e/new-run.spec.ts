import { expect, test } from './support/fixtures.js';
import { NewRunPage } from './pages/new-run-page.js';
import { RunPage } from './pages/run-page.js';

test('the form explains bad values in words and will not submit them', async ({ app, page }) => {
  await app.open('#/new');
  const form = new NewRunPage(page);
  await expect(form.field('Batch size')).toHaveValue('64');
  await form.fill({ 'Batch size': '1', Epochs: '' });
  await form.create();
  await form.expectFieldError('Batch size', 'Batch size must be at least 2');
  await form.expectFieldError('Epochs', 'Epochs is required');
  await expect(page.getByRole('alert').filter({ hasText: 'The form has 2 problems' })).toBeVisible();
  await expect(page).toHaveURL(/#\/new$/);
});

test('a tiny run is created from the form, trains live and finishes', async ({ app, page }) => {
  await app.open('#/new');
  const form = new NewRunPage(page);
  await page.getByLabel('Name (optional)').fill('from the form');
  await form.fill({ 'Training images': '128', 'Generator width (ngf)': '8', 'Discriminator width (ndf)': '8', 'Batch size': '32', Epochs: '2' });
  await expect(form.estimate).toContainText(/per epoch on \S+/);
  await app.shot('new-run');
  await form.create();

  const run = new RunPage(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('from the form');
  await run.waitForStatus('completed');
  await expect(run.progress).toContainText('2 of 2 epochs · 100 %');
  await expect(run.epochs).toHaveCount(2);
  await expect(run.gridImage).toHaveAttribute('alt', /epoch 2$/);
  await run.gridSlider.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(run.gridImage).toHaveAttribute('alt', /epoch 1$/);
  await expect(page.getByRole('img', { name: 'Losses' })).toBeVisible();
  await app.shot('run');
});
