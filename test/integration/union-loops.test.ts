/**
 * Unions that would contain each other are refused (they would hang in the kernel, each waiting on the
 * other) by the CLI, by the service behind the desktop app and `strata serve`, and by the worker itself,
 * while a union nested in another that does not reach back keeps working. Real unions through
 * `dist/cli.js`; every look into a mount is a child process with a deadline, since a union caught in a
 * loop never answers.
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MountStatus } from '../../main/common/contract.ts';
import { buildUnionConfig } from '../../main/common/unionConfig.ts';
import { controlRequest } from '../../main/node/control/controlClient.ts';
import { branchListPath } from '../../main/node/control/paths.ts';
import { spawnWorker } from '../../main/node/mounts/spawnWorker.ts';
import { managerBackend } from '../../main/node/service/managerBackend.ts';
import { offlinePreviewer } from '../../main/node/service/offlinePreview.ts';
import { StrataService } from '../../main/node/service/strataService.ts';
import { liveTracker } from '../../main/node/service/trackerSource.ts';
import { UnionStore } from '../../main/node/service/unionStore.ts';
import { loadSyscalls } from '../../main/node/sys/load.ts';
import { cleanupUnder, mountsUnder } from '../support/mountCleanup.ts';
import { CLI, asRoot, forceUnmount, ok, run, strata, withTempRoot, type RunResult } from '../support/unionFixture.ts';

let root: string;
const at = (p: string) => join(root, p);

beforeEach(async () => {
  root = await withTempRoot('strata-it-loops-');
  for (const d of ['a0', 'b0', 'c0', 'mnt-a', 'mnt-b', 'mnt-c']) await mkdir(at(d));
  await writeFile(at('a0/from-a.txt'), 'a\n');
  await writeFile(at('b0/from-b.txt'), 'b\n');
});

/**
 * A program's result, or undefined when it does not finish in time. A program stuck on a union caught in
 * a loop cannot even be killed (it waits uninterruptibly for an answer), so this does not wait for it.
 */
function finishes(cmd: string, args: string[], ms: number): Promise<RunResult | undefined> {
  return Promise.race([run(cmd, args, { timeoutMs: ms }), sleep(ms + 500).then(() => undefined)]);
}

afterEach(async () => {
  // A loop that got through (on code without the check) hangs every union on it: cut them all off first.
  const unions = (await mountsUnder(root)).filter((m) => m.fstype === 'fuse.strata');
  const answers = await Promise.all(unions.map((m) => finishes('stat', ['-f', m.mountpoint], 2000)));
  if (answers.some((r) => r?.code !== 0)) for (const m of unions) await forceUnmount(m.mountpoint);
  await cleanupUnder(root);
});

async function mount(mnt: string, ...branches: string[]): Promise<void> {
  const r = await strata(['mount', at(mnt), ...branches.flatMap((b) => ['--branch', at(b)])], { timeoutMs: 20_000 });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

/** The listing of a mount, or 'no answer' when it does not come within the deadline. */
async function listing(mnt: string): Promise<string> {
  const r = await finishes('ls', [at(mnt)], 5000);
  return r?.code === 0 ? r.stdout.trim().split('\n').sort().join(' ') : 'no answer';
}

async function branchesOf(mnt: string): Promise<string[] | undefined> {
  const list = JSON.parse(await ok(process.execPath, [CLI, 'list', '--json'], { timeoutMs: 20_000 })) as MountStatus[];
  return list.find((s) => s.mountpoint === at(mnt))?.config?.branches.map((b) => b.path);
}

/** A refused command: one line on stderr, a failure status (2: caught from the arguments alone), and the same mounts as before. */
async function refused(args: string[], message: RegExp, status = 1): Promise<void> {
  const before = (await mountsUnder(root)).map((m) => m.mountpoint);
  const r = await strata(args, { timeoutMs: 20_000 });
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr.trimEnd()).toMatch(message);
  expect(r.code).toBe(status);
  expect((await mountsUnder(root)).map((m) => m.mountpoint)).toEqual(before);
}

describe('unions that would contain each other', () => {
  it('nest one way, and refuse the set that would close the loop; both keep answering', async () => {
    await mount('mnt-a', 'a0');
    await mount('mnt-b', 'mnt-a', 'b0');
    expect(await listing('mnt-b')).toBe('from-a.txt from-b.txt');

    await refused(
      ['set', at('mnt-a'), '--branch', at('a0'), '--branch', at('mnt-b')],
      /^strata: Branch \S+\/mnt-b is the union \S+\/mnt-b, whose branch \S+\/mnt-a is this union \(\S+\/mnt-a\): unions cannot contain each other .*; remove \S+\/mnt-b from the branches\.$/,
    );

    expect(await branchesOf('mnt-a')).toEqual([at('a0')]);
    expect(await listing('mnt-a')).toBe('from-a.txt');
    expect(await listing('mnt-b')).toBe('from-a.txt from-b.txt');
  });

  // An ordinary user's fusermount3 cannot mount over a directory of their own union, which has no
  // allow_other: mount(2) fails with EPERM, for a mergerfs the same.
  it.runIf(asRoot)('nest both ways that do not lead back: a branch inside a union, a union mounted inside a union', async () => {
    await mkdir(at('a0/inner'));
    await mount('mnt-a', 'a0');
    await mount('mnt-b', 'mnt-a/inner', 'b0');
    await mount('mnt-a/inner', 'c0');
    expect(await listing('mnt-b')).toBe('from-b.txt');
    expect(await listing('mnt-a')).toBe('from-a.txt inner');
    await ok(process.execPath, [CLI, 'set', at('mnt-a/inner'), '--branch', at('b0')]);
    expect(await listing('mnt-a/inner')).toBe('from-b.txt');
    expect((await strata(['unmount', at('mnt-a/inner')])).code).toBe(0);
  });

  it('refuse a 3-union loop closed by set, naming every union on the way', async () => {
    await mount('mnt-a', 'a0');
    await mount('mnt-b', 'mnt-a');
    await mount('mnt-c', 'mnt-b', 'c0');
    expect(await listing('mnt-c')).toBe('from-a.txt');

    await refused(
      ['set', at('mnt-a'), '--branch', at('a0'), '--branch', at('mnt-c')],
      /Branch \S+\/mnt-c is the union \S+\/mnt-c, whose branch \S+\/mnt-b is the union \S+\/mnt-b, whose branch \S+\/mnt-a is this union/,
    );

    expect(await branchesOf('mnt-a')).toEqual([at('a0')]);
    for (const mnt of ['mnt-a', 'mnt-b', 'mnt-c']) expect(await listing(mnt)).toBe('from-a.txt');
  });

  it('refuse a mount that would close a loop through a branch containing its mountpoint; nothing is mounted', async () => {
    await mkdir(at('a0/mnt-c'));
    await mount('mnt-a', 'a0');
    await mount('mnt-b', 'mnt-a');

    await refused(
      ['mount', at('a0/mnt-c'), '--branch', at('mnt-b')],
      /Branch \S+\/mnt-b is the union \S+\/mnt-b, whose branch \S+\/mnt-a is the union \S+\/mnt-a, whose branch \S+\/a0 contains this union \(\S+\/a0\/mnt-c\)/,
    );

    expect(await listing('mnt-b')).toBe('from-a.txt mnt-c');
  });

  it("refuse a branch that is, or through a symlink lies in, the union's own mountpoint", async () => {
    await refused(['mount', at('mnt-a'), '--branch', at('mnt-a')], /Mountpoint \S+\/mnt-a is also branch/, 2);
    await mount('mnt-a', 'a0');
    await mkdir(at('a0/sub'));
    await symlink(at('mnt-a/sub'), at('into-a'));
    await symlink(at('mnt-c/x'), at('into-c'));

    await refused(
      ['set', at('mnt-a'), '--branch', at('a0'), '--branch', at('into-a')],
      /^strata: Branch \S+\/into-a \(→ \S+\/mnt-a\/sub\) lies in this union \(\S+\/mnt-a\): the union would read its own mount to serve it and hang; remove \S+\/into-a from the branches\.$/,
    );
    await refused(['mount', at('mnt-c'), '--branch', at('into-c')], /^strata: Branch \S+\/into-c \(→ \S+\/mnt-c\/x\) lies in this union \(\S+\/mnt-c\)/);

    expect(await branchesOf('mnt-a')).toEqual([at('a0')]);
    expect(await listing('mnt-a')).toBe('from-a.txt sub');
  });

  it("publish each worker's branch list next to its socket, updated by set", async () => {
    await mount('mnt-a', 'a0');
    const published = async () => JSON.parse(await readFile(branchListPath(at('mnt-a')), 'utf8')).branches as string[];
    expect(await published()).toEqual([at('a0')]);
    await ok(process.execPath, [CLI, 'set', at('mnt-a'), '--branch', at('b0'), '--branch', at('a0')]);
    expect(await published()).toEqual([at('b0'), at('a0')]);
  });

  it("are refused by the worker itself, at mount and at set, for a client that skips the CLI's check", async () => {
    await mkdir(at('a0/mnt-c'));
    await mount('mnt-a', 'a0');
    await mount('mnt-b', 'mnt-a');
    const patch = {
      branches: [
        { path: at('a0'), mode: 'rw' as const },
        { path: at('mnt-b'), mode: 'ro' as const },
      ],
    };
    await expect(controlRequest(at('mnt-a'), { op: 'reconfigure', patch }, 20_000)).rejects.toMatchObject({
      code: 'BRANCH_INVALID',
      message: expect.stringMatching(/whose branch \S+\/mnt-a is this union/),
    });
    expect(await branchesOf('mnt-a')).toEqual([at('a0')]);

    const before = (await mountsUnder(root)).map((m) => m.mountpoint);
    await expect(spawnWorker(buildUnionConfig(at('a0/mnt-c'), [at('mnt-b')]))).rejects.toThrow(/whose branch \S+\/a0 contains this union \(\S+\/a0\/mnt-c\)/);
    expect((await mountsUnder(root)).map((m) => m.mountpoint)).toEqual(before);
    expect(await listing('mnt-a')).toBe('from-a.txt mnt-c');
  });

  it('are refused for the desktop app and strata serve: their service over the real manager', async () => {
    await mkdir(at('a0/mnt-c'));
    await mount('mnt-a', 'a0');
    await mount('mnt-b', 'mnt-a');
    const service = new StrataService({
      store: new UnionStore(at('unions.json')),
      backend: managerBackend(),
      tracker: liveTracker(),
      offlinePreview: offlinePreviewer(loadSyscalls),
      mountedPoints: async () => [],
      tickMs: 0,
    });
    const definition = (mnt: string, ...branches: string[]) => ({ config: buildUnionConfig(at(mnt), branches.map(at)), autoMount: false });

    // Saving an edited union that is mounted changes it live.
    await expect(service.save(definition('mnt-a', 'a0', 'mnt-b'), at('mnt-a'))).rejects.toThrow(/whose branch \S+\/mnt-a is this union/);
    expect(await branchesOf('mnt-a')).toEqual([at('a0')]);

    await service.save(definition('a0/mnt-c', 'mnt-b'));
    const before = (await mountsUnder(root)).map((m) => m.mountpoint);
    await expect(service.mount(at('a0/mnt-c'))).rejects.toThrow(/whose branch \S+\/a0 contains this union \(\S+\/a0\/mnt-c\)/);
    expect((await mountsUnder(root)).map((m) => m.mountpoint)).toEqual(before);
    expect(await listing('mnt-b')).toBe('from-a.txt mnt-c');
  });

  it('cannot be made by two workers changing at the same moment: at least one refuses', async () => {
    await mount('mnt-a', 'a0');
    await mount('mnt-b', 'b0');
    const withBranch = (own: string, other: string) => ({
      branches: [
        { path: at(own), mode: 'rw' as const },
        { path: at(other), mode: 'ro' as const },
      ],
    });
    for (let round = 0; round < 3; round++) {
      // Straight to both workers at once: the CLI's own check would run first and stagger them.
      const results = await Promise.allSettled([
        controlRequest(at('mnt-a'), { op: 'reconfigure', patch: withBranch('a0', 'mnt-b') }, 20_000),
        controlRequest(at('mnt-b'), { op: 'reconfigure', patch: withBranch('b0', 'mnt-a') }, 20_000),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as Error).message).toMatch(/unions cannot contain each other/);
      expect(await listing('mnt-a')).not.toBe('no answer');
      expect(await listing('mnt-b')).not.toBe('no answer');
      await ok(process.execPath, [CLI, 'set', at('mnt-a'), '--branch', at('a0')]);
      await ok(process.execPath, [CLI, 'set', at('mnt-b'), '--branch', at('b0')]);
    }
  });
});
