import { join } from 'node:path';
import { presetConfig } from '../../src/shared/config.js';
import type { MetricRow } from '../../src/shared/types.js';
import { openDatabase } from '../../src/main/store/db.js';
import { insertMetrics } from '../../src/main/store/metrics.js';
import { createRun, setStatus } from '../../src/main/store/runs.js';
import { expect, test } from './support/fixtures.js';
import type { Locator, Page } from '@playwright/test';

const EPOCHS = 3;
const PER_EPOCH = 200;

/** A run with 600 noisy per-iteration metrics, written to the served home as a training process would. */
function runWithCurves(name: string): number {
  const db = openDatabase(join(process.env.E2E_HOME!, 'gan-focus.db'));
  try {
    const run = createRun(db, { name, config: { ...presetConfig('quick'), limit: 128, ngf: 4, ndf: 4, batchSize: 32, epochs: EPOCHS } });
    // Deterministic noise: a smoothed line differs visibly from the raw one.
    const noise = (i: number) => Math.sin(i * 12.9898) * 0.5;
    const rows: MetricRow[] = Array.from({ length: EPOCHS * PER_EPOCH }, (_, i) => ({
      iteration: i + 1,
      epoch: Math.floor(i / PER_EPOCH) + 1,
      lossD: 1.4 - i / 1000 + noise(i),
      lossG: 0.8 + i / 600 + noise(i + 7),
      dx: 0.6 + noise(i) / 3,
      dgz: 0.3 + noise(i + 3) / 3,
    }));
    insertMetrics(db, run.id, rows);
    setStatus(db, run.id, 'cancelled', { error: { message: 'stopped for the chart test' } });
    return run.id;
  } finally {
    db.close();
  }
}

const readout = (chart: Locator) => chart.getByTestId('curve-readout');
const plotOf = (chart: Locator) => chart.locator('.plot');
/** The canvas uPlot draws on; its overlay (.u-over) takes the mouse. */
async function overBox(chart: Locator) {
  const box = await chart.locator('.u-over').boundingBox();
  if (!box) throw new Error('chart has no plotting area');
  return box;
}
async function hoverAt(page: Page, chart: Locator, fraction: number): Promise<void> {
  const b = await overBox(chart);
  await page.mouse.move(b.x + b.width * fraction, b.y + b.height / 2);
}
/** Drags across the middle of a chart from one fraction of its width to another. */
async function dragAcross(page: Page, chart: Locator, from: number, to: number): Promise<void> {
  const b = await overBox(chart);
  await page.mouse.move(b.x + b.width * from, b.y + b.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width * ((from + to) / 2), b.y + b.height / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width * to, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}
/** The x range a chart shows, as [first, last] iteration. */
const xWindow = async (chart: Locator) => (await plotOf(chart).getAttribute('data-x-window'))!.split(',').map(Number);
/** Every chart shows the same x window (to the iteration: each converts the dragged pixels itself). */
async function sameWindow(charts: Locator[]): Promise<void> {
  const [lo, hi] = await xWindow(charts[0]);
  for (const c of charts.slice(1)) {
    await expect(plotOf(c)).toHaveAttribute('data-zoomed', 'true');
    const [a, b] = await xWindow(c);
    expect(Math.abs(a - lo)).toBeLessThanOrEqual(1);
    expect(Math.abs(b - hi)).toBeLessThanOrEqual(1);
  }
}

test('Run curves: hover readout synced across charts, drag zoom and double-click reset on both charts, smoothing redraws, log scale, keyboard', async ({ app, page }) => {
  const id = runWithCurves('curves');
  await app.open(`#/run/${id}`);
  const losses = page.getByTestId('curve-Losses');
  const outputs = page.getByTestId('curve-Discriminator outputs');
  await expect(losses.locator('canvas')).toBeVisible();
  // Away from the chart the readout shows the last iteration.
  await expect(readout(losses)).toContainText('iteration 600 · epoch 3');
  await expect(losses.getByTestId('curve-summary')).toContainText('600 iterations over 3 epochs');

  // Hover: iteration, epoch and both series; the other chart's cursor follows.
  await hoverAt(page, losses, 0.5);
  await expect(readout(losses)).toContainText(/iteration (29\d|30\d) · epoch 2/);
  await expect(readout(losses)).toContainText('Loss_D');
  await expect(readout(losses)).toContainText('Loss_G');
  const shown = (await readout(losses).locator('.mono').first().textContent())!;
  await expect(readout(outputs).locator('.mono').first()).toHaveText(shown);
  await app.shot('run-curves');

  // Smoothing: the smoothed value and the drawing change, the raw value does not.
  const before = await plotOf(losses).screenshot();
  const text = await readout(losses).textContent();
  const slider = page.getByTestId('smoothing').getByRole('slider', { name: 'Smoothing' });
  await slider.fill('0.95');
  await hoverAt(page, losses, 0.5);
  await expect(readout(losses)).not.toHaveText(text!);
  expect(Buffer.compare(before, await plotOf(losses).screenshot())).not.toBe(0);
  await slider.fill('0');
  await hoverAt(page, losses, 0.5);
  // At 0 the smoothed value is the raw one.
  const first = readout(losses).locator('span.nowrap').first();
  const [smooth, raw] = [await first.locator('strong').textContent(), await first.locator('.muted').textContent()];
  expect(`raw ${smooth}`).toBe(raw);
  await slider.fill('0.6');

  // Drag to zoom on x: the other chart zooms to the same iterations. A
  // double-click on either resets both.
  await expect(plotOf(losses)).toHaveAttribute('data-x-window', '1,600');
  await expect(plotOf(outputs)).toHaveAttribute('data-x-window', '1,600');
  await dragAcross(page, losses, 0.25, 0.5);
  await expect(plotOf(losses)).toHaveAttribute('data-zoomed', 'true');
  const [lo, hi] = await xWindow(losses);
  expect(lo).toBeGreaterThan(120);
  expect(hi).toBeLessThan(330);
  await sameWindow([losses, outputs]);
  await expect(losses.getByTestId('reset-zoom')).toBeEnabled();
  await expect(outputs.getByTestId('reset-zoom')).toBeEnabled();
  // The second chart reaches below the 860 px viewport: bring it up to click it.
  await plotOf(outputs).scrollIntoViewIfNeeded();
  const o = await overBox(outputs);
  await page.mouse.dblclick(o.x + o.width * 0.5, o.y + o.height / 2);
  for (const c of [losses, outputs]) {
    await expect(plotOf(c)).toHaveAttribute('data-x-window', '1,600');
    await expect(c.getByTestId('reset-zoom')).toBeDisabled();
  }

  // Log scale redraws the y axis.
  const linear = await plotOf(losses).screenshot();
  await losses.getByTestId('log-toggle').check();
  await expect(losses.locator('canvas')).toBeVisible();
  expect(Buffer.compare(linear, await plotOf(losses).screenshot())).not.toBe(0);
  await losses.getByTestId('log-toggle').uncheck();

  // Keyboard: focus the chart, + zooms (both charts), arrows move the readout, 0 resets (both).
  await plotOf(losses).focus();
  await page.keyboard.press('+');
  await expect(plotOf(losses)).toHaveAttribute('data-zoomed', 'true');
  await sameWindow([losses, outputs]);
  await page.keyboard.press('End');
  const end = await readout(losses).locator('.mono').first().textContent();
  await page.keyboard.press('ArrowLeft');
  await expect(readout(losses).locator('.mono').first()).not.toHaveText(end!);
  await page.keyboard.press('0');
  await expect(plotOf(losses)).toHaveAttribute('data-x-window', '1,600');
  await expect(plotOf(outputs)).toHaveAttribute('data-x-window', '1,600');
});

test('Compare overlays the per-iteration curves of both runs and bands the seeds’ quality from 0', async ({ app, page }) => {
  // Runs 1 and 2 of the global setup differ only by seed.
  await app.open('#/compare?ids=1,2');
  const lossD = page.getByTestId('curve-Loss_D per iteration');
  await expect(lossD.locator('canvas')).toBeVisible();
  await expect(readout(lossD)).toContainText('#1 baseline');
  await expect(readout(lossD)).toContainText('#2 other seed');
  await expect(lossD.getByTestId('curve-summary')).toContainText(/\d+ iterations over 2 epochs/);
  // The cursor and the zoom are shared by the four charts; Reset zoom on any resets all.
  const curves = ['Loss_D', 'Loss_G', 'D(x)', 'D(G(z))'].map((m) => page.getByTestId(`curve-${m} per iteration`));
  await hoverAt(page, lossD, 0.2);
  const it = (await readout(lossD).locator('.mono').first().textContent())!;
  await expect(readout(curves[3]).locator('.mono').first()).toHaveText(it);
  const full = (await plotOf(lossD).getAttribute('data-x-window'))!;
  await dragAcross(page, lossD, 0.3, 0.6);
  await sameWindow([lossD, ...curves.slice(1)]);
  await curves[3].getByTestId('reset-zoom').click();
  for (const c of curves) await expect(plotOf(c)).toHaveAttribute('data-x-window', full);

  const fid = page.getByTestId('quality-G quality: FID to MNIST (lower is better)');
  await expect(fid.locator('canvas')).toBeVisible();
  await expect(fid.getByTestId('quality-readout')).toContainText('#1, #2 (2 seeds)');
  await expect(fid.getByTestId('quality-readout')).toContainText('over 2');
  await expect(fid.getByTestId('band-note')).toContainText('range (min–max) over runs that differ only by seed');
  await expect(fid.getByTestId('band-note')).toContainText('Axis from 0');
  await page.mouse.move(0, 0);
  // The Reset zoom click scrolled down; a full-page shot from there draws the sticky header mid-page.
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
  await app.shot('compare-curves');
});

test('one epoch slider drives every CAM pane of Compare: slider keys, previous/next, play', async ({ app, page }) => {
  await app.open('#/compare?ids=1,2');
  const slider = page.getByTestId('epoch-slider');
  const value = slider.getByTestId('epoch-value');
  const panes = page.locator('.pane');
  await expect(value).toHaveText('2');
  const atEpoch = async (e: number) => {
    for (const i of [0, 1]) await expect(panes.nth(i)).toHaveAttribute('aria-label', new RegExp(`at epoch ${e}$`));
    await expect(page.getByRole('img', { name: new RegExp(`probe \\d+ CAM at epoch ${e}`) })).toHaveCount(32);
  };
  await atEpoch(2);
  await slider.getByRole('slider', { name: 'Epoch' }).focus();
  await page.keyboard.press('ArrowLeft');
  await atEpoch(1);
  await slider.getByRole('button', { name: 'Next epoch' }).click();
  await atEpoch(2);
  // Arrow keys work on the buttons too.
  await slider.getByRole('button', { name: 'Previous epoch' }).focus();
  await page.keyboard.press('ArrowLeft');
  await atEpoch(1);
  // Play steps to the last epoch and stops there.
  const play = slider.getByTestId('epoch-play');
  await play.click();
  await expect(play).toHaveAttribute('aria-pressed', 'true');
  await atEpoch(2);
  await expect(play).toHaveAttribute('aria-pressed', 'false');
  await expect(play).toHaveText('Play');
});
