// POSIX conformance cases found by pjdfstest (compared with kernel overlayfs), each through a real mount
// and real programs.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UnionFixture, mountUnion, ok, run } from '../support/unionFixture.ts';

// NAME_MAX: a legal name, although `.wh.<name>` cannot exist on any branch.
const longName = (c: string) => c.repeat(255);

describe('names of NAME_MAX bytes (pjdfstest */02.t)', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([, b1]) => {
        await writeFile(`${b1}/${longName('l')}`, 'lower');
        await mkdir(`${b1}/${longName('d')}`);
        await writeFile(`${b1}/${longName('d')}/inside`, 'i');
      },
    });
  });
  afterAll(() => u?.cleanup());

  it('can be created, changed, renamed to, linked and removed; one byte more is ENAMETOOLONG', async () => {
    const a = u.at(longName('a'));
    const b = u.at(longName('b'));
    await ok('touch', [a]);
    await ok('chmod', ['620', a]);
    expect((await ok('stat', ['-c', '%a %s', a])).trim()).toBe('620 0');
    await ok('mv', [a, b]);
    expect((await run('stat', [a])).code).not.toBe(0);
    await ok('ln', [b, a]);
    expect((await ok('stat', ['-c', '%h', b])).trim()).toBe('2');
    await ok('rm', [a, b]);
    expect((await run('stat', [b])).code).not.toBe(0);
    await ok('mkdir', [a]);
    await ok('mkfifo', [u.at(`${longName('a')}/${longName('f')}`)]);
    await ok('rm', ['-r', a]);
    const tooLong = await run('touch', [u.at(longName('a') + 'x')]);
    expect(tooLong.code).not.toBe(0);
    expect(tooLong.stderr).toMatch(/File name too long/);
  });

  it('are found on a lower branch, and a new entry below one copies the directory up', async () => {
    expect(await ok('cat', [u.at(longName('l'))])).toBe('lower');
    await ok('touch', [u.at(`${longName('d')}/new`)]);
    expect(await readFile(u.in(0, `${longName('d')}/new`), 'utf8')).toBe('');
    expect((await ok('ls', [u.at(longName('d'))])).split('\n').filter(Boolean).sort()).toEqual(['inside', 'new']);
  });

  it('on a read-only branch cannot be whited out: removing one fails and leaves it in place', async () => {
    const r = await run('rm', ['-f', u.at(longName('l'))]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/File name too long/);
    expect(await ok('cat', [u.at(longName('l'))])).toBe('lower');
  });
});

describe('paths near PATH_MAX (pjdfstest */03.t)', () => {
  let u: UnionFixture;
  let branchRoot: string;
  beforeAll(async () => {
    // A branch root much longer than the mountpoint: the real path of a deep union path passes PATH_MAX.
    branchRoot = join(await mkdtemp(join(tmpdir(), 'strata-longroot-')), 'b'.repeat(200));
    u = await mountUnion({ modes: ['rw'], branchDirs: [branchRoot] });
  });
  afterAll(async () => {
    await u?.cleanup();
    await rm(dirname(branchRoot), { recursive: true, force: true });
  });

  it('work in full although the branch path is longer than PATH_MAX', async () => {
    // Directories of up to 250 bytes, then a last name of at most 255 (NAME_MAX), 4090 bytes in all.
    const room = () => 4090 - u.mnt.length - rel.length - 1;
    let rel = '';
    while (room() > 255) rel += `/${'d'.repeat(Math.min(250, room() - 256))}`;
    const file = `${rel}/${'f'.repeat(room())}`;
    expect(Buffer.byteLength(u.at(file))).toBeLessThan(4096);
    expect(Buffer.byteLength(join(branchRoot, file))).toBeGreaterThan(4096);
    await ok('mkdir', ['-p', u.at(rel)]);
    await writeFile(u.at(file), 'deep');
    await ok('chmod', ['600', u.at(file)]);
    expect((await ok('stat', ['-c', '%a %s', u.at(file)])).trim()).toBe('600 4');
    const moved = `${rel}/${'m'.repeat(room())}`;
    await ok('mv', [u.at(file), u.at(moved)]);
    expect(await readFile(u.at(moved), 'utf8')).toBe('deep');
    await ok('rm', [u.at(moved)]);
    expect((await ok('ls', ['-A', u.at(rel)])).trim()).toBe('');
  });
});
