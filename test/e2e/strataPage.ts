/** Page object for the Strata UI: navigation, the union editor's branch rows, and screenshots. */
import { expect, type Locator, type Page } from '@playwright/test';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const SHOTS = join(root, 'test-results', 'screenshots');
const DOCS = join(root, 'docs', 'screenshots');

export class StrataPage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  }

  async go(screen: 'Unions' | 'Mapped files' | 'Inspector' | 'Activity'): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: screen }).click();
  }

  /**
   * Saves test-results/screenshots/NAME.png. With STRATA_UPDATE_SCREENSHOTS=1, `forDocs` shots also
   * refresh docs/screenshots for the README (an ordinary test run leaves tracked files alone).
   */
  async shoot(name: string, forDocs = false): Promise<void> {
    mkdirSync(SHOTS, { recursive: true });
    const file = join(SHOTS, `${name}.png`);
    await this.page.screenshot({ path: file, animations: 'disabled' });
    if (forDocs && process.env.STRATA_UPDATE_SCREENSHOTS === '1') {
      mkdirSync(DOCS, { recursive: true });
      copyFileSync(file, join(DOCS, `${name}.png`));
    }
  }

  branchRows(): Locator {
    return this.page.getByRole('list', { name: 'Branches, top first' }).getByRole('listitem');
  }

  async branchOrder(): Promise<string[]> {
    return this.branchRows().evaluateAll((rows) => rows.map((r) => r.getAttribute('data-branch') ?? ''));
  }

  branchRow(path: string): Locator {
    return this.page.locator(`li[data-branch="${path}"]`);
  }

  async addBranch(path: string): Promise<void> {
    const field = this.page.getByRole('combobox', { name: 'Add a branch' });
    await field.fill(path);
    await this.page.getByRole('button', { name: 'Add branch' }).click();
    await expect(this.branchRow(path)).toBeVisible();
  }

  announcer(): Locator {
    return this.page.getByTestId('announcer');
  }

  preview(): Locator {
    return this.page.getByTestId('preview');
  }
}
