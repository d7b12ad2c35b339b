import { join } from 'node:path';
import { presetConfig } from '../../src/shared/config.js';
import { selectIndices } from '../../src/main/engine/data/dataset.js';
import { openDatabase } from '../../src/main/store/db.js';
import { createRun } from '../../src/main/store/runs.js';
import { expect, test } from './support/fixtures.js';
import { NewRunPage } from './pages/new-run-page.js';
import { RunPage } from './pages/run-page.js';
import { RunsPage } from './pages/runs-page.js';

const TINY = { ...presetConfig('quick'), arch: 'paper' as const, limit: 128, ngf: 4, ndf: 4, batchSize: 32, epochs: 1 };

/** A parent and a run derived from it, written to the served home's database as another process would. */
function parentWithChild(): { parent: number; child: number } {
  const db = openDatabase(join(process.env.E2E_HOME!, 'gan-focus.db'));
  try {
    const parent = createRun(db, { name: 'lineage parent', config: TINY });
    // Three of the images the parent trains on (its seeded 128 of MNIST's 60,000).
    const excluded = Array.from(selectIndices(60_000, TINY.limit, TINY.seed, new Set()).slice(0, 3), (i) => `mnist-train:${i}`);
    const child = createRun(db, { name: 'lineage child', config: { ...TINY, excluded }, parentId: parent.id, excluded });
    return { parent: parent.id, child: child.id };
  } finally {
    db.close();
  }
}

test('the Run page shows and edits notes and tags; "cpu, tiny" is two tags; Duplicate keeps them; deleting a parent names its derived run', async ({ app, page }) => {
  const { parent, child } = parentWithChild();
  await app.open(`#/run/${parent}`);
  await expect(page.getByTestId('run-about')).toContainText('No tags');
  // A derived run's header counts the images it trains on, not its parent's limit (defect 6).
  await app.open(`#/run/${child}`);
  await expect(page.getByTestId('run-config')).toContainText('MNIST, 125 images (128 images minus 3 excluded), D ');
  await app.open(`#/run/${parent}`);
  await expect(page.getByTestId('run-config')).toContainText('MNIST, 128 images, D ');
  await page.getByRole('button', { name: 'Edit name, notes, tags' }).click();
  const dialog = page.getByRole('dialog', { name: /Edit run/ });
  await dialog.getByLabel('Notes').fill('lr 2e-4, seed 1: the control arm');
  await dialog.getByRole('combobox', { name: /Add a tag/ }).fill('cpu, tiny');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('list', { name: 'Tags' }).getByRole('listitem')).toHaveText(['cpu', 'tiny']);
  await expect(page.getByTestId('run-notes')).toHaveText('lr 2e-4, seed 1: the control arm');

  await app.open('#/runs');
  const runs = new RunsPage(page);
  await runs.row('lineage parent').getByRole('button', { name: 'Duplicate run lineage parent' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('lineage parent (copy)');
  await expect(page.getByRole('list', { name: 'Tags' }).getByRole('listitem')).toHaveText(['cpu', 'tiny']);
  await expect(page.getByTestId('run-notes')).toHaveText(`Duplicated from run #${parent} "lineage parent".`);

  await app.open('#/runs');
  await runs.row('lineage parent').getByRole('button', { name: 'Delete run lineage parent' }).click();
  const confirm = page.getByRole('dialog', { name: /Delete run/ });
  await expect(confirm.getByTestId('delete-children')).toContainText('One run was derived from it. They are kept');
  await expect(confirm.getByTestId('delete-children')).toContainText(`#${child} “lineage child” (3 excluded)`);
  await confirm.getByRole('button', { name: 'Delete run and files' }).click();
  await expect(confirm).toBeHidden();
  await expect(runs.row('lineage parent')).toHaveCount(0);
  await expect(runs.row('lineage child')).toContainText(`Derived from run #${parent} "lineage parent"`);
  await expect(runs.row('lineage child')).not.toContainText('derived from #');

  // Leave the shared home as the other tests expect it.
  for (const name of ['lineage child', 'lineage parent (copy)']) await runs.remove(name);
});

test('Cancel asks first; a cancelled run is labelled cancelled, with when and why', async ({ app, page }) => {
  await app.open('#/new');
  const form = new NewRunPage(page);
  await page.getByLabel('Name (optional)').fill('to be cancelled');
  await form.fill({ 'Training images': '4096', 'Generator width (ngf)': '4', 'Discriminator width (ndf)': '4', 'Batch size': '32', Epochs: '3' });
  await expect(form.estimate).toContainText(/per epoch/);
  await form.create();
  const run = new RunPage(page);
  await run.waitForStatus('running');
  const cancel = page.getByRole('button', { name: 'Cancel training' });
  await cancel.click();
  const dialog = page.getByRole('dialog', { name: /Cancel training of run/ });
  await expect(dialog).toContainText('It stops after the current iteration');
  await dialog.getByRole('button', { name: 'Keep training' }).click();
  await expect(dialog).toBeHidden();
  await expect(run.status).toHaveText('running');

  await cancel.click();
  await dialog.getByRole('button', { name: 'Cancel training' }).click();
  await run.waitForStatus('cancelled');
  await expect(page.getByTestId('ended')).toHaveText(/^cancelled \d{4}-\d\d-\d\d \d\d:\d\d$/);
  await expect(page.getByTestId('run-error')).toContainText('Cancelled: from the workbench.');
  await expect(page.getByRole('button', { name: /Resume from epoch/ })).toBeVisible();

  await app.open('#/runs');
  await new RunsPage(page).remove('to be cancelled');
});
