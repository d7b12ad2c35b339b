import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { STUDY_ARM_LABELS, type StudyDetail } from '../../src/shared/study.js';
import { tinyStudyParent } from '../helpers/tiny-study.js';
import { cli, ROOT, startServe } from './support/cli.js';
import { watchPage } from './support/fixtures.js';
import { ComparePage } from './pages/compare-page.js';
import { StudyPage } from './pages/study-page.js';

// A real tiny study (3 arms x 2 seeds, 2 epochs each, so every arm's curve is
// a line) made through the CLI, then its Study view. Its own home and server:
// the study's six runs would join the runs table the other specs read.
let home = '';
let server: { url: string; child: ChildProcess } | null = null;
let study: StudyDetail;

test.beforeAll(async () => {
  // At load 15-27 on the shared 2-core machine the study alone took 2,435 s, past a 30-minute limit.
  test.setTimeout(3_600_000);
  home = mkdtempSync(join(tmpdir(), 'gan-focus-e2e-study-'));
  const threshold = tinyStudyParent((args) => cli(home, args));
  const started = Date.now();
  cli(home, ['study', '1', '--epoch', '1', '--seeds', '2', '--epochs', '2', '--threshold', threshold]);
  console.log(`tiny study for the Study view (6 runs x 2 epochs): ${((Date.now() - started) / 1000).toFixed(0)} s`);
  study = JSON.parse(cli(home, ['study', 'show', '1', '--json']));
  server = await startServe(home);
});

test.afterAll(async () => {
  if (server) {
    server.child.kill('SIGTERM');
    await new Promise((r) => server!.child.once('exit', r));
  }
  if (home) rmSync(home, { recursive: true, force: true });
});

test('the Study view: verdict, arms x seeds with run links, a curve and band per arm, Compare, Export', async ({ page }) => {
  const problems = await watchPage(page);
  await page.goto(`${server!.url}#/study/1`);
  const view = new StudyPage(page);
  await expect(view.status).toHaveText('completed');
  await expect(view.verdict).toContainText(study.verdict);

  for (const a of study.arms) {
    const row = view.arm(STUDY_ARM_LABELS[a.name]);
    await expect(row).toHaveCount(1);
    await expect(row.getByRole('link')).toHaveText(a.runs.map((r) => `#${r.id}`));
  }
  await expect(view.lines).toHaveCount(3);
  // Two epochs: each arm's mean is a line, and its band over the 2 seeds a closed area.
  for (const line of await view.lines.all()) await expect(line).toHaveAttribute('d', /^M[^L]+L/);
  for (const band of await view.bands.all()) await expect(band).toHaveAttribute('d', /L.*Z$/);
  await expect(view.bands).toHaveCount(3);
  await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'study.png'), fullPage: true, animations: 'disabled' });

  // A run link opens that run.
  const flagged = study.arms.find((a) => a.name === 'flagged-excluded')!.runs[0];
  await view.runLink(flagged.id).click();
  await expect(page).toHaveURL(new RegExp(`#/run/${flagged.id}$`));
  await expect(page.locator('#run-title')).toContainText(`study 1: flagged-excluded, seed ${flagged.seed}`);
  await page.goBack();

  // Compare: one seed's three arms side by side; they differ only in their exclusions.
  await view.compareLink(study.seeds[0]).click();
  const ids = study.arms.map((a) => a.runs[0].id);
  // The address also carries the explain selection (method, target, threshold).
  await expect(page).toHaveURL(new RegExp(`#/compare\\?ids=${ids.join(',')}(&|$)`));
  const compare = new ComparePage(page);
  await expect(compare.diffRow('excluded (count)')).toBeVisible();
  await page.goBack();

  // Export: the study report, as HTML with the verdict and as JSON equal to study show --json.
  await expect(view.verdict).toBeVisible();
  await page.getByLabel('Report').selectOption('html');
  const [html] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
  expect(html.suggestedFilename()).toBe('gan-focus-study-1.html');
  expect(readFileSync((await html.path())!, 'utf8')).toContain('Verdict:');
  await page.getByLabel('Report').selectOption('json');
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
  const { schemaVersion: _v, kind, environment: _e, ...answer } = JSON.parse(readFileSync((await json.path())!, 'utf8'));
  expect(kind).toBe('study');
  expect(answer).toEqual(study);
  expect(problems, 'no console errors, page errors or CSP violations').toEqual([]);
});
