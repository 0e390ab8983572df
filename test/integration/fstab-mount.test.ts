/**
 * System unions: `mount -t fuse.strata SOURCE MOUNTPOINT -o OPTIONS`, as an /etc/fstab line or a systemd
 * unit has it run, through the real mount(8) and mount.fuse3 (in a private mount namespace where
 * `strata` is on their path, see test/support/mountNamespace.ts). The union is then like any other.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MountStatus } from '../../main/common/contract.ts';
import { parseFstabLine } from '../../main/common/export/fstabLine.ts';
import { parseMountUnit } from '../../main/common/export/mountUnit.ts';
import { isAlive, stopWorkers, waitUntil, workerPidsFor } from '../support/mountCleanup.ts';
import { openMountNamespace, type MountNamespace } from '../support/mountNamespace.ts';
import { background, withTempRoot } from '../support/unionFixture.ts';

let root: string;
let ns: MountNamespace;
let a: string;
let b: string;
let mnt: string;

const listed = async (): Promise<MountStatus | undefined> =>
  (JSON.parse((await ns.strata(['list', '--json'])).stdout) as MountStatus[]).find((s) => s.mountpoint === mnt);
const mountedInNs = async () => (await ns.mounts()).some((m) => m.mountpoint === mnt);

beforeAll(async () => {
  root = await withTempRoot('strata-it-fstab-');
  [a, b, mnt] = ['a', 'b', 'mnt'].map((d) => join(root, d));
  for (const d of [a, b, mnt]) await mkdir(d);
  await writeFile(join(b, 'old.txt'), 'from b\n');
  ns = await openMountNamespace(root);
});

afterEach(async () => {
  if (await mountedInNs()) await ns.run('umount', ['-l', mnt]);
  await stopWorkers(await workerPidsFor(root));
});

afterAll(async () => {
  await ns?.close();
  await rm(root, { recursive: true, force: true });
});

describe('mount -t fuse.strata', () => {
  it('mounts an fstab-style union that where, maps and set treat like any other, and umount unmounts it', async () => {
    const r = await ns.run('mount', [
      '-t',
      'fuse.strata',
      `${a}=rw:${b}=ro`,
      mnt,
      '-o',
      'create=mfs,minfree=1M,func.mkdir=ff,allow_other,nofail,_netdev,x-systemd.requires=srv.mount,noexec',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);

    const status = await listed();
    expect(status).toMatchObject({ state: 'mounted', origin: 'fstab', config: { create: 'mfs', minFreeSpace: 2 ** 20, createOverrides: { mkdir: 'ff' } } });
    expect((await ns.mounts()).find((m) => m.mountpoint === mnt)?.options).toContain('noexec');

    await ns.run('sh', ['-c', 'echo new > "$1/new.txt"', 'sh', mnt]);
    expect(await readFile(join(a, 'new.txt'), 'utf8')).toBe('new\n');
    const where = JSON.parse((await ns.strata(['where', join(mnt, 'old.txt'), '--json'])).stdout);
    expect(where).toMatchObject({ servingBranch: 1, servingPath: join(b, 'old.txt') });

    const holder = background('nsenter', ['-t', String(ns.pid), '-m', '--', 'sh', '-c', 'exec 3<"$1/old.txt"; echo held; exec sleep 60', 'sh', mnt]);
    await holder.waitFor('held');
    const maps = JSON.parse((await ns.strata(['maps', mnt, '--json'])).stdout);
    expect(JSON.stringify(maps)).toContain(join(mnt, 'old.txt'));
    await holder.stop();

    expect((await ns.strata(['set', mnt, '--create', 'tdp', '--force'])).code).toBe(0);
    expect((await listed())?.config?.create).toBe('tdp');

    const worker = status!.pid!;
    expect((await ns.run('umount', [mnt])).code).toBe(0);
    expect(await mountedInNs()).toBe(false);
    await waitUntil('the worker exits once its mount is gone', () => !isAlive(worker));
  });

  it('mounts read-only with -r (ro), refusing writes though its top branch is rw', async () => {
    expect((await ns.run('mount', ['-r', '-t', 'fuse.strata', `${a}=rw:${b}=ro`, mnt])).code).toBe(0);
    const write = await ns.run('sh', ['-c', 'echo x > "$1/ro.txt"', 'sh', mnt]);
    expect(write.stderr).toMatch(/Read-only file system/);
    expect((await ns.strata(['unmount', mnt])).code).toBe(0);
  });

  it('is unmounted by strata unmount too', async () => {
    expect((await ns.run('mount', ['-t', 'fuse.strata', `${a}:${b}`, mnt])).code).toBe(0);
    const worker = (await listed())!.pid!;
    const r = await ns.strata(['unmount', mnt]);
    expect(r.stdout).toBe(`Unmounted ${mnt}.\n`);
    expect(await mountedInNs()).toBe(false);
    await waitUntil('the worker exits', () => !isAlive(worker));
  });

  it.each([
    ['an unknown key', 'creat=mfs', /strata: Unknown mount option 'creat=mfs' for fuse.strata: use create=/],
    ['a bad policy', 'create=fastest', /strata: .*fastest/],
    ['a key without its value', 'minfree', /strata: Mount option 'minfree' needs a value: write minfree=VALUE/],
  ])('refuses %s with one clear line and mounts nothing', async (_, options, message) => {
    const r = await ns.run('mount', ['-t', 'fuse.strata', `${a}=rw:${b}=ro`, mnt, '-o', options]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(await mountedInNs()).toBe(false);
    expect(await workerPidsFor(root)).toEqual([]);
  });

  it('names the form mount.fuse3 uses when called with anything else', async () => {
    const r = await ns.strata([`${a}=rw`, mnt, '-x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `strata: Unknown option -x for a fuse.strata mount: usage is strata SOURCE MOUNTPOINT [-o OPTIONS], e.g. strata /srv/a=rw:/srv/b=ro /mnt/u -o create=mfs.\n`,
    );
    expect(await mountedInNs()).toBe(false);
  });

  it('refuses a source with an empty branch', async () => {
    const r = await ns.run('mount', ['-t', 'fuse.strata', `${a}::${b}`, mnt]);
    expect(r.stderr).toMatch(/strata: Empty branch in/);
    expect(await mountedInNs()).toBe(false);
  });
});

describe('strata export', () => {
  it('prints an fstab line that mount(8) mounts back into the same union, and a unit that parses to it', async () => {
    const mounted = await ns.strata([
      'mount',
      mnt,
      '--branch',
      `${a}=rw,minfree=2M`,
      '--branch',
      `${b}=nc`,
      '--create',
      'epmfs',
      '--copyup',
      'bup',
      '--name',
      'pool, one',
    ]);
    expect(mounted.code).toBe(0);
    const config = (await listed())!.config!;
    const line = (await ns.strata(['export', mnt, '--format', 'fstab'])).stdout.trim();
    const unit = (await ns.strata(['export', 'pool, one', '--format', 'systemd'])).stdout;
    const command = (await ns.strata(['export', mnt, '--format', 'cli'])).stdout.trim();
    expect(parseFstabLine(line).config).toEqual(config);
    expect(parseMountUnit(unit, 'tmp-' + mnt.slice('/tmp/'.length).replace(/-/g, '\\x2d').replace(/\//g, '-') + '.mount').config).toEqual(config);
    expect(command).toBe(`strata mount ${mnt} --branch ${a}=rw,minfree=2M --branch ${b}=nc --name 'pool, one' --create epmfs --copyup bup`);

    expect((await ns.strata(['unmount', mnt])).code).toBe(0);
    const fstab = join(root, 'fstab');
    await writeFile(fstab, `# written by strata export\n${line}\n`);
    const r = await ns.run('mount', ['-T', fstab, mnt]);
    expect(r.stderr).toBe('');
    expect(await listed()).toMatchObject({ origin: 'fstab', config });
    // The mount's source is the fstab source, so mount -a sees it is mounted and leaves it alone.
    expect((await ns.mounts()).find((m) => m.mountpoint === mnt)?.source).toBe(parseFstabLine(line).source);
    const again = await ns.run('mount', ['-a', '-T', fstab]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect((await ns.mounts()).filter((m) => m.mountpoint === mnt)).toHaveLength(1);
    expect((await ns.run('umount', [mnt])).code).toBe(0);
  });

  it('names the union it cannot find', async () => {
    const r = await ns.strata(['export', '/nowhere/u']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('strata: No union mounted or saved at or named /nowhere/u: strata list shows the mounted ones.\n');
  });
});
