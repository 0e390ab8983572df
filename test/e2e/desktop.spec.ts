/**
 * The scenario, in Debian's Chromium against `strata serve` with real FUSE mounts: build a union
 * of three branches, reorder them three ways, pick a policy and check the preview, mount, write a file
 * from a child process and find it where the preview said, see a python3 mmap in the mapped-files view,
 * get refused when removing its branch, and unmount once it is gone.
 */
import { expect, test, type Page } from '@playwright/test';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { StrataPage } from './strataPage.ts';

const dir = process.env.STRATA_E2E_DIR!;
const url = process.env.STRATA_E2E_URL!;
const branch = (i: number) => `${dir}/b${i}`;
const mnt = `${dir}/mnt`;
const file = `${mnt}/new-file.txt`;

/** A python3 process that maps `path` read-only and waits until its stdin closes. */
async function startMmapHolder(path: string): Promise<ChildProcess> {
  const code = 'import mmap,sys\nf=open(sys.argv[1],"rb")\nm=mmap.mmap(f.fileno(),0,prot=mmap.PROT_READ)\nprint("ready",flush=True)\nsys.stdin.read()';
  const child = spawn('python3', ['-c', code, path], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  expect(line.toString().trim()).toBe('ready');
  return child;
}

test.describe.serial('Strata in the browser, against real FUSE mounts', () => {
  let page: Page;
  let app: StrataPage;
  let holder: ChildProcess | undefined;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    app = new StrataPage(page);
    await app.open(url);
  });

  test.afterAll(async () => {
    holder?.kill('SIGKILL');
    await page.close();
  });

  test('teaches what a union is when there is none', async () => {
    await expect(page.getByRole('heading', { name: 'No unions yet' })).toBeVisible();
    // The token left the address bar once the page had it.
    expect(page.url()).not.toContain('token=');
    await app.shoot('unions-empty', true);
  });

  test('creates a union of three branches and reorders them by drag, button and keyboard', async () => {
    await page.getByRole('button', { name: 'New union' }).click();
    await page.getByLabel('Name').fill('e2e');
    await page.getByRole('combobox', { name: 'Mountpoint' }).fill(mnt);
    for (const i of [0, 1, 2]) await app.addBranch(branch(i));
    expect(await app.branchOrder()).toEqual([branch(0), branch(1), branch(2)]);

    await app.branchRow(branch(2)).getByRole('button', { name: /^Reorder/ }).dragTo(app.branchRow(branch(0)));
    expect(await app.branchOrder()).toEqual([branch(2), branch(0), branch(1)]);
    await expect(app.announcer()).toHaveText(`Moved ${branch(2)} to position 1 of 3 (top: searched first).`);

    await page.getByRole('button', { name: `Move ${branch(0)} down` }).click();
    expect(await app.branchOrder()).toEqual([branch(2), branch(1), branch(0)]);

    const grip = app.branchRow(branch(0)).getByRole('button', { name: /^Reorder/ });
    await grip.focus();
    await page.keyboard.press('ArrowUp');
    expect(await app.branchOrder()).toEqual([branch(2), branch(0), branch(1)]);
    await expect(app.announcer()).toHaveText(`Moved ${branch(0)} to position 2 of 3.`);
    await expect(app.branchRow(branch(0)).getByRole('button', { name: /^Reorder/ })).toBeFocused();

    // b2 on top stays read-only; b0 may take files only while a huge minimum is met (never); b1 takes them.
    await app.branchRow(branch(1)).getByLabel('Mode').selectOption('rw');
    await app.branchRow(branch(0)).getByLabel('Min. free').fill('1000T');
    await app.branchRow(branch(0)).getByLabel('Min. free').press('Enter');
    await expect(app.branchRow(branch(0)).getByRole('progressbar')).toHaveAttribute('aria-valuetext', /below its minimum/);
    await app.shoot('editor-branches', true);
  });

  test('sets a policy and the preview names the branch and why the others were excluded', async () => {
    await page.getByRole('group', { name: /mergerfs-style/ }).getByRole('radio', { name: /^ff / }).check();
    await expect(page.getByTestId('preview-branch')).toHaveText(branch(1));
    const preview = app.preview();
    await expect(preview.locator(`[data-excluded="0"]`)).toContainText('mode');
    await expect(preview.locator(`[data-excluded="1"]`)).toContainText('not enough space');
    await page.getByRole('heading', { name: 'Policies' }).scrollIntoViewIfNeeded();
    await app.shoot('editor-policies', true);
  });

  test('mounts it, and a file written by a child process lands on the previewed branch', async () => {
    await page.getByRole('button', { name: 'Create union' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
    await page.getByRole('button', { name: 'Mount', exact: true }).click();
    await expect(page.locator('.head [data-state]')).toHaveText('Mounted');
    await expect(page.getByText('every change below applies to it immediately')).toBeVisible();
    await expect(page.getByTestId('preview-branch')).toHaveText(branch(1));

    execFileSync('sh', ['-c', 'printf "hello from a child process\\n" > "$1"', 'sh', file]);
    expect(existsSync(`${branch(1)}/new-file.txt`)).toBe(true);
    expect(existsSync(`${branch(0)}/new-file.txt`)).toBe(false);
    expect(existsSync(`${branch(2)}/new-file.txt`)).toBe(false);
  });

  test('shows a python3 mmap process in the mapped-files view, by process and by file', async () => {
    holder = await startMmapHolder(file);
    await app.go('Mapped files');
    const rows = page.locator(`tr[data-pid="${holder.pid}"]`);
    // The tracker rescans every 2 s, incrementally; on a busy machine the first sighting can take longer.
    await expect(rows.first()).toContainText('python3', { timeout: 45_000 });
    const row = rows.filter({ hasText: 'mmap' });
    await expect(row).toContainText(file);
    await expect(row).toContainText(`${branch(1)}/new-file.txt`);
    await page.getByRole('searchbox', { name: 'Search mapped files' }).fill('python3');
    await expect(row).toBeVisible();
    await app.shoot('mapped-files', true);

    await page.getByRole('tab', { name: 'By file' }).click();
    await expect(page.locator(`tr[data-file="${file}"]`)).toContainText(String(holder.pid));
    await app.shoot('mapped-files-by-file');
  });

  test('the inspector shows which branch serves the file', async () => {
    await app.go('Inspector');
    await page.getByRole('textbox', { name: 'Path inside the union' }).fill('/new-file.txt');
    await page.getByRole('button', { name: 'Inspect', exact: true }).click();
    await expect(page.getByTestId('where')).toContainText(`served by branch 3: ${branch(1)}/new-file.txt`);
    await app.shoot('inspector', true);
  });

  test('activity charts the mounted union', async () => {
    execFileSync('sh', ['-c', 'for i in 1 2 3 4 5; do cat "$1" > /dev/null; ls "$2" > /dev/null; sleep 0.3; done', 'sh', file, mnt]);
    await app.go('Activity');
    const section = page.locator(`section[data-mountpoint="${mnt}"]`);
    await expect(section.getByRole('img', { name: /Operations per second/ })).toBeVisible();
    await expect(section.getByRole('img', { name: /Free space per branch/ })).toBeVisible();
    await page.waitForTimeout(2500);
    await app.shoot('activity', true);
  });

  test('refuses to remove the branch the process maps, naming the process', async () => {
    await app.go('Unions');
    await page.getByRole('button', { name: 'Edit e2e' }).click();
    await page.getByRole('button', { name: `Remove ${branch(1)}` }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText(`Branch ${branch(1)} cannot be removed`);
    await expect(alert.getByRole('row').filter({ hasText: String(holder!.pid) })).toContainText('python3');
    await expect(app.branchRow(branch(1))).toBeVisible();
    await app.shoot('remove-refused', true);
  });

  test('unmount is refused while the process maps the file, and works once it has gone', async () => {
    await app.go('Unions');
    const row = page.locator(`tr[data-mountpoint="${mnt}"]`);
    await expect(row.locator('[data-state]')).toHaveText('Mounted');
    await app.shoot('unions-list', true);

    await row.getByRole('button', { name: 'Unmount e2e' }).click();
    await expect(page.getByRole('alert')).toContainText('python3');
    holder!.stdin!.end();
    await once(holder!, 'exit');
    holder = undefined;
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await row.getByRole('button', { name: 'Unmount e2e' }).click();
    await expect(row.locator('[data-state]')).toHaveText('Stopped');
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${branch(1)}/new-file.txt`)).toBe(true);
  });

  test('has a dark theme', async () => {
    const toggle = page.getByRole('button', { name: /^Theme:/ });
    while (!(await toggle.textContent())?.includes('dark')) await toggle.click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await app.shoot('unions-dark', true);
  });
});
