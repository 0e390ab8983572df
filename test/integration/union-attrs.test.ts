// Attributes through the union: inode numbers and link counts, xattrs, times, statfs.
import { stat, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type UnionFixture, asRoot, mountUnion, ok, run, tmpfsBranches, unlessFuseNative } from '../support/unionFixture.ts';

describe('attributes', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([b0, b1]) => {
        await writeFile(`${b1}/lower`, 'l');
        await writeFile(`${b0}/upper`, 'u');
      },
    });
  });
  afterAll(() => u?.cleanup());

  it('link and unlink show the new link count and a shared inode number right away', async () => {
    await writeFile(u.at('orig'), 'x');
    const before = await stat(u.at('orig'));
    await ok('ln', [u.at('orig'), u.at('alias')]);
    const [a, b] = await Promise.all([stat(u.at('orig')), stat(u.at('alias'))]);
    expect(a.ino).toBe(before.ino);
    expect(b.ino).toBe(a.ino);
    expect(a.nlink).toBe(2);
    await ok('rm', [u.at('alias')]);
    expect((await stat(u.at('orig'))).nlink).toBe(1);
  });

  it('inode numbers stay the same across copy-up', async () => {
    const before = await stat(u.at('lower'));
    await ok('chmod', ['600', u.at('lower')]);
    expect((await stat(u.at('lower'))).ino).toBe(before.ino);
  });

  it('answers user.strata.branch and user.strata.allpaths for every path', async () => {
    const get = (name: string, rel: string) => ok('getfattr', ['--only-values', '-n', name, u.at(rel)]);
    expect(await get('user.strata.branch', 'upper')).toBe(u.branches[0]);
    await writeFile(u.in(1, 'upper'), 'shadowed');
    expect((await get('user.strata.allpaths', 'upper')).split('\0')).toEqual([u.in(0, 'upper'), u.in(1, 'upper')]);
  });

  it('passes user xattrs through and copies up to set one on a read-only file', async () => {
    await writeFile(u.in(1, 'xa'), 'x');
    await ok('setfattr', ['-n', 'user.k', '-v', 'v1', u.at('xa')]);
    expect(await ok('getfattr', ['--only-values', '-n', 'user.k', u.at('xa')])).toBe('v1');
    expect(await ok('getfattr', ['--only-values', '-n', 'user.k', u.in(0, 'xa')])).toBe('v1');
    expect((await run('getfattr', ['-n', 'user.k', u.in(1, 'xa')])).code).not.toBe(0);
  });

  unlessFuseNative('utimens gets atime as mtime and never sees mtime-only updates')(
    'touch -m and touch -a change only the time they name, with nanoseconds',
    async () => {
      await writeFile(u.at('times'), 'x');
      await ok('touch', ['-m', '-d', '2001-02-03 04:05:06.123456789', u.at('times')]);
      await ok('touch', ['-a', '-d', '2010-01-01 00:00:00.5', u.at('times')]);
      const out = (await ok('stat', ['-c', '%y|%x', u.at('times')])).trim().split('|');
      expect(out[0]).toMatch(/^2001-02-03 04:05:06\.123456789/);
      expect(out[1]).toMatch(/^2010-01-01 00:00:00\.5/);
    },
  );

  it('cp -p keeps the modification time', async () => {
    await writeFile(`${u.root}/src-time`, 'x');
    await ok('touch', ['-d', '1999-12-31 23:59:59', `${u.root}/src-time`]);
    await ok('cp', ['-p', `${u.root}/src-time`, u.at('dst-time')]);
    expect((await ok('stat', ['-c', '%Y', u.at('dst-time')])).trim()).toBe(String(Date.UTC(1999, 11, 31, 23, 59, 59) / 1000));
  });
});

// Two filesystems past 32-bit block counts: tmpfs mounts, root's to make.
describe.runIf(asRoot)('statfs', () => {
  let t: Awaited<ReturnType<typeof tmpfsBranches>> | undefined;
  let u: UnionFixture | undefined;
  afterEach(async () => {
    await u?.cleanup();
    await t?.cleanup();
  });

  it('sums distinct filesystems, correct past 32-bit block counts', async () => {
    t = await tmpfsBranches(['20T', '4T']);
    u = await mountUnion({ modes: ['rw', 'rw'], branchDirs: t.dirs });
    const size = async (p: string) => Number((await ok('df', ['-B1', '--output=size', p])).trim().split('\n')[1]);
    const sum = (await size(t.dirs[0])) + (await size(t.dirs[1]));
    expect(await size(u.mnt)).toBe(sum);
  });
});
