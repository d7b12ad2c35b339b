import { expect, type Locator, type Page } from '@playwright/test';

export class RunsPage {
  readonly table: Locator;
  readonly search: Locator;
  readonly status: Locator;

  constructor(readonly page: Page) {
    this.table = page.getByTestId('runs-table');
    this.search = page.getByRole('searchbox', { name: 'Search runs' });
    this.status = page.getByLabel('Status');
  }

  row(name: string): Locator {
    return this.table.locator('tbody tr').filter({ has: this.page.getByRole('link', { name, exact: true }) });
  }

  async expectRuns(names: string[]): Promise<void> {
    await expect(this.table.locator('tbody tr td:nth-child(3) > a')).toHaveText(names);
  }

  async edit(name: string, patch: { name?: string; notes?: string; addTags?: string[] }): Promise<void> {
    await this.row(name).getByRole('button', { name: `Edit run ${name}` }).click();
    const dialog = this.page.getByRole('dialog', { name: /Edit run/ });
    if (patch.name !== undefined) await dialog.getByLabel('Name').fill(patch.name);
    if (patch.notes !== undefined) await dialog.getByLabel('Notes').fill(patch.notes);
    for (const t of patch.addTags ?? []) {
      const input = dialog.getByRole('combobox', { name: /Add a tag/ });
      await input.fill(t);
      await input.press('Enter');
    }
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();
  }

  async remove(name: string): Promise<void> {
    await this.row(name).getByRole('button', { name: `Delete run ${name}` }).click();
    const dialog = this.page.getByRole('dialog', { name: /Delete run/ });
    await expect(dialog).toContainText('cannot be undone');
    await dialog.getByRole('button', { name: 'Delete run and files' }).click();
    await expect(dialog).toBeHidden();
  }

  async selectForCompare(names: string[]): Promise<void> {
    for (const n of names) await this.page.getByRole('checkbox', { name: `Select run ${n} for comparison` }).check();
  }
}
