import { expect, type Locator, type Page } from '@playwright/test';

export class RunPage {
  readonly status: Locator;
  readonly progress: Locator;
  readonly epochs: Locator;
  readonly gridSlider: Locator;
  readonly gridImage: Locator;

  constructor(readonly page: Page) {
    this.status = page.locator('.progress .badge');
    this.progress = page.getByTestId('progress-text');
    this.epochs = page.getByTestId('epochs-table').locator('tbody tr');
    this.gridSlider = page.getByRole('slider', { name: 'Epoch' });
    this.gridImage = page.getByRole('img', { name: /Generator samples from fixed noise after epoch/ });
  }

  async waitForStatus(status: string, timeout = 180_000): Promise<void> {
    await expect(this.status).toHaveText(status, { timeout });
  }
}
