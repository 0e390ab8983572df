/**
 * The scenario, in Debian's Chromium against `strata serve` with real FUSE mounts: build a union
 * of three branches with folders checked as they are typed, reorder them three ways, pick a policy and
 * check the preview, mount, write a file from a child process and find it where the preview said, stage
 * mfsrr with its argument and apply it, see a python3 mmap and a direct mapping of a shadowed branch copy
 * in the mapped-files view, get refused when removing its branch, unmount once it is gone, and find a
 * union mounted with the CLI in the list and unmount it after confirming.
 */
import { expect, test, type Page } from '@playwright/test';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { StrataPage } from './strataPage.ts';

const dir = process.env.STRATA_E2E_DIR!;
const url = process.env.STRATA_E2E_URL!;
const branch = (i: number) => `${dir}/b${i}`;
const mnt = `${dir}/mnt`;
const file = `${mnt}/new-file.txt`;
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

/** `strata list --json`, through the same runtime directory as the server under test. */
function strataList(): { mountpoint: string; state: string; config?: { create: string } }[] {
  return JSON.parse(execFileSync(process.execPath, [CLI, 'list', '--json'], { encoding: 'utf8', timeout: 20_000 }));
}

/** A python3 process that maps `path` read-only and waits until its stdin closes. */
async function startMmapHolder(path: string): Promise<ChildProcess> {
  const code = 'import mmap,sys\nf=open(sys.argv[1],"rb")\nm=mmap.mmap(f.fileno(),0,prot=mmap.PROT_READ)\nprint("ready",flush=True)\nsys.stdin.read()';
  const child = spawn('python3', ['-c', code, path], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  expect(line.toString().trim()).toBe('ready');
  return child;
}

/** Answers for the next confirm() dialogs, in order; when empty, dialogs are accepted. */
const answer: boolean[] = [];

test.describe.serial('Strata in the browser, against real FUSE mounts', () => {
  let page: Page;
  let app: StrataPage;
  let holder: ChildProcess | undefined;
  let directHolder: ChildProcess | undefined;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    // Every question the app asks is answered yes unless a test says otherwise (Playwright says no).
    page.on('dialog', (d) => void (answer.length ? (answer.shift() ? d.accept() : d.dismiss()) : d.accept()).catch(() => undefined));
    // Things the union-editor checks must refuse or warn about, and a file a lower branch shadows.
    writeFileSync(`${dir}/notes.txt`, 'not a folder\n');
    mkdirSync(`${dir}/full`);
    writeFileSync(`${dir}/full/keep.txt`, 'x');
    writeFileSync(`${branch(2)}/shadow.txt`, 'served from the top branch\n');
    writeFileSync(`${branch(1)}/shadow.txt`, 'the shadowed copy below\n');
    app = new StrataPage(page);
    await app.open(url);
  });

  test.afterAll(async () => {
    holder?.kill('SIGKILL');
    directHolder?.kill('SIGKILL');
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
    await expect(page.getByRole('heading', { level: 1, name: 'New union' })).toBeFocused();
    await page.getByLabel('Name').fill('e2e');
    await page.getByRole('combobox', { name: 'Mountpoint' }).fill(mnt);
    for (const i of [0, 1, 2]) await app.addBranch(branch(i));
    expect(await app.branchOrder()).toEqual([branch(0), branch(1), branch(2)]);

    await app
      .branchRow(branch(2))
      .getByRole('button', { name: /^Reorder/ })
      .dragTo(app.branchRow(branch(0)));
    expect(await app.branchOrder()).toEqual([branch(2), branch(0), branch(1)]);
    await expect(app.announcer()).toHaveText(`Moved ${branch(2)} to position 1 of 3 (top: searched first).`);

    await page.getByRole('button', { name: `Move down ${branch(0)}` }).click();
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

  test('checks folders on the field as they are typed', async () => {
    const mountpoint = page.getByRole('combobox', { name: 'Mountpoint' });
    await mountpoint.fill(`${dir}/full`);
    await expect(mountpoint).toHaveAttribute('aria-invalid', 'true');
    const mountpointMessage = page.locator(`#${await mountpoint.getAttribute('aria-describedby')}`);
    await expect(mountpointMessage).toHaveText(`${dir}/full is not empty: mounting would hide its files; choose an empty folder.`);
    await mountpoint.fill(`${dir}/notes.txt`);
    await expect(mountpointMessage).toContainText('is a file, not a folder');
    await mountpoint.fill(mnt);
    await expect(mountpoint).not.toHaveAttribute('aria-invalid');

    const field = page.getByRole('combobox', { name: 'Add a branch' });
    await field.fill(`${dir}/notes.txt`);
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    const message = page.locator(`#${await field.getAttribute('aria-describedby')}`);
    await expect(message).toHaveText(`${dir}/notes.txt is a file, not a folder: a branch must be a folder.`);
    await field.fill(`${dir}/missing`);
    await expect(message).toHaveText(`${dir}/missing does not exist: create it (mkdir -p '${dir}/missing') or fix the path.`);
    await page.getByRole('button', { name: 'Add branch' }).click();
    expect(await app.branchOrder()).toEqual([branch(2), branch(0), branch(1)]);
    await app.shoot('editor-validation', true);
    await field.fill('');
  });

  test('sets a policy and the preview names the branch and why the others were excluded', async () => {
    await page
      .getByRole('group', { name: /mergerfs-style/ })
      .getByRole('radio', { name: /^ff / })
      .check();
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
    await expect(page.getByText('changes below are staged')).toBeVisible();
    await expect(page.getByTestId('preview-branch')).toHaveText(branch(1));

    execFileSync('sh', ['-c', 'printf "hello from a child process\\n" > "$1"', 'sh', file]);
    expect(existsSync(`${branch(1)}/new-file.txt`)).toBe(true);
    expect(existsSync(`${branch(0)}/new-file.txt`)).toBe(false);
    expect(existsSync(`${branch(2)}/new-file.txt`)).toBe(false);
  });

  test('stages mfsrr with its argument on the mounted union and applies it with one action', async () => {
    const create = page.getByRole('group', { name: /^Create policy/ });
    const apply = page.getByRole('button', { name: 'Apply changes' });
    await expect(apply).toBeDisabled();
    // Arrow keys walk the radios: each step only changes the draft, the union keeps its policy.
    await create
      .getByRole('group', { name: /aufs-style/ })
      .getByRole('radio', { name: /^tdp / })
      .check();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown'); // rr, mfs, mfsrr
    await expect(create.getByRole('radio', { name: /^mfsrr / })).toBeChecked();
    expect(strataList().find((u) => u.mountpoint === mnt)?.config?.create).toBe('ff');

    const args = page.getByRole('textbox', { name: /Arguments for mfsrr/ });
    await expect(args).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator(`#${await args.getAttribute('aria-describedby')}`)).toContainText('mfsrr needs a free-space watermark');
    await expect(apply).toBeDisabled();
    await args.fill('1G:30');
    await expect(args).not.toHaveAttribute('aria-invalid');
    await app.shoot('editor-apply');
    await apply.click();
    await expect(page.getByRole('status').filter({ hasText: 'Applied to the mounted union.' })).toBeVisible();
    expect(strataList().find((u) => u.mountpoint === mnt)?.config?.create).toBe('mfsrr:1G:30');
    await expect(apply).toBeDisabled();

    // Back to ff, so what follows finds files where the preview said.
    await create
      .getByRole('group', { name: /mergerfs-style/ })
      .getByRole('radio', { name: /^ff / })
      .check();
    await apply.click();
    await expect.poll(() => strataList().find((u) => u.mountpoint === mnt)?.config?.create).toBe('ff');
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
  });

  test('by file, a direct mapping of a shadowed branch copy is its own row, flagged as strata maps --by file says', async () => {
    directHolder = await startMmapHolder(`${branch(1)}/shadow.txt`);
    const virtual = `${mnt}/shadow.txt`;
    await page.getByRole('searchbox', { name: 'Search mapped files' }).fill('');
    await page.getByRole('tab', { name: 'By file' }).click();
    const row = page.locator(`tr[data-file="${virtual}"][data-direct="shadowed"]`);
    await expect(row).toContainText(String(directHolder.pid), { timeout: 45_000 });
    await expect(row).toContainText('branch 3 (direct, shadowed)');
    await expect(row).toContainText(`${branch(1)}/shadow.txt`);
    const cli = execFileSync(process.execPath, [CLI, 'maps', mnt, '--by', 'file'], { encoding: 'utf8', timeout: 20_000 });
    expect(cli.split('\n').find((l) => l.includes(String(directHolder!.pid)))).toContain('branch 3: ' + `${branch(1)}/shadow.txt (direct, shadowed)`);
    // No wider than the window (it was 1334 px at 1280).
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
    // Only this run's unions in the picture, whatever else is mounted on the machine.
    await page.getByRole('searchbox', { name: 'Search mapped files' }).fill(dir);
    await app.shoot('mapped-files-by-file', true);
    directHolder.kill('SIGKILL');
    directHolder = undefined;
  });

  test('the inspector shows which branch serves the file', async () => {
    await app.go('Inspector');
    await page.getByRole('textbox', { name: 'Path inside the union' }).fill('/new-file.txt');
    await page.getByRole('button', { name: 'Inspect', exact: true }).click();
    await expect(page.getByTestId('where')).toContainText(`served by branch 3: ${branch(1)}/new-file.txt`);
    expect(execFileSync(process.execPath, [CLI, 'where', file], { encoding: 'utf8', timeout: 20_000 })).toContain(
      `is served by branch 3: ${branch(1)}/new-file.txt`,
    );
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
    await page.getByRole('button', { name: 'Apply changes' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText(`Branch ${branch(1)} cannot be removed`);
    await expect(alert).toBeFocused();
    await expect(alert.getByRole('row').filter({ hasText: String(holder!.pid) })).toContainText('python3');
    await app.shoot('remove-refused', true);
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await expect(app.branchRow(branch(1))).toBeVisible();
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

  test('lists a union mounted with the CLI and unmounts it only after the user confirms', async () => {
    const cliMnt = `${dir}/cli-mnt`;
    mkdirSync(cliMnt);
    mkdirSync(`${dir}/cli-branch`);
    execFileSync(process.execPath, [CLI, 'mount', cliMnt, '--branch', `${dir}/cli-branch`], { timeout: 30_000 });
    const row = page.locator(`tr[data-mountpoint="${cliMnt}"]`);
    await expect(row).toContainText('Mounted outside the app', { timeout: 20_000 });
    await app.shoot('unions-cli', true);

    answer.push(false);
    await row.getByRole('button', { name: 'Unmount cli-mnt' }).click();
    await page.waitForTimeout(500);
    expect(strataList().some((u) => u.mountpoint === cliMnt)).toBe(true);

    answer.push(true);
    await row.getByRole('button', { name: 'Unmount cli-mnt' }).click();
    await expect(row).toHaveCount(0, { timeout: 20_000 });
    expect(strataList().some((u) => u.mountpoint === cliMnt)).toBe(false);
  });

  test('has a dark theme', async () => {
    const toggle = page.getByRole('button', { name: /^Theme:/ });
    while (!(await toggle.textContent())?.includes('dark')) await toggle.click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await app.shoot('unions-dark', true);
  });
});
