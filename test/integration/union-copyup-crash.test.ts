// A worker killed in the middle of a copy-up leaves its temp entry in the branch's work directory; the
// next mount of the same union removes it, and nothing else. Where the target is on another filesystem
// than the branch root, the temp entry sits beside its final name and a record in the work directory
// lets the next mount find it.
import { lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COPYUP_TMP_PREFIX, WORK_DIR } from '../../main/common/whiteout.ts';
import { cleanupUnder, isAlive, waitUntil, workerPidsFor } from '../support/mountCleanup.ts';
import { background, ok, run, strata, withTempRoot } from '../support/unionFixture.ts';

const BIG = 768;

let root: string;
let mnt: string;
let b0: string;
let b1: string;

beforeEach(async () => {
  root = await withTempRoot();
  [mnt, b0, b1] = ['mnt', 'b0', 'b1'].map((d) => join(root, d));
  for (const d of [mnt, b0, b1]) await mkdir(d);
});

afterEach(async () => {
  await cleanupUnder(root);
});

const mount = async () => {
  const r = await strata(['mount', mnt, '--branch', `${b0}=rw`, '--branch', `${b1}=ro`]);
  expect(r.code, r.stderr).toBe(0);
};

/** Not through `strata list`: that asks every mount on the machine, however slow. */
const workerPid = async () => {
  const [pid, ...more] = await workerPidsFor(root);
  expect(more).toEqual([]);
  return pid;
};

/** Every entry under `dir`, recursively, with its size: what "nothing else changed" compares. */
async function tree(dir: string): Promise<string[]> {
  const out = await ok('find', [dir, '-printf', '%P %s %y\n']);
  return out.split('\n').filter(Boolean).sort();
}

/** The files in this union's work directory on `branch` (one subdirectory per union). */
async function workFiles(branch: string): Promise<string[]> {
  const out = await run('find', [join(branch, WORK_DIR), '-mindepth', '2']);
  return out.stdout.split('\n').filter(Boolean);
}

describe('copy-up leftovers of a killed worker', () => {
  it('a worker SIGKILLed during a large copy-up leaves a temp file that the next mount removes, and nothing else', async () => {
    await writeFile(join(b1, 'small'), 'small\n');
    await ok('dd', ['if=/dev/zero', `of=${join(b1, 'big')}`, 'bs=1M', `count=${BIG}`, 'status=none']);
    await mount();
    // A first copy-up makes the work directory; its contents are what a kill can leave.
    await ok('sh', ['-c', 'echo more >> "$1"', 'sh', join(mnt, 'small')]);
    const before = { b0: await tree(b0), b1: await tree(b1) };

    const pid = await workerPid();
    const writer = background('sh', ['-c', 'echo x >> "$1"', 'sh', join(mnt, 'big')]);
    try {
      await waitUntil(
        'the copy-up is under way',
        async () => {
          for (const f of await workFiles(b0)) if ((await stat(f).catch(() => null))?.size) return true;
          return false;
        },
        30_000,
      );
      process.kill(pid, 'SIGKILL');
      await writer.exited;
      await waitUntil('the worker is gone', () => !isAlive(pid));
    } finally {
      await writer.stop();
    }
    const [left] = await workFiles(b0);
    expect(left).toContain(COPYUP_TMP_PREFIX);
    expect((await lstat(left)).size).toBeGreaterThan(0);

    await mount();
    await waitUntil('the leftover is removed', async () => (await workFiles(b0)).length === 0);
    expect({ b0: await tree(b0), b1: await tree(b1) }).toEqual(before);
    expect((await stat(join(mnt, 'big'))).size).toBe(BIG << 20);
    expect(await readFile(join(mnt, 'small'), 'utf8')).toBe('small\nmore\n');
  });

  it('a target on a filesystem mounted inside the branch: the copy is built beside it, and its leftover is found by its record', async () => {
    await mkdir(join(b0, 'nested'));
    await ok('mount', ['-t', 'tmpfs', '-o', 'size=4M', 'strata-test-nested', join(b0, 'nested')]);
    await mkdir(join(b1, 'nested'));
    await writeFile(join(b1, 'nested/f'), 'lower\n');
    await writeFile(join(b1, 'nested/g'), 'lower\n');
    await mount();
    await ok('sh', ['-c', 'echo more >> "$1"', 'sh', join(mnt, 'nested/f')]);
    expect(await readFile(join(b0, 'nested/f'), 'utf8')).toBe('lower\nmore\n');
    expect(await workFiles(b0)).toEqual([]);
    expect((await readdir(join(b0, 'nested'))).sort()).toEqual(['f']);

    // What a worker killed during the copy-up of nested/g leaves: the temp beside g, and its record.
    const pid = await workerPid();
    process.kill(pid, 'SIGKILL');
    await waitUntil('the worker is gone', () => !isAlive(pid));
    const [workDir] = await readdir(join(b0, WORK_DIR));
    const temp = join(b0, 'nested', `${COPYUP_TMP_PREFIX}0123456789abcdef`);
    await writeFile(temp, 'half a copy');
    await symlink(relative(b0, temp), join(b0, WORK_DIR, workDir, `${COPYUP_TMP_PREFIX}0123456789abcdef`));

    await mount();
    await waitUntil('the leftover is removed', async () => (await workFiles(b0)).length === 0);
    expect((await readdir(join(b0, 'nested'))).sort()).toEqual(['f']);
    expect(await readFile(join(mnt, 'nested/g'), 'utf8')).toBe('lower\n');
  });
});
