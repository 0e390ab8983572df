/**
 * Unions that outlive the window, in Chromium against `strata serve` and a real FUSE mount made with the
 * CLI: the export dialog shows the same three forms as `strata export`, and a branch pushed below its
 * minimum free space raises a notice in the page.
 */
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { StrataPage } from './strataPage.ts';

const dir = process.env.STRATA_E2E_DIR!;
const url = process.env.STRATA_E2E_URL!;
const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const root = join(dir, 'export');
const [top, low, mnt] = ['top', 'low', 'mnt'].map((d) => join(root, d));
const strata = (...args: string[]) => execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

test.describe.serial('export and notices', () => {
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    for (const d of [top, low, mnt]) mkdirSync(d, { recursive: true });
    strata('mount', mnt, '--branch', `${top}=rw`, '--branch', `${low}=ro`, '--create', 'mfs', '--name', 'shelf');
    page = await browser.newPage();
    await new StrataPage(page).open(url);
  });

  test.afterAll(async () => {
    await page.close();
    strata('unmount', '--force', mnt);
  });

  test('the export dialog shows the fstab line, the systemd unit and the command of a real union', async () => {
    const row = page.locator(`tr[data-mountpoint="${mnt}"]`);
    await expect(row.getByText('Mounted outside the app')).toBeVisible();
    await row.getByRole('button', { name: 'Export shelf' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export shelf' });
    for (const format of ['fstab', 'systemd', 'cli']) {
      const expected = strata('export', mnt, '--format', format);
      await expect(dialog.locator(`section[data-form="${format}"] pre`)).toHaveText(format === 'systemd' ? expected : expected.trimEnd());
    }
    await expect(dialog.getByRole('heading', { name: /systemd unit .*-mnt\.mount/ })).toBeVisible();
    await new StrataPage(page).shoot('export-dialog', true);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
  });

  test('a branch pushed below its minimum free space shows a notice', async () => {
    await expect(page.getByRole('status').filter({ hasText: 'nearly full' })).toHaveCount(0);
    // More than any disk here has free: the top branch is below its minimum from now on.
    strata('set', mnt, '--minfree', '1000T');
    const notice = page.getByRole('status').filter({ hasText: `shelf: ${top} is nearly full` });
    await expect(notice).toBeVisible({ timeout: 20_000 });
    await expect(notice).toContainText('less free space than its minimum (1000 TiB)');
    await notice.getByRole('button', { name: /^Hide the notice/ }).click();
    await expect(notice).toBeHidden();
  });
});
