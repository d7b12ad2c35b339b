import { expect, type Locator, type Page } from '@playwright/test';

export class NewRunPage {
  readonly estimate: Locator;

  constructor(readonly page: Page) {
    this.estimate = page.getByTestId('estimate');
  }

  field(label: string): Locator {
    return this.page.getByLabel(label, { exact: true });
  }

  async fill(values: Record<string, string>): Promise<void> {
    for (const [label, v] of Object.entries(values)) await this.field(label).fill(v);
  }

  async create(start = true): Promise<void> {
    await this.page.getByRole('button', { name: start ? 'Create and start' : 'Create, start later' }).click();
  }

  async expectFieldError(label: string, message: string): Promise<void> {
    await expect(this.field(label)).toHaveAttribute('aria-invalid', 'true');
    await expect(this.page.locator('.field-error', { hasText: message })).toBeVisible();
  }
}
