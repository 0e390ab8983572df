import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MountInfoEntry } from '../../../main/common/mountinfo.ts';
import { commandLine, shellQuote } from '../../../main/common/shellQuote.ts';
import { mountThatMayHang, resolveWithoutWaiting } from '../../../main/node/mounts/deadlineFs.ts';
import { LateCallError, LateCalls } from '../../../main/node/sys/lateCalls.ts';
import { tempDir } from '../../support/serviceFakes.ts';

const entry = (mountpoint: string, fstype: string): MountInfoEntry => ({
  mountId: 1,
  parentId: 0,
  major: 0,
  minor: 99,
  root: '/',
  mountpoint,
  options: 'rw',
  fstype,
  source: 'x',
  superOptions: 'rw',
});

describe('paths that may lie on a mount that may not answer', () => {
  it('finds the deepest mount of a path and keeps only FUSE and network ones', () => {
    const mounts = [entry('/', 'ext4'), entry('/mnt/u', 'fuse.strata'), entry('/mnt/u/inner', 'tmpfs'), entry('/srv/nfs', 'nfs4')];
    expect(mountThatMayHang('/mnt/u/a/b', mounts)?.mountpoint).toBe('/mnt/u');
    expect(mountThatMayHang('/mnt/u', mounts)?.mountpoint).toBe('/mnt/u');
    expect(mountThatMayHang('/mnt/u/inner/x', mounts)).toBeUndefined();
    expect(mountThatMayHang('/mnt/uu', mounts)).toBeUndefined();
    expect(mountThatMayHang('/srv/nfs/projects', mounts)?.fstype).toBe('nfs4');
  });

  it('resolves symlinks up to a FUSE mount and never looks inside it', async () => {
    const dir = tempDir();
    const fake = join(dir, 'union');
    // The "union" does not even exist: any lstat in it would fail, so reaching it proves none was made.
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(fake, 'sub'), join(dir, 'real', 'into'));
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    const mounts = [entry('/', 'ext4'), entry(fake, 'fuse.strata')];
    expect(await resolveWithoutWaiting(join(dir, 'link', 'into', 'deeper'), mounts)).toEqual({ path: join(fake, 'sub', 'deeper'), stoppedAt: mounts[1] });
    expect(await resolveWithoutWaiting(join(dir, 'link', '..', 'real'), mounts)).toEqual({ path: join(dir, 'real') });
  });
});

describe('LateCalls', () => {
  it('abandons a call past its deadline and refuses the same key until it returns', async () => {
    const late = new LateCalls();
    let finish!: () => void;
    const stuck = new Promise<void>((r) => {
      finish = r;
    });
    await expect(late.run('k', 20, () => stuck)).rejects.toBeInstanceOf(LateCallError);
    const calls: string[] = [];
    await expect(
      late.run('k', 20, async () => {
        calls.push('again');
      }),
    ).rejects.toBeInstanceOf(LateCallError);
    expect(calls).toEqual([]);
    expect(await late.run('other', 20, async () => 'ok')).toBe('ok');
    finish();
    await stuck;
    await new Promise((r) => setTimeout(r, 0));
    expect(await late.run('k', 20, async () => 'back')).toBe('back');
  });
});

describe('shell quoting of suggested commands', () => {
  it('quotes what a shell would interpret, and leaves plain words alone', () => {
    expect(shellQuote('/mnt/u')).toBe('/mnt/u');
    expect(shellQuote('/tmp/a b/$(touch x)')).toBe(`'/tmp/a b/$(touch x)'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
    expect(commandLine('strata', 'unmount', '--force', '/m n')).toBe(`strata unmount --force '/m n'`);
  });
});
