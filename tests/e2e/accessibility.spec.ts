import { expect, test } from './support/fixtures.js';

const VIEWS = ['#/runs', '#/new', '#/run/1', '#/run/1/explain', '#/run/1/review', '#/compare?ids=1,2'];

test('every control in every view has an accessible name', async ({ app, page }) => {
  for (const view of VIEWS) {
    await app.open(view);
    await expect(page.locator('h1')).toBeVisible();
    const controls = page.locator('main').locator('button:visible, input:visible, select:visible, textarea:visible, a[href]:visible');
    // Views fill in as their data arrives: wait for a control that comes with the data.
    await expect(page.locator('main a[href^="#/run/"]:visible, main input:visible, main select:visible').first()).toBeVisible();
    await expect(page.locator('main').getByText('Loading…')).toHaveCount(0);
    const n = await controls.count();
    for (let i = 0; i < n; i++) await expect(controls.nth(i), `${view} control ${i}`).toHaveAccessibleName(/\S/);
  }
});

test('the header is reachable with Tab and shows where focus is', async ({ app, page }) => {
  await app.open('#/runs');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Tab');
  const runsLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' });
  await expect(runsLink).toBeFocused();
  const outline = await runsLink.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { outlineStyle: string } }).getComputedStyle(el).outlineStyle);
  expect(outline).toBe('solid');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/new$/);
  await expect(page.getByRole('heading', { name: 'New run' })).toBeVisible();
});
