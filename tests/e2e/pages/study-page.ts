import type { Locator, Page } from '@playwright/test';

export class StudyPage {
  readonly verdict: Locator;
  readonly status: Locator;
  readonly table: Locator;
  readonly bands: Locator;
  readonly lines: Locator;

  constructor(readonly page: Page) {
    this.verdict = page.getByTestId('study-verdict');
    this.status = page.getByTestId('study-status');
    this.table = page.getByTestId('study-table');
    const chart = page.getByRole('img', { name: /G quality per epoch/ });
    this.bands = chart.getByTestId('band');
    this.lines = chart.locator('path.line');
  }

  /** The row of an arm in the arms x seeds table, by its label. */
  arm(label: string): Locator {
    return this.table.locator('tbody tr').filter({ has: this.page.getByRole('rowheader', { name: label, exact: true }) });
  }

  runLink(runId: number): Locator {
    return this.table.getByRole('link', { name: `#${runId}`, exact: true });
  }

  compareLink(seed: number): Locator {
    return this.page.getByRole('link', { name: `seed ${seed}`, exact: true });
  }
}
