import { expect, test } from './support/fixtures.js';
import { ComparePage } from './pages/compare-page.js';
import { ReviewPage } from './pages/review-page.js';
import { RunPage } from './pages/run-page.js';

test('flags are reviewed with the keyboard, and confirmed ones are excluded in a derived run', async ({ app, page }) => {
  await app.open('#/run/1/review');
  const review = new ReviewPage(page);
  await expect(page.getByLabel('Epoch')).toHaveValue('2');
  await expect(review.cells().first()).toBeVisible();
  const first = await review.cells().nth(0).getAttribute('id');
  const second = await review.cells().nth(1).getAttribute('id');
  await review.expectCounts(0, 0);

  await review.focusGrid();
  await expect(review.current()).toHaveAttribute('id', first!);
  await page.keyboard.press('c');
  await review.expectCounts(1, 0);
  await expect(review.current()).toHaveAttribute('id', second!);
  await page.keyboard.press('d');
  await review.expectCounts(1, 1);
  await page.keyboard.press('u');
  await review.expectCounts(1, 0);
  await expect(review.current()).toHaveAttribute('id', second!);

  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('n');
  await expect(review.note).toBeFocused();
  await review.note.fill('background stroke, not a digit part');
  await page.keyboard.press('Escape');
  await expect(review.grid).toBeFocused();
  await page.keyboard.press('Enter');
  await review.expectCounts(2, 0);
  await app.shot('review');

  // Decisions are stored: a reload shows them.
  await page.reload();
  await review.expectCounts(2, 0);

  await page.getByRole('button', { name: 'Exclude 2 confirmed and retrain' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Create derived run' }).click();
  await expect(page.getByText('Derived from run #1, excluding 2 samples.')).toBeVisible();
  const run = new RunPage(page);
  await run.waitForStatus('completed');
  const childId = Number(/#\/run\/(\d+)/.exec(page.url())![1]);

  await app.open(`#/compare?ids=1,${childId}`);
  const compare = new ComparePage(page);
  await expect(compare.lineage).toContainText(`derived from #1, 2 samples excluded`);
  await expect(compare.diffRow('excluded (count)')).toContainText('2');
});

test('C confirms and never toggles: pressed twice on one sample it stays confirmed, also after a reload', async ({ app, page }) => {
  await app.open('#/run/1/review');
  const review = new ReviewPage(page);
  await expect(review.cells().nth(4)).toBeVisible();
  await review.focusGrid();
  // The fifth sample: the test above leaves it undecided.
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
  const id = (await review.current().getAttribute('id'))!;
  const sample = review.grid.locator(`#${id}`);
  await expect(sample).toHaveAttribute('aria-label', /not reviewed$/);
  const counts = async () => Number(/(\d+) confirmed/.exec((await review.counts.textContent()) ?? '')![1]);
  const before = await counts();

  await page.keyboard.press('c');
  await expect(sample).toHaveAttribute('aria-label', /, confirmed$/);
  await expect(review.current()).not.toHaveAttribute('id', id);
  await page.keyboard.press('ArrowLeft');
  await expect(review.current()).toHaveAttribute('id', id);
  await page.keyboard.press('c');
  await expect(review.current()).not.toHaveAttribute('id', id);
  await expect(sample).toHaveAttribute('aria-label', /, confirmed$/);
  await expect.poll(counts).toBe(before + 1);

  // The repeated key left no undo step of its own: one U takes back the one change made.
  await page.keyboard.press('u');
  await expect(review.current()).toHaveAttribute('id', id);
  await expect(sample).toHaveAttribute('aria-label', /not reviewed$/);
  await page.keyboard.press('c');
  await expect(sample).toHaveAttribute('aria-label', /, confirmed$/);

  await page.reload();
  await expect(review.grid.locator(`#${id}`)).toHaveAttribute('aria-label', /, confirmed$/);
  await expect.poll(counts).toBe(before + 1);
});
