/**
 * One stuck union must not stop anything else: a union mounted with the CLI whose worker is stopped
 * (SIGSTOP) shows "Not responding since …" with Abort and detach, while the list and another union keep
 * working; abort clears it without waiting on it.
 */
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StrataPage } from './strataPage.ts';

const dir = process.env.STRATA_E2E_DIR!;
const url = process.env.STRATA_E2E_URL!;
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

function mounted(mountpoint: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[4] === mountpoint);
}

test.describe.serial('a union that stops answering', () => {
  let page: Page;
  let pid: number | undefined;
  const hungMnt = `${dir}/hung-mnt`;
  const okMnt = `${dir}/ok-mnt`;

  test.beforeAll(async ({ browser }) => {
    for (const sub of ['hung-mnt', 'hung-branch', 'ok-mnt', 'ok-branch']) mkdirSync(`${dir}/${sub}`, { recursive: true });
    execFileSync(process.execPath, [CLI, 'mount', hungMnt, '--branch', `${dir}/hung-branch`], { timeout: 30_000 });
    execFileSync(process.execPath, [CLI, 'mount', okMnt, '--branch', `${dir}/ok-branch`], { timeout: 30_000 });
    const list = JSON.parse(execFileSync(process.execPath, [CLI, 'list', '--json'], { encoding: 'utf8', timeout: 20_000 })) as {
      mountpoint: string;
      pid?: number;
    }[];
    pid = list.find((u) => u.mountpoint === hungMnt)?.pid;
    expect(pid).toBeGreaterThan(0);
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('dialog', (d) => void d.accept().catch(() => undefined));
    await new StrataPage(page).open(url);
  });

  test.afterAll(async () => {
    // Whatever happened, leave no stopped worker and no mount behind.
    if (pid) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        /* gone */
      }
    }
    for (const mp of [hungMnt, okMnt]) {
      if (mounted(mp)) execFileSync(process.execPath, [CLI, 'unmount', '--force', mp], { stdio: 'ignore', timeout: 20_000 });
    }
    await page?.close();
  });

  test('shows it as not responding, keeps the other union working, and aborts it', async () => {
    test.setTimeout(60_000);
    const row = page.locator(`tr[data-mountpoint="${hungMnt}"]`);
    const ok = page.locator(`tr[data-mountpoint="${okMnt}"]`);
    await expect(row.locator('[data-state]')).toHaveText('Mounted', { timeout: 20_000 });

    process.kill(pid!, 'SIGSTOP');
    await expect(row.locator('[data-state]')).toHaveText('Not responding', { timeout: 30_000 });
    await expect(row.getByTestId('hung')).toContainText('Not responding since');
    // Its branches' figures are the last it gave: once they are older than the list, they say so.
    await expect(row.getByTestId('stale')).toContainText('(stale)', { timeout: 20_000 });
    await new StrataPage(page).shoot('unions-hung', true);

    // The list and the other union keep working meanwhile.
    await expect(ok.locator('[data-state]')).toHaveText('Mounted');
    const started = Date.now();
    await ok.getByRole('button', { name: 'Unmount ok-mnt' }).click();
    await expect(ok).toHaveCount(0, { timeout: 20_000 });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(mounted(okMnt)).toBe(false);

    await row.getByRole('button', { name: 'Abort and detach hung-mnt' }).click();
    await expect(row).toHaveCount(0, { timeout: 30_000 });
    expect(mounted(hungMnt)).toBe(false);
  });
});
