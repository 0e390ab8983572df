// A worker killed in the middle of a file's copy-up leaves nothing: the copy is an unnamed file
// (O_TMPFILE) until complete. What a copy builds under a temp name (a directory, or a file where the
// filesystem has no unnamed files) sits in the branch's work directory, or beside its final name with a
// record there; the next mount of the same union removes it, and nothing else.
import { mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COPYUP_TMP_PREFIX, WORK_DIR } from '../../main/common/whiteout.ts';
import { mountKey } from '../../main/node/control/paths.ts';
import { cleanupUnder, isAlive, waitUntil, workerPidsFor } from '../support/mountCleanup.ts';
import { asRoot, background, ok, run, strata, withTempRoot } from '../support/unionFixture.ts';

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

/** Bytes in the unnamed files (O_TMPFILE, shown as "(deleted)") that process `pid` holds open under `dir`. */
async function unnamedCopies(pid: number, dir: string): Promise<number> {
  let bytes = 0;
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    if (target.startsWith(`${dir}/`) && target.endsWith(' (deleted)')) bytes += (await stat(`/proc/${pid}/fd/${fd}`).catch(() => ({ size: 0 }))).size;
  }
  return bytes;
}

/** The files in this union's work directory on `branch` (one subdirectory per union). */
async function workFiles(branch: string): Promise<string[]> {
  const out = await run('find', [join(branch, WORK_DIR), '-mindepth', '2']);
  return out.stdout.split('\n').filter(Boolean);
}

describe('copy-up leftovers of a killed worker', () => {
  it('a worker SIGKILLed during a large copy-up leaves nothing on the branch, and the file is as it was', async () => {
    await writeFile(join(b1, 'small'), 'small\n');
    await ok('dd', ['if=/dev/zero', `of=${join(b1, 'big')}`, 'bs=1M', `count=${BIG}`, 'status=none']);
    await mount();
    await ok('sh', ['-c', 'echo more >> "$1"', 'sh', join(mnt, 'small')]);
    const before = { b0: await tree(b0), b1: await tree(b1) };
    const free = async () => Number((await ok('df', ['--output=avail', '-B1', b0])).split('\n')[1]);
    const freeBefore = await free();

    const pid = await workerPid();
    const writer = background('sh', ['-c', 'echo x >> "$1"', 'sh', join(mnt, 'big')]);
    try {
      await waitUntil('the copy-up is under way, as an unnamed file on the upper branch', async () => (await unnamedCopies(pid, b0)) > 0, 30_000);
      process.kill(pid, 'SIGKILL');
      await writer.exited;
      await waitUntil('the worker is gone', () => !isAlive(pid));
    } finally {
      await writer.stop();
    }
    expect({ b0: await tree(b0), b1: await tree(b1) }).toEqual(before);
    expect(await workFiles(b0)).toEqual([]);
    // The partial copy's blocks went back with the worker's descriptor (within a quarter of the file).
    await waitUntil('the partial copy is freed', async () => (await free()) > freeBefore - (BIG << 20) / 4);

    await mount();
    expect((await stat(join(mnt, 'big'))).size).toBe(BIG << 20);
    expect(await readFile(join(b1, 'small'), 'utf8')).toBe('small\n');
    expect(await readFile(join(mnt, 'small'), 'utf8')).toBe('small\nmore\n');
  });

  // The filesystem inside the branch is a tmpfs mount, root's to make.
  it.runIf(asRoot)('a target on a filesystem mounted inside the branch: a leftover built beside it is found by its record', async () => {
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
    const workDir = mountKey(mnt);
    await mkdir(join(b0, WORK_DIR, workDir), { recursive: true });
    const temp = join(b0, 'nested', `${COPYUP_TMP_PREFIX}0123456789abcdef`);
    await writeFile(temp, 'half a copy');
    await symlink(relative(b0, temp), join(b0, WORK_DIR, workDir, `${COPYUP_TMP_PREFIX}0123456789abcdef`));

    await mount();
    await waitUntil('the leftover is removed', async () => (await workFiles(b0)).length === 0);
    expect((await readdir(join(b0, 'nested'))).sort()).toEqual(['f']);
    expect(await readFile(join(mnt, 'nested/g'), 'utf8')).toBe('lower\n');
  });
});
