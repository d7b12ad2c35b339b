import type { Locator, Page } from '@playwright/test';

export class ComparePage {
  readonly diff: Locator;
  readonly lineage: Locator;

  constructor(readonly page: Page) {
    this.diff = page.getByTestId('config-diff');
    this.lineage = page.getByTestId('lineage');
  }

  diffRow(field: string): Locator {
    const exact = new RegExp(`^\\s*${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
    return this.diff.locator('tbody tr').filter({ has: this.page.locator('th', { hasText: exact }) });
  }
}
