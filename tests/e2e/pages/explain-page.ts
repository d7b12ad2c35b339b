import { expect, type Locator, type Page } from '@playwright/test';

export class ExplainPage {
  readonly grid: Locator;
  readonly opacity: Locator;
  readonly recommendation: Locator;

  constructor(readonly page: Page) {
    this.grid = page.getByTestId('explain-grid');
    this.opacity = page.getByRole('slider', { name: 'CAM opacity' });
    this.recommendation = page.getByTestId('recommendation');
  }

  epochColumns(): Locator {
    return this.grid.locator('thead th').filter({ hasText: /^\d+$/ });
  }

  probeRows(): Locator {
    return this.grid.locator('tbody tr');
  }

  cell(row: number, col: number): Locator {
    return this.probeRows().nth(row).getByRole('button').nth(col);
  }

  async enlarge(row: number, col: number): Promise<Locator> {
    await this.cell(row, col).click();
    const dialog = this.page.getByRole('dialog', { name: /Probe #\d+/ });
    await expect(dialog).toBeVisible();
    return dialog;
  }
}
