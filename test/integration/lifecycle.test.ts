/**
 * A union's life through `dist/cli.js` and real worker processes: mount, serve, list, busy and lazy
 * unmount, foreground mode, a worker killed with SIGKILL (stale mount, remount, sweep), live `set`,
 * `where` and `preview`. Every filesystem access goes through child processes.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MountStatus, PreviewResult, WhereResult } from '../../main/common/contract.ts';
import { branchListPath, mountKey, runtimeDir, workerLogPath } from '../../main/node/control/paths.ts';
import { WATCH_INTERVAL_MS } from '../../main/node/worker/mountSession.ts';
import { cleanupUnder, isAlive, mountsUnder, waitUntil, workerPidsFor } from '../support/mountCleanup.ts';
import { background, CLI, ok, run, strata, withTempRoot } from '../support/unionFixture.ts';

let root: string;
let mnt: string;
let b0: string;
let b1: string;

beforeEach(async () => {
  root = await withTempRoot();
  [mnt, b0, b1] = ['mnt', 'b0', 'b1'].map((d) => join(root, d));
  for (const d of [mnt, b0, b1]) await mkdir(d);
  await writeFile(join(b0, 'top.txt'), 'from b0\n');
  await writeFile(join(b1, 'low.txt'), 'from b1\n');
});

afterEach(async () => {
  await cleanupUnder(root);
});

/** The worker inherits the CLI's environment, so this picks the FUSE backend of the mounts below. */
let env: NodeJS.ProcessEnv = {};

async function mount(...extra: string[]): Promise<void> {
  const r = await strata(['mount', mnt, '--branch', b0, '--branch', b1, ...extra], { env });
  expect(r.stderr).not.toMatch(/^strata: (?!note)/m);
  expect(r.code).toBe(0);
}

async function statusOf(mountpoint: string): Promise<MountStatus | undefined> {
  const list = JSON.parse(await ok(process.execPath, [CLI, 'list', '--json'])) as MountStatus[];
  return list.find((s) => s.mountpoint === mountpoint);
}

const leftovers = async () => (await readdir(runtimeDir())).filter((name) => name.startsWith(mountKey(mnt)));
const strataMounted = async () => (await mountsUnder(root)).some((m) => m.mountpoint === mnt && m.fstype === 'fuse.strata');
const notConnected = async () => /not connected/.test((await run('stat', [mnt])).stderr);

// Both backends: unmount, busy detection and stale handling differ between them underneath.
describe.each(['native', 'fuse-native'])('with the %s backend', (backend) => {
  beforeEach(() => {
    env = { STRATA_BACKEND: backend };
  });
  afterAll(() => {
    env = {};
  });

  describe('strata mount / list / unmount', () => {
    it('mounts with its own worker, serves through child processes, lists, unmounts cleanly', async () => {
      const r = await strata(['mount', mnt, '--branch', b0, '--branch', b1], { env });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Mounted mnt on ${mnt} \\(worker pid \\d+`));

      const entry = (await mountsUnder(root)).find((m) => m.mountpoint === mnt);
      expect(entry).toMatchObject({ fstype: 'fuse.strata', source: 'strata:mnt' });
      expect(await ok('cat', [join(mnt, 'low.txt')])).toBe('from b1\n');
      expect((await ok('ls', [mnt])).split('\n').filter(Boolean).sort()).toEqual(['low.txt', 'top.txt']);

      const status = await statusOf(mnt);
      expect(status).toMatchObject({ state: 'mounted', name: 'mnt', backend });
      expect(status!.branches.map((b) => [b.path, b.mode])).toEqual([
        [b0, 'rw'],
        [b1, 'ro'],
      ]);
      expect(status!.pid).not.toBe(process.pid);
      const human = await ok(process.execPath, [CLI, 'list']);
      expect(human).toMatch(/^MOUNTPOINT\s+NAME\s+STATE\s+PID/);
      expect(human).toMatch(new RegExp(`${mnt}\\s+mnt\\s+mounted\\s+${status!.pid}`));

      const u = await strata(['unmount', mnt]);
      expect(u).toMatchObject({ code: 0, stdout: `Unmounted ${mnt}.\n` });
      expect(await strataMounted()).toBe(false);
      await waitUntil('the worker exits', () => !isAlive(status!.pid!));
    });

    it('refuses to unmount a busy union, saying so, and keeps serving it', async () => {
      await mount();
      const sleeper = background('sleep', ['60'], { cwd: mnt });
      try {
        const u = await strata(['unmount', mnt]);
        expect(u.code).toBe(1);
        expect(u.stderr).toMatch(new RegExp(`^strata: Cannot unmount ${mnt}: 1 process\\(es\\) use it: ${sleeper.child.pid} sleep .*--force`));
        expect(u.stderr.trim().split('\n')).toHaveLength(1);
        expect(await strataMounted()).toBe(true);
        expect((await statusOf(mnt))?.state).toBe('mounted');
        expect(await ok('cat', [join(mnt, 'top.txt')])).toBe('from b0\n');
      } finally {
        await sleeper.stop();
      }
      expect((await strata(['unmount', mnt])).code).toBe(0);
    });

    it('detaches a busy union lazily with --force; the worker serves open files, then exits', async () => {
      await mount();
      const pid = (await statusOf(mnt))!.pid!;
      // The reader holds the file until told to read it, however long the unmount takes to start.
      const go = join(root, 'go-read');
      await rm(go, { force: true });
      const reader = background('sh', ['-c', 'exec 3<top.txt; echo opened; while [ ! -e "$1" ]; do sleep 0.05; done; cat <&3', 'sh', go], { cwd: mnt });
      await reader.waitFor('opened');
      const u = await strata(['unmount', '--force', mnt]);
      expect(u.code).toBe(0);
      expect(u.stdout).toMatch(/Detached lazily/);
      expect(await strataMounted()).toBe(false);
      await writeFile(go, '');
      expect(await reader.exited).toBe(0);
      expect(reader.output()).toContain('from b0');
      await waitUntil('the worker exits after the last user', () => !isAlive(pid), 15_000);
    });

    it('in --foreground stays attached and unmounts on SIGINT', async () => {
      const child = spawn(process.execPath, [CLI, 'mount', mnt, '--branch', b0, '--foreground'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...env },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await waitUntil('the foreground mount is ready', () => out.includes('press Ctrl-C'));
      expect(await ok('cat', [join(mnt, 'top.txt')])).toBe('from b0\n');
      const pid = (await statusOf(mnt))!.pid!;
      expect(pid).not.toBe(child.pid);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(await strataMounted()).toBe(false);
      await waitUntil('the worker exits', () => !isAlive(pid));
    });
  });

  describe('a union unmounted from outside Strata', () => {
    /** The union mounted, a reader holding top.txt open, and the union detached with `umount -l`; readerDone lets the reader read and end. */
    async function detachedWhileRead() {
      await mount();
      const pid = (await statusOf(mnt))!.pid!;
      const go = join(root, 'go-read');
      const reader = background('sh', ['-c', 'exec 3<top.txt; echo opened; while [ ! -e "$1" ]; do sleep 0.05; done; cat <&3', 'sh', go], { cwd: mnt });
      await reader.waitFor('opened');
      await ok('umount', ['-l', mnt]);
      const readerDone = async () => {
        await writeFile(go, '');
        expect(await reader.exited).toBe(0);
        expect(reader.output()).toContain('from b0');
      };
      return { pid, readerDone };
    }

    it('its worker, stopped before it noticed, leaves what is mounted there since alone and serves its users', async () => {
      const { pid, readerDone } = await detachedWhileRead();
      // Someone else's filesystem, mounted where the union was before the worker's watch looks again.
      await ok('mount', ['-t', 'tmpfs', 'tmpfs', mnt]);
      process.kill(pid, 'SIGTERM');
      await waitUntil('the worker withdraws its socket, pid file and branch list', async () => (await leftovers()).length === 0);
      expect((await mountsUnder(root)).filter((m) => m.mountpoint === mnt).map((m) => m.fstype)).toEqual(['tmpfs']);
      await readerDone();
      await waitUntil('the worker exits after its last user', () => !isAlive(pid), 15_000);
    });

    it('can be mounted again at once, its old worker gone and none of its runtime files left', async () => {
      await mount();
      const old = (await statusOf(mnt))!.pid!;
      await ok('umount', [mnt]);
      await mount();
      const now = (await statusOf(mnt))!.pid!;
      expect(now).not.toBe(old);
      await waitUntil('the old worker exits', () => !isAlive(old));
      expect(await ok('cat', [join(mnt, 'low.txt')])).toBe('from b1\n');
      expect((await strata(['unmount', mnt])).code).toBe(0);
      await waitUntil('the new worker withdraws its runtime files', async () => (await leftovers()).length === 0);
    });

    it('lazily, with a file held open, can be mounted again with other branches before its worker noticed', async () => {
      const { pid: old, readerDone } = await detachedWhileRead();
      // The old worker still answers until its watch looks; the new one waits for it to let go rather than
      // take its branch list (which the loop check reads) or leave one of its own behind.
      const again = await strata(['mount', mnt, '--branch', b1], { env });
      expect(again).toMatchObject({ code: 0, stderr: '' });
      const now = (await statusOf(mnt))!;
      expect(now.pid).not.toBe(old);
      expect(now.branches.map((b) => b.path)).toEqual([b1]);
      expect(JSON.parse(await readFile(branchListPath(mnt), 'utf8'))).toMatchObject({ pid: now.pid, branches: [b1] });
      await readerDone();
      await waitUntil('the old worker exits after its last user', () => !isAlive(old), 15_000);
      expect((await strata(['unmount', mnt])).code).toBe(0);
      await waitUntil('the new worker withdraws its runtime files', async () => (await leftovers()).length === 0);
    });
  });

  describe('a union another mount covers', () => {
    it('is not unmounted by strata unmount; stopped with SIGTERM, leaves that mount alone and is served until it goes, then unmounts', async () => {
      await mount();
      const pid = (await statusOf(mnt))!.pid!;
      await ok('mount', ['-t', 'tmpfs', 'tmpfs', mnt]);
      await writeFile(join(mnt, 'kept'), 'on the tmpfs\n');
      for (const force of [[], ['--force']]) {
        expect(await strata(['unmount', ...force, mnt])).toMatchObject({
          code: 1,
          stderr: `strata: A tmpfs mount covers the Strata union on ${mnt}: unmount that one first (umount ${mnt}), then run this again.\n`,
        });
      }
      expect(await statusOf(mnt)).toMatchObject({ state: 'mounted', pid });
      process.kill(pid, 'SIGTERM');
      await waitUntil('the worker logs what it waits for', async () =>
        (await readFile(workerLogPath(mnt), 'utf8')).includes(`A tmpfs mount covers ${mnt}, and unmounting the union would take it down too`),
      );
      expect((await mountsUnder(root)).filter((m) => m.mountpoint === mnt).map((m) => m.fstype)).toEqual(['fuse.strata', 'tmpfs']);
      expect(await ok('cat', [join(mnt, 'kept')])).toBe('on the tmpfs\n');
      expect(await statusOf(mnt)).toMatchObject({ state: 'mounted', pid });

      await ok('umount', [mnt]);
      await waitUntil('the worker unmounts the union and exits', async () => !isAlive(pid) && !(await strataMounted()), 15_000);
      expect(await leftovers()).toEqual([]);
    });
  });

  describe('a worker that a bug crashes', () => {
    const crashing = () => ({ ...env, NODE_OPTIONS: `--require ${join(import.meta.dirname, '../support/crashOnSignal.cjs')}` });

    it('detaches its union on the way out: nothing stale is left, and its log says why', async () => {
      env = crashing();
      await mount();
      const pid = (await statusOf(mnt))!.pid!;
      process.kill(pid, 'SIGUSR2');
      await waitUntil('the worker exits', () => !isAlive(pid), 15_000);
      expect(await strataMounted()).toBe(false);
      expect(await statusOf(mnt)).toBeUndefined();
      expect(await readFile(workerLogPath(mnt), 'utf8')).toMatch(/uncaught exception: Error: a bug, made by the test/);
      expect((await run('ls', [mnt])).code).toBe(0);
      expect(await leftovers()).toEqual([]);
    });

    it('covered by another mount, leaves both mounted and says so', async () => {
      env = crashing();
      await mount();
      const pid = (await statusOf(mnt))!.pid!;
      await ok('mount', ['-t', 'tmpfs', 'tmpfs', mnt]);
      process.kill(pid, 'SIGUSR2');
      await waitUntil('the worker exits', () => !isAlive(pid), 15_000);
      expect(await readFile(workerLogPath(mnt), 'utf8')).toMatch(new RegExp(`left ${mnt} mounted: A tmpfs mount covers`));
      expect((await mountsUnder(root)).filter((m) => m.mountpoint === mnt).map((m) => m.fstype)).toEqual(['fuse.strata', 'tmpfs']);
      await ok('umount', [mnt]);
      expect(await statusOf(mnt)).toMatchObject({ state: 'stale' });
    });
  });

  describe('a worker killed with SIGKILL', () => {
    it('is listed as stale, is cleared by mounting again, and strata sweep clears the next one', async () => {
      await mount();
      process.kill((await statusOf(mnt))!.pid!, 'SIGKILL');
      await waitUntil('the mount reports ENOTCONN', notConnected);

      const stale = await statusOf(mnt);
      expect(stale).toMatchObject({ state: 'stale', problem: expect.stringMatching(/Transport endpoint is not connected.*strata sweep/) });
      expect(await ok(process.execPath, [CLI, 'list'])).toMatch(new RegExp(`${mnt}\\s+mnt\\s+stale`));

      await mount();
      expect(await ok('cat', [join(mnt, 'low.txt')])).toBe('from b1\n');
      expect((await mountsUnder(root)).filter((m) => m.mountpoint === mnt)).toHaveLength(1);

      process.kill((await statusOf(mnt))!.pid!, 'SIGKILL');
      await waitUntil('the mount reports ENOTCONN', notConnected);
      const sweep = await strata(['sweep']);
      expect(sweep).toMatchObject({ code: 0 });
      // Another Strata process on this machine (a concurrent test's start-up sweep) may have cleared it first.
      expect(sweep.stdout.includes(mnt) || sweep.stdout === 'No stale Strata mounts.\n').toBe(true);
      expect(await strataMounted()).toBe(false);
      expect(await statusOf(mnt)).toBeUndefined();
      expect((await run('ls', [mnt])).code).toBe(0);
    });

    it('covered by another mount, is left alone by strata sweep and strata unmount, which say so, and cleared once uncovered', async () => {
      await mount();
      process.kill((await statusOf(mnt))!.pid!, 'SIGKILL');
      await waitUntil('the mount reports ENOTCONN', notConnected);
      await ok('mount', ['-t', 'tmpfs', 'tmpfs', mnt]);
      await writeFile(join(mnt, 'kept'), 'on the tmpfs\n');
      expect(await statusOf(mnt)).toMatchObject({
        state: 'stale',
        problem: expect.stringMatching(/a tmpfs mount covers it: unmount that first \(umount .*\), then strata sweep/),
      });

      const sweep = await strata(['sweep']);
      expect(sweep).toMatchObject({ code: 0, stdout: expect.not.stringContaining(mnt) });
      expect(sweep.stderr).toContain(`strata: note: Left the stale union at ${mnt}: a tmpfs mount covers it.`);
      expect(await strata(['unmount', mnt])).toMatchObject({ code: 1, stderr: expect.stringContaining(`A tmpfs mount covers the Strata union on ${mnt}`) });
      expect((await mountsUnder(root)).filter((m) => m.mountpoint === mnt).map((m) => m.fstype)).toEqual(['fuse.strata', 'tmpfs']);
      expect(await ok('cat', [join(mnt, 'kept')])).toBe('on the tmpfs\n');

      await ok('umount', [mnt]);
      const again = await strata(['sweep']);
      // Another Strata process on this machine (a concurrent test's start-up sweep) may have cleared it first.
      expect(again.stdout.includes(mnt) || again.stdout === 'No stale Strata mounts.\n').toBe(true);
      expect(await strataMounted()).toBe(false);
    });

    it('its mount then taken down by hand, leaves runtime files that strata sweep removes', async () => {
      await mount();
      process.kill((await statusOf(mnt))!.pid!, 'SIGKILL');
      await waitUntil('the mount reports ENOTCONN', notConnected);
      await ok('umount', ['-l', mnt]);
      const sweep = await strata(['sweep']);
      expect(sweep.code).toBe(0);
      // Another strata sweep on this machine (a concurrent test's) may have removed them first.
      expect(sweep.stdout).toMatch(/Removed what 1 gone worker left in|^No stale Strata mounts\.\n$/);
      expect(await leftovers()).toEqual([]);
    });

    it('strata unmount clears a stale union too', async () => {
      await mount();
      process.kill((await statusOf(mnt))!.pid!, 'SIGKILL');
      await waitUntil('the mount reports ENOTCONN', notConnected);
      const u = await strata(['unmount', mnt]);
      expect(u).toMatchObject({ code: 0, stdout: expect.stringMatching(/Cleared the stale mount/) });
      expect(await strataMounted()).toBe(false);
    });
  });
});

describe('the control channel', () => {
  it('changes policies and branches live with strata set; bad input changes nothing', async () => {
    await mount();
    const set = await strata(['set', mnt, '--create', 'mfs', '--minfree', '1M']);
    expect(set.code).toBe(0);
    expect((await statusOf(mnt))?.config).toMatchObject({ create: 'mfs', minFreeSpace: 2 ** 20 });

    const bad = await strata(['set', mnt, '--branch', b0, '--branch', join(root, 'missing')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^strata: Branch .*missing does not exist/);
    expect((await statusOf(mnt))?.config?.branches).toHaveLength(2);

    const swap = await strata(['set', mnt, '--branch', `${b1}=rw`, '--branch', `${b0}=ro`]);
    expect(swap.code).toBe(0);
    expect((await statusOf(mnt))?.branches.map((b) => b.path)).toEqual([b1, b0]);
    await ok('sh', ['-c', 'echo new > "$1"', 'sh', join(mnt, 'new.txt')]);
    expect(await ok('cat', [join(b1, 'new.txt')])).toBe('new\n');
  });

  it('refuses to mount a second union on a live one', async () => {
    await mount();
    const again = await strata(['mount', mnt, '--branch', b1]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^strata: A Strata union is already mounted on .*: use strata set to change it, or strata unmount .* first\.\n$/);
    expect((await mountsUnder(root)).filter((m) => m.mountpoint === mnt)).toHaveLength(1);
  });

  it('of mounts started at once on one mountpoint, makes one and refuses the others, which leave it alone', async () => {
    const tries = await Promise.all([b0, b1, b0, b1].map((b) => strata(['mount', mnt, '--branch', b])));
    const made = tries.filter((r) => r.code === 0);
    expect(made).toHaveLength(1);
    for (const refused of tries.filter((r) => r.code !== 0)) {
      expect(refused.stderr).toMatch(
        /^strata: (Another Strata worker serves .* or is mounting it: run strata list to see it|A Strata union is already mounted on .*)\.\n$/,
      );
    }
    const pid = Number(/worker pid (\d+)/.exec(made[0].stdout)?.[1]);
    // Past the worker's watch interval: a refused mount that took the union down would show by now.
    await sleep(WATCH_INTERVAL_MS + 500);
    expect((await mountsUnder(root)).filter((m) => m.mountpoint === mnt)).toHaveLength(1);
    expect(await statusOf(mnt)).toMatchObject({ state: 'mounted', pid });
    expect((await ok('ls', [mnt])).trim()).toMatch(/^(low|top)\.txt$/);
    expect((await strata(['unmount', mnt])).code).toBe(0);
    await waitUntil('the worker withdraws its runtime files', async () => (await leftovers()).length === 0);
  });

  it('answers where and preview', async () => {
    await mount();
    const where = JSON.parse(await ok(process.execPath, [CLI, 'where', join(mnt, 'low.txt'), '--json'])) as WhereResult;
    expect(where).toMatchObject({ mountpoint: mnt, relPath: '/low.txt', exists: true, servingBranch: 1, servingPath: join(b1, 'low.txt') });
    expect(await ok(process.execPath, [CLI, 'where', join(mnt, 'low.txt')])).toMatch(/served by branch 2: /);
    expect(await ok(process.execPath, [CLI, 'preview', mnt, 'fresh.txt'])).toMatch(/would go to branch 1 \(top\): /);

    const preview = JSON.parse(await ok(process.execPath, [CLI, 'preview', mnt, 'fresh.txt', '--json'])) as PreviewResult;
    expect(preview).toMatchObject({ ok: true, branch: 0, branchPath: join(b0, 'fresh.txt'), fn: 'create' });

    const outside = await strata(['where', root]);
    expect(outside).toMatchObject({ code: 1, stderr: expect.stringMatching(/^strata: .* is not inside a mounted Strata union/) });
  });
});

describe('strata without a union', () => {
  it('prints its version, help and policies', async () => {
    expect(await ok(process.execPath, [CLI, '--version'])).toMatch(/^strata \d+\.\d+\.\d+\n$/);
    expect(await ok(process.execPath, [CLI, 'help'])).toMatch(/Usage: strata COMMAND/);
    expect(await ok(process.execPath, [CLI, 'help', 'mount'])).toMatch(/first branch\s+defaults to rw/);
    const policies = JSON.parse(await ok(process.execPath, [CLI, 'policies', '--json']));
    expect(policies.create.map((p: { name: string }) => p.name)).toContain('tdp');
    expect(policies.copyup.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['tdp', 'bup', 'bu']));
  });

  it('leaves no worker behind', async () => {
    await mount();
    expect(await workerPidsFor(root)).toHaveLength(1);
    await strata(['unmount', mnt]);
    await waitUntil('no worker is left', async () => (await workerPidsFor(root)).length === 0);
  });
});
