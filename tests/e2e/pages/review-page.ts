import { expect, type Locator, type Page } from '@playwright/test';

export class ReviewPage {
  readonly grid: Locator;
  readonly counts: Locator;
  readonly note: Locator;

  constructor(readonly page: Page) {
    this.grid = page.getByTestId('review-grid');
    this.counts = page.getByTestId('review-counts');
    this.note = page.getByLabel('Note (N)');
  }

  cells(): Locator {
    return this.grid.getByRole('option');
  }

  current(): Locator {
    return this.grid.locator('[role=option][aria-selected=true]');
  }

  async focusGrid(): Promise<void> {
    await this.grid.focus();
    await expect(this.grid).toBeFocused();
  }

  async expectCounts(confirmed: number, dismissed: number): Promise<void> {
    await expect(this.counts).toContainText(`${confirmed} confirmed`);
    await expect(this.counts).toContainText(`${dismissed} dismissed`);
  }
}
