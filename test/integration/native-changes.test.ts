/**
 * Changes the native backend makes without the engine: attributes of a copy on a branch written in
 * place (or of a file it copies up first), unlink and rmdir with their whiteouts, new files,
 * directories, symlinks and special files that tdp places, renames and links that stay on their
 * branch (and readlink). Every request that reaches the engine for the names
 * these tests change is held unanswered (STRATA_TEST_HANG), so each change can only finish if the FUSE
 * threads made it themselves; a change that went to the engine fails the test instead of hanging it.
 */
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { chmod, mkdir, readdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountKey } from '../../main/node/control/paths.ts';
import { workerPidsFor } from '../support/mountCleanup.ts';
import { bounded, cutOff } from '../support/heldEngine.ts';
import type { HandleInfo } from '../../main/common/contract.ts';
import { controlRequest } from '../../main/node/control/controlClient.ts';
import { RENAME_EXCHANGE } from '../../main/node/sys/fsValues.ts';
import { type UnionFixture, background, mountUnion, ok } from '../support/unionFixture.ts';

const HELD = ['/f', '/w', '/link', '/both', '/gone', '/alone', '/bare', '/fresh', '/full', '/lower.txt', '/lower-dir'];

describe('changes made natively, with the engine held', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      env: { STRATA_TEST_HANG: HELD.join(':') },
      populate: async ([upper, lower]) => {
        await writeFile(`${upper}/f`, 'sixteen bytes..\n');
        await writeFile(`${upper}/w`, 'old contents\n');
        await symlink('f', `${upper}/link`);
        await writeFile(`${upper}/both`, 'upper\n');
        await writeFile(`${lower}/both`, 'lower\n');
        await writeFile(`${lower}/lower.txt`, 'lower\n');
        await mkdir(`${lower}/lower-dir`);
        // Looks empty through the union (its one lower entry whited out), but a lower copy shows through.
        await mkdir(`${upper}/gone`);
        await writeFile(`${upper}/gone/.wh.x`, '');
        await writeFile(`${upper}/gone/.wh..wh..opq`, '');
        await mkdir(`${lower}/gone`);
        await writeFile(`${lower}/gone/x`, 'hidden\n');
        // Looks empty too, and nothing below merges with it: its lower copy went.
        await mkdir(`${upper}/alone`);
        await writeFile(`${upper}/alone/.wh.z`, '');
        await writeFile(`${upper}/alone/.wh..wh..opq`, '');
        // Empty on its branch, nothing below.
        await mkdir(`${upper}/bare`);
        await mkdir(`${upper}/fresh`);
        await writeFile(`${upper}/fresh/.wh.y`, '');
        await mkdir(`${lower}/fresh`);
        await mkdir(`${upper}/full`);
        await writeFile(`${upper}/full/kept`, 'kept\n');
        await mkdir(`${upper}/again`);
        await mkdir(`${lower}/again`);
        await writeFile(`${lower}/again/old`, 'old\n');
        await writeFile(`${upper}/again/.wh.old`, '');
      },
    });
  });
  afterAll(() => cutOff(u));

  it('changes mode, owner, size and times of a file on the writable branch', async () => {
    const f = u.at('f');
    expect(await bounded('os.chmod(p, 0o600)', f)).toBe('ok');
    expect(await bounded('os.chown(p, 1234, 2345)', f)).toBe('ok');
    expect(await bounded('os.truncate(p, 7)', f)).toBe('ok');
    expect(await bounded('os.utime(p, (1, 1000000000))', f)).toBe('ok');
    const st = statSync(u.in(0, 'f'));
    expect([st.mode & 0o7777, st.uid, st.gid, st.size, st.mtimeMs]).toEqual([0o600, 1234, 2345, 7, 1e12]);
  });

  it('opens a file of the writable branch for writing, truncating or appending', async () => {
    expect(await bounded('open(p, "w").write("new\\n")', u.at('w'))).toBe('ok');
    expect(await bounded('open(p, "a").write("more\\n")', u.at('w'))).toBe('ok');
    expect(readFileSync(u.in(0, 'w'), 'utf8')).toBe('new\nmore\n');
  });

  it('syncs and allocates through a handle it keeps', async () => {
    expect(await bounded('fd = os.open(p, os.O_WRONLY); os.fsync(fd); os.fdatasync(fd); os.posix_fallocate(fd, 0, 4096); os.close(fd)', u.at('w'))).toBe('ok');
    expect(statSync(u.in(0, 'w')).size).toBe(4096);
    expect(readFileSync(u.in(0, 'w'), 'utf8').startsWith('new\nmore\n')).toBe(true);
  });

  it('changes the owner of a symlink itself, never its target', async () => {
    expect(await bounded('os.lchown(p, 4321, 4321)', u.at('link'))).toBe('ok');
    expect(lstatSync(u.in(0, 'link')).uid).toBe(4321);
    expect(statSync(u.in(0, 'f')).uid).toBe(1234);
  });

  it('sets, lists and removes xattrs of a file on the writable branch, and of a symlink itself', async () => {
    const script = [
      "os.setxattr(p, 'user.k', b'v')",
      "os.setxattr(p, 'trusted.t', b'w')",
      "assert sorted(os.listxattr(p)) == ['trusted.t', 'user.k'], os.listxattr(p)",
      "os.removexattr(p, 'user.k')",
      "os.setxattr(os.path.dirname(p) + '/link', 'trusted.s', b'x', follow_symlinks=False)",
    ].join('\n');
    expect(await bounded(script, u.at('f'))).toBe('ok');
    expect(await ok('getfattr', ['-d', '-m', '-', '--absolute-names', u.in(0, 'f')])).toMatch(/^trusted\.t="w"$/m);
    expect(await ok('getfattr', ['-d', '-m', '-', '--absolute-names', u.in(0, 'f')])).not.toContain('user.k');
    expect(await ok('getfattr', ['-h', '-d', '-m', '-', '--absolute-names', u.in(0, 'link')])).toContain('trusted.s="x"');
  });

  it("reads a symlink's target", async () => {
    expect(await bounded('assert os.readlink(p) == "f"', u.at('link'))).toBe('ok');
  });

  it('whites out a lower copy in the writable branch before removing the upper one', async () => {
    expect(await bounded('os.unlink(p)', u.at('both'))).toBe('ok');
    expect(existsSync(u.in(0, 'both'))).toBe(false);
    expect(statSync(u.in(0, '.wh.both')).size).toBe(0);
    expect(existsSync(u.in(1, 'both'))).toBe(true);
    expect(await bounded('os.lstat(p)', u.at('both'))).toBe('ENOENT');
  });

  // What the worker holds open at or below `path`.
  const heldOpen = async (path: string) => {
    const [worker] = await workerPidsFor(u.root);
    const fds = readdirSync(`/proc/${worker}/fd`).map((fd) => readlinkSync(`/proc/${worker}/fd/${fd}`, { encoding: 'utf8' }));
    return fds.filter((target) => target.startsWith(path));
  };

  // A directory is published once a name in it is looked up.
  const rmdir = (dir: string) => bounded('os.path.lexists(p + "/absent"); os.rmdir(p)', u.at(dir));

  it('removes a directory the union shows empty with its whiteouts and marker, and whites out its lower copy', async () => {
    expect(await rmdir('gone')).toBe('ok');
    expect(existsSync(u.in(0, 'gone'))).toBe(false);
    expect(existsSync(u.in(0, '.wh.gone'))).toBe(true);
    expect(await readdir(u.in(1, 'gone'))).toEqual(['x']);
    expect(await bounded('os.lstat(p)', u.at('gone'))).toBe('ENOENT');
    // The worker closes the removed copy after its reply, and keeps nothing of it.
    expect(await heldOpen(u.in(0, 'gone'))).toEqual([]);
  });

  it('removes a directory nothing below merges with, its whiteouts and marker too, and leaves no whiteout', async () => {
    expect(await rmdir('alone')).toBe('ok');
    expect([existsSync(u.in(0, 'alone')), existsSync(u.in(0, '.wh.alone'))]).toEqual([false, false]);
    expect(await bounded('os.lstat(p)', u.at('alone'))).toBe('ENOENT');
    expect(await heldOpen(u.in(0, 'alone'))).toEqual([]);
  });

  it('removes an empty directory nothing below merges with, leaving no whiteout', async () => {
    expect(await rmdir('bare')).toBe('ok');
    expect([existsSync(u.in(0, 'bare')), existsSync(u.in(0, '.wh.bare'))]).toEqual([false, false]);
    expect(await bounded('os.lstat(p)', u.at('bare'))).toBe('ENOENT');
  });

  it('removes a directory only its parent was looked up in, finding its copies by the lookup rule', async () => {
    expect(await bounded('os.rmdir(p)', u.at('fresh'))).toBe('ok');
    expect([existsSync(u.in(0, 'fresh')), existsSync(u.in(0, '.wh.fresh')), existsSync(u.in(1, 'fresh'))]).toEqual([false, true, true]);
  });

  it('refuses a directory that is not empty', async () => {
    expect(await rmdir('full')).toBe('ENOTEMPTY');
    expect(await bounded('assert os.listdir(p) == ["kept"]', u.at('full'))).toBe('ok');
  });

  it('lets a directory it removed be made again, new and opaque', async () => {
    expect(await rmdir('again')).toBe('ok');
    await ok('mkdir', [u.at('again')]);
    expect(await readdir(u.at('again'))).toEqual([]);
    await writeFile(u.at('again/new'), 'new\n');
    expect(await readdir(u.at('again'))).toEqual(['new']);
    expect(await readdir(u.in(1, 'again'))).toEqual(['old']);
  });

  it('copies a file on the read-only branch up to change its attributes (native-copyup.test.ts has the rest)', async () => {
    expect(await bounded('os.chmod(p, 0o600)', u.at('lower.txt'))).toBe('ok');
    expect(statSync(u.in(0, 'lower.txt')).mode & 0o777).toBe(0o600);
    expect(readFileSync(u.in(0, 'lower.txt'), 'utf8')).toBe('lower\n');
    expect(statSync(u.in(1, 'lower.txt')).mode & 0o777).toBe(0o644);
  });

  it('copies a directory on the read-only branch up, then changes the copy', async () => {
    expect(await bounded('os.chmod(p, 0o700)', u.at('lower-dir'))).toBe('ok');
    expect(statSync(u.in(0, 'lower-dir')).mode & 0o777).toBe(0o700);
    expect(statSync(u.in(1, 'lower-dir')).mode & 0o777).toBe(0o755);
  });
});

describe('the union root, with every attribute change and xattr call the engine gets held', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    const held = ['chmod', 'chown', 'utimens', 'getxattr', 'listxattr', 'setxattr', 'removexattr'];
    u = await mountUnion({ modes: ['rw', 'ro'], env: { STRATA_TEST_HANG: held.map((op) => `@${op}`).join(':') } });
  });
  afterAll(() => cutOff(u));

  it('changes its mode, owner, times and xattrs on the top branch, and reads its xattrs there', async () => {
    const root = u.mnt;
    // The root's first publication is the engine's (its attributes, asked first); the FUSE threads renew
    // it, also for a change of the root itself once it lapsed (a second).
    await ok('stat', [root]);
    await new Promise((r) => setTimeout(r, 1200));
    expect(await bounded('os.chmod(p, 0o750)', root)).toBe('ok');
    expect(await bounded('os.chown(p, 1234, 2345)', root)).toBe('ok');
    expect(await bounded('os.utime(p, (1, 1000000000))', root)).toBe('ok');
    expect(await bounded('os.setxattr(p, "user.note", b"root")', root)).toBe('ok');
    expect(await bounded('if os.getxattr(p, "user.note") != b"root" or "user.note" not in os.listxattr(p): raise OSError(errno.EIO, p)', root)).toBe('ok');
    const st = statSync(u.branches[0]);
    expect([st.mode & 0o7777, st.uid, st.gid, st.mtimeMs]).toEqual([0o750, 1234, 2345, 1e12]);
    expect(await bounded('os.removexattr(p, "user.note")', root)).toBe('ok');
    expect(await ok('getfattr', ['--absolute-names', '-d', u.branches[0]])).toBe('');
    expect(statSync(u.branches[1]).mode & 0o7777).toBe(0o755);
  });
});

describe('with moveonenospc on', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw'],
      args: ['--moveonenospc', 'mfs'],
      env: { STRATA_TEST_HANG: '/moving' },
      populate: async ([upper]) => writeFile(`${upper}/moving`, 'may move\n'),
    });
  });
  afterAll(() => cutOff(u));

  // The engine may be moving the file to another branch: removing its copy behind the engine's back
  // would leave the moved one standing.
  it('leaves every removal to the engine', async () => {
    expect(await bounded('os.unlink(p)', u.at('moving'))).toBe('held');
    expect(existsSync(u.in(0, 'moving'))).toBe(true);
  });
});

describe('new names tdp places, with the engine held', () => {
  let u: UnionFixture;
  const NOBODY = 65534;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      env: { STRATA_TEST_HANG: ['/pub/mine', '/pub/dir', '/pub/link', '/pub/fifo', '/pub/node', '/pub/null', '/hid', '/olddir', '/lowonly/x'].join(':') },
      populate: async ([upper, lower]) => {
        for (const b of [upper, lower]) {
          await mkdir(`${b}/pub`);
          await chmod(`${b}/pub`, 0o777);
        }
        await writeFile(`${lower}/hid`, 'lower\n');
        await writeFile(`${upper}/.wh.hid`, '');
        await mkdir(`${lower}/olddir`);
        await writeFile(`${lower}/olddir/inner`, 'lower\n');
        await writeFile(`${upper}/.wh.olddir`, '');
        await mkdir(`${lower}/lowonly`);
      },
    });
    // The fixture's directory is its creator's alone; the caller must reach the mount.
    await chmod(dirname(u.mnt), 0o711);
  });
  afterAll(() => cutOff(u));

  const create = 'fd = os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o640); os.write(fd, b"mine\\n"); os.close(fd)';

  it("creates a file in its parent's top copy, for its caller, and writes through the handle", async () => {
    expect(await bounded(create, u.at('pub/mine'), 'nobody')).toBe('ok');
    const st = statSync(u.in(0, 'pub/mine'));
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([NOBODY, NOBODY, 0o640]);
    expect(await bounded('assert open(p).read() == "mine\\n"', u.at('pub/mine'))).toBe('ok');
    expect(existsSync(u.in(1, 'pub/mine'))).toBe(false);
  });

  it('makes a directory for its caller', async () => {
    expect(await bounded('os.mkdir(p, 0o750)', u.at('pub/dir'), 'nobody')).toBe('ok');
    const st = statSync(u.in(0, 'pub/dir'));
    expect([st.isDirectory(), st.uid, st.mode & 0o777]).toEqual([true, NOBODY, 0o750]);
    expect(await readdir(u.in(0, 'pub/dir'))).toEqual([]);
  });

  it('makes a symlink for its caller', async () => {
    expect(await bounded('os.symlink("mine", p)', u.at('pub/link'), 'nobody')).toBe('ok');
    const st = lstatSync(u.in(0, 'pub/link'));
    expect([st.isSymbolicLink(), st.uid, readlinkSync(u.in(0, 'pub/link'))]).toEqual([true, NOBODY, 'mine']);
  });

  it('makes a FIFO and a regular file by mknod for its caller, and a device for root', async () => {
    expect(await bounded('os.mkfifo(p, 0o640)', u.at('pub/fifo'), 'nobody')).toBe('ok');
    expect(await bounded('import stat; os.mknod(p, 0o604 | stat.S_IFREG)', u.at('pub/node'), 'nobody')).toBe('ok');
    expect(await bounded('import stat; os.mknod(p, 0o600 | stat.S_IFCHR, os.makedev(1, 3))', u.at('pub/null'))).toBe('ok');
    const [fifo, node, dev] = ['fifo', 'node', 'null'].map((n) => lstatSync(u.in(0, `pub/${n}`)));
    expect([fifo.isFIFO(), fifo.uid, fifo.mode & 0o777]).toEqual([true, NOBODY, 0o640]);
    expect([node.isFile(), node.uid, node.mode & 0o777, node.size]).toEqual([true, NOBODY, 0o604, 0]);
    expect([dev.isCharacterDevice(), dev.uid, dev.rdev]).toEqual([true, 0, statSync('/dev/null').rdev]);
    expect(['fifo', 'node', 'null'].map((n) => existsSync(u.in(1, `pub/${n}`)))).toEqual([false, false, false]);
  });

  it('replaces the whiteout of a name, and the lower copy stays hidden', async () => {
    expect(await bounded(create, u.at('hid'))).toBe('ok');
    expect(await bounded('assert open(p).read() == "mine\\n"', u.at('hid'))).toBe('ok');
    expect(existsSync(u.in(0, '.wh.hid'))).toBe(false);
    expect(readFileSync(u.in(1, 'hid'), 'utf8')).toBe('lower\n');
  });

  it('makes a directory opaque where a whited-out copy of it exists below', async () => {
    expect(await bounded('os.mkdir(p)', u.at('olddir'))).toBe('ok');
    expect(existsSync(u.in(0, 'olddir/.wh..wh..opq'))).toBe(true);
    expect(existsSync(u.in(0, '.wh.olddir'))).toBe(false);
    // Not a listing: the new directory is not published yet, so that would reach the held engine.
    expect(await bounded('os.lstat(p)', u.at('olddir/inner'))).toBe('ENOENT');
    expect(await readdir(u.in(1, 'olddir'))).toEqual(['inner']);
  });

  it('makes a parent that is only on the read-only branch on the writable one first', async () => {
    expect(await bounded(create, u.at('lowonly/x'))).toBe('ok');
    expect([statSync(u.in(0, 'lowonly')).isDirectory(), readFileSync(u.in(0, 'lowonly/x'), 'utf8')]).toEqual([true, 'mine\n']);
  });
});

describe('parents tdp makes first, with the engine held', () => {
  let u: UnionFixture;
  const LOWER_TIMES = new Date('2020-02-02T02:02:02Z');
  const UPPER_TIMES = new Date('2021-01-01T01:01:01Z');
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      env: { STRATA_TEST_HANG: ['/deep/a/new', '/deep/c/old', '/deep/d/edit', '/two/x/new'].join(':') },
      populate: async ([upper, lower]) => {
        await mkdir(`${upper}/deep`);
        for (const d of ['a', 'c', 'd']) await mkdir(`${lower}/deep/${d}`, { recursive: true });
        await writeFile(`${lower}/deep/c/old`, 'old\n');
        await writeFile(`${lower}/deep/d/edit`, 'edit\n');
        await chmod(`${lower}/deep/a`, 0o750);
        await ok('chown', ['1234:2345', `${lower}/deep/a`]);
        await ok('setfattr', ['-n', 'trusted.kept', '-v', 'yes', `${lower}/deep/a`]);
        for (const d of ['a', 'd']) await utimes(`${lower}/deep/${d}`, LOWER_TIMES, LOWER_TIMES);
        await utimes(`${upper}/deep`, UPPER_TIMES, UPPER_TIMES);
        await mkdir(`${lower}/two/x`, { recursive: true });
      },
    });
  });
  afterAll(() => cutOff(u));

  const create = 'open(p, "w").write("new\\n")';

  it('makes the directory with the metadata the union shows, keeps its inode number, then the new file in it', async () => {
    const before = statSync(u.at('deep/a')).ino;
    expect(await bounded(create, u.at('deep/a/new'))).toBe('ok');
    const st = statSync(u.in(0, 'deep/a'));
    expect([st.isDirectory(), st.mode & 0o7777, st.uid, st.gid]).toEqual([true, 0o750, 1234, 2345]);
    // A directory made is no change the user made: its parent's times stay.
    expect(statSync(u.in(0, 'deep')).mtimeMs).toBe(UPPER_TIMES.getTime());
    expect(await ok('getfattr', ['-d', '-m', '-', '--absolute-names', u.in(0, 'deep/a')])).toContain('trusted.kept="yes"');
    expect(readFileSync(u.in(0, 'deep/a/new'), 'utf8')).toBe('new\n');
    expect(existsSync(u.in(1, 'deep/a/new'))).toBe(false);
    expect(await bounded(`assert os.stat(os.path.dirname(p)).st_ino == ${before}`, u.at('deep/a/new'))).toBe('ok');
    // Built in the union's work directory, which it leaves empty.
    expect(await readdir(u.in(0, `.wh..wh..strata-work/${mountKey(u.mnt)}`))).toEqual([]);
  });

  it('makes the directory to white out a file of the read-only branch in it', async () => {
    expect(await bounded('os.unlink(p)', u.at('deep/c/old'))).toBe('ok');
    expect([existsSync(u.in(0, 'deep/c/.wh.old')), readFileSync(u.in(1, 'deep/c/old'), 'utf8')]).toEqual([true, 'old\n']);
  });

  it('makes the directory, with the times of the copy the union shows, to copy a file up into it', async () => {
    expect(await bounded('os.chmod(p, 0o600)', u.at('deep/d/edit'))).toBe('ok');
    expect([statSync(u.in(0, 'deep/d/edit')).mode & 0o777, readFileSync(u.in(0, 'deep/d/edit'), 'utf8')]).toEqual([0o600, 'edit\n']);
    expect(statSync(u.in(0, 'deep/d')).mtimeMs).toBe(LOWER_TIMES.getTime());
  });

  it('makes a grandparent the writable branch lacks too, then the parent in it', async () => {
    const before = statSync(u.at('two')).ino;
    expect(await bounded(create, u.at('two/x/new'))).toBe('ok');
    expect([statSync(u.in(0, 'two')).isDirectory(), readFileSync(u.in(0, 'two/x/new'), 'utf8')]).toEqual([true, 'new\n']);
    expect(await bounded(`assert os.stat(os.path.dirname(os.path.dirname(p))).st_ino == ${before}`, u.at('two/x/new'))).toBe('ok');
  });
});

describe('removals of names on the read-only branch, with the engine held', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      env: { STRATA_TEST_HANG: ['/d/a', '/d/sub', '/d/full', '/only/x'].join(':') },
      populate: async ([upper, lower]) => {
        await mkdir(`${upper}/d`);
        await mkdir(`${lower}/d/sub`, { recursive: true });
        await mkdir(`${lower}/d/full`);
        await writeFile(`${lower}/d/a`, 'lower\n');
        await writeFile(`${lower}/d/full/x`, 'lower\n');
        await mkdir(`${lower}/only`);
        await writeFile(`${lower}/only/x`, 'lower\n');
      },
    });
  });
  afterAll(() => cutOff(u));

  it('whites out a file in the copy of its parent that tdp picks, and leaves the file', async () => {
    expect(await bounded('os.unlink(p)', u.at('d/a'))).toBe('ok');
    expect([existsSync(u.in(0, 'd/.wh.a')), existsSync(u.in(1, 'd/a'))]).toEqual([true, true]);
    expect(await bounded('os.lstat(p)', u.at('d/a'))).toBe('ENOENT');
  });

  it('whites out a directory the union shows empty', async () => {
    expect(await bounded('os.rmdir(p)', u.at('d/sub'))).toBe('ok');
    expect([existsSync(u.in(0, 'd/.wh.sub')), existsSync(u.in(1, 'd/sub'))]).toEqual([true, true]);
  });

  it('refuses a directory that is not empty', async () => {
    expect(await bounded('os.rmdir(p)', u.at('d/full'))).toBe('ENOTEMPTY');
    expect(existsSync(u.in(0, 'd/.wh.full'))).toBe(false);
  });

  it('makes a parent that is not on the writable branch yet there, to white out a name in it', async () => {
    expect(await bounded('os.unlink(p)', u.at('only/x'))).toBe('ok');
    expect([existsSync(u.in(0, 'only/.wh.x')), existsSync(u.in(1, 'only/x'))]).toEqual([true, true]);
  });
});

describe('renames and links, with the engine held', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      env: {
        STRATA_TEST_HANG: [
          '/r/a',
          '/r/both',
          '/r/e',
          '/r/f',
          '/r/g',
          '/r/n',
          '/r/l',
          '/r/low',
          '/r/lowl',
          '/r/dir',
          '/r/dir/in',
          '/r/cover',
          '/r/plain',
          '/r/plain2',
          '/r/x1',
          '/r/x2',
          '/r/y1',
          '/r/y2',
          '/s/tolow',
          '/s/lk',
          '/lowdir',
          '/lowdir/moved',
          '/lowdir/lk2',
          '/lowdir/up',
          '/lowsrc',
          '/lowsrc/f',
          '/lowsrc/g',
          '/lowsrc/g2',
        ].join(':'),
      },
      populate: async ([upper, lower]) => {
        for (const b of [upper, lower]) await mkdir(`${b}/r`);
        await mkdir(`${upper}/s`);
        await mkdir(`${lower}/s`);
        for (const name of ['a', 'e', 'f', 'g', 'n', 'l', 'both']) await writeFile(`${upper}/r/${name}`, `${name}\n`);
        await writeFile(`${lower}/r/both`, 'lower both\n');
        for (const name of ['x1', 'x2', 'y1', 'y2']) await writeFile(`${upper}/r/${name}`, `${name}\n`);
        await writeFile(`${lower}/r/x2`, 'lower x2\n');
        await writeFile(`${lower}/r/hidden`, 'lower hidden\n');
        await writeFile(`${upper}/r/.wh.hidden`, '');
        await writeFile(`${lower}/r/shown`, 'lower shown\n');
        await writeFile(`${upper}/r/taken`, 'taken\n');
        await writeFile(`${lower}/r/low`, 'low\n');
        await writeFile(`${lower}/r/lowl`, 'lowl\n');
        await mkdir(`${upper}/r/dir/sub`, { recursive: true });
        await writeFile(`${upper}/r/dir/in`, 'in\n');
        await writeFile(`${upper}/r/dir/sub/deep`, 'deep\n');
        await mkdir(`${upper}/r/cover`);
        await writeFile(`${lower}/r/cover`, 'a file below\n');
        for (const b of [upper, lower]) await mkdir(`${b}/r/merged`);
        for (const d of ['plain', 'plain2']) {
          await mkdir(`${upper}/r/${d}`);
          await writeFile(`${upper}/r/${d}/mine`, 'mine\n');
        }
        await writeFile(`${upper}/r/.wh.nothing`, '');
        for (const name of ['tolow', 'lk']) await writeFile(`${upper}/s/${name}`, `${name}\n`);
        await mkdir(`${lower}/lowdir`, { mode: 0o750 });
        await writeFile(`${lower}/lowdir/old`, 'old\n');
        await mkdir(`${lower}/lowsrc`);
        await writeFile(`${lower}/lowsrc/f`, 'lower f\n');
        await writeFile(`${lower}/lowsrc/g`, 'lower g\n');
        await mkdir(`${lower}/r/gone/old`, { recursive: true });
        await writeFile(`${upper}/r/.wh.gone`, '');
      },
    });
  });
  afterAll(() => cutOff(u));

  /** rename(2), or renameat2 with `flags`, of `from` to `to`, after a lookup that publishes `to`'s directory. */
  const mv = (from: string, to: string, flags = 0) =>
    bounded(
      [
        `q = ${JSON.stringify(u.at(to))}`,
        'os.path.lexists(os.path.join(os.path.dirname(q), ".never"))',
        'import ctypes',
        'libc = ctypes.CDLL(None, use_errno=True)',
        `if libc.renameat2(-100, p.encode(), -100, q.encode(), ${flags}) != 0:`,
        '    raise OSError(ctypes.get_errno(), "renameat2")',
      ].join('\n'),
      u.at(from),
    );
  const union = async (dir: string) => (await readdir(u.at(dir))).sort();

  it('moves a file within its directory and to another one', async () => {
    expect(await mv('r/a', 'r/a2')).toBe('ok');
    expect(readFileSync(u.in(0, 'r/a2'), 'utf8')).toBe('a\n');
    expect(existsSync(u.in(0, 'r/a'))).toBe(false);
    expect(await mv('r/e', 's/e')).toBe('ok');
    expect(readFileSync(u.at('s/e'), 'utf8')).toBe('e\n');
    expect(existsSync(u.in(1, 's/e'))).toBe(false);
  });

  it('whites out the lower copy of the name it moves away', async () => {
    expect(await mv('r/both', 'r/both2')).toBe('ok');
    expect([existsSync(u.in(0, 'r/.wh.both')), readFileSync(u.in(1, 'r/both'), 'utf8')]).toEqual([true, 'lower both\n']);
    expect(await bounded('os.lstat(p)', u.at('r/both'))).toBe('ENOENT');
  });

  it('replaces a whited-out name, whose lower copy stays hidden behind the moved file', async () => {
    expect(await mv('r/f', 'r/hidden')).toBe('ok');
    expect(existsSync(u.in(0, 'r/.wh.hidden'))).toBe(false);
    expect(readFileSync(u.at('r/hidden'), 'utf8')).toBe('f\n');
    expect(readFileSync(u.in(1, 'r/hidden'), 'utf8')).toBe('lower hidden\n');
  });

  it('replaces a name shown from the lower branch, which keeps its copy', async () => {
    expect(await mv('r/g', 'r/shown')).toBe('ok');
    expect([readFileSync(u.at('r/shown'), 'utf8'), readFileSync(u.in(1, 'r/shown'), 'utf8')]).toEqual(['g\n', 'lower shown\n']);
  });

  it('refuses RENAME_NOREPLACE onto a name the union shows, and changes nothing', async () => {
    expect(await mv('r/n', 'r/taken', 1)).toBe('EEXIST');
    expect(await mv('r/n', 'r/shown', 1)).toBe('EEXIST');
    expect(await bounded('assert open(p).read() == "n\\n"', u.at('r/n'))).toBe('ok');
    expect(readFileSync(u.at('r/taken'), 'utf8')).toBe('taken\n');
    expect(await union('r')).toEqual(
      ['a2', 'both2', 'hidden', 'l', 'n', 'shown', 'taken', 'dir', 'low', 'lowl', 'cover', 'merged', 'plain', 'plain2', 'x1', 'x2', 'y1', 'y2'].sort(),
    );
  });

  it('links a file into another directory, one inode under both names, and refuses a name the union shows', async () => {
    const link = (to: string) => bounded(`q = ${JSON.stringify(u.at(to))}\nos.path.lexists(q + ".never")\nos.link(p, q)`, u.at('r/l'));
    expect(await link('s/l2')).toBe('ok');
    expect(statSync(u.in(0, 's/l2')).ino).toBe(statSync(u.in(0, 'r/l')).ino);
    expect(await bounded(`assert os.stat(p).st_ino == os.stat(${JSON.stringify(u.at('s/l2'))}).st_ino`, u.at('r/l'))).toBe('ok');
    expect(await link('r/shown')).toBe('EEXIST');
  });

  it('copies a file of the read-only branch up to rename it, and whites out the name it leaves', async () => {
    expect(await mv('r/low', 'r/shown', 1)).toBe('EEXIST');
    expect(existsSync(u.in(0, 'r/low'))).toBe(false);
    expect(await mv('r/low', 's/low2')).toBe('ok');
    expect(readFileSync(u.in(0, 's/low2'), 'utf8')).toBe('low\n');
    expect([existsSync(u.in(0, 'r/low')), existsSync(u.in(0, 'r/.wh.low'))]).toEqual([false, true]);
    expect(readFileSync(u.in(1, 'r/low'), 'utf8')).toBe('low\n');
    expect(await bounded('os.lstat(p)', u.at('r/low'))).toBe('ENOENT');
  });

  it('copies a file of the read-only branch up to link it, one inode under both names', async () => {
    const q = JSON.stringify(u.at('s/lowl2'));
    expect(await bounded(`os.path.lexists(${q} + ".never")\nos.link(p, ${q})\nassert os.stat(p).st_ino == os.stat(${q}).st_ino`, u.at('r/lowl'))).toBe('ok');
    expect(statSync(u.in(0, 's/lowl2')).ino).toBe(statSync(u.in(0, 'r/lowl')).ino);
    expect(statSync(u.in(0, 'r/lowl')).nlink).toBe(2);
    expect(readFileSync(u.in(1, 'r/lowl'), 'utf8')).toBe('lowl\n');
    expect(statSync(u.in(1, 'r/lowl')).nlink).toBe(1);
  });

  it('moves and links files into a directory only the read-only branch has, which is made on the writable branch first', async () => {
    expect(await mv('s/tolow', 'lowdir/moved')).toBe('ok');
    const made = statSync(u.in(0, 'lowdir'));
    expect([made.isDirectory(), made.mode & 0o777, readFileSync(u.in(0, 'lowdir/moved'), 'utf8')]).toEqual([true, 0o750, 'tolow\n']);
    expect(await mv('lowsrc/f', 'lowdir/up')).toBe('ok');
    expect([readFileSync(u.in(0, 'lowdir/up'), 'utf8'), existsSync(u.in(0, 'lowsrc/.wh.f')), existsSync(u.in(1, 'lowsrc/f'))]).toEqual([
      'lower f\n',
      true,
      true,
    ]);
    const q = JSON.stringify(u.at('lowdir/lk2'));
    expect(await bounded(`os.path.lexists(${q} + ".never")\nos.link(p, ${q})`, u.at('s/lk'))).toBe('ok');
    expect(statSync(u.in(0, 'lowdir/lk2')).ino).toBe(statSync(u.in(0, 's/lk')).ino);
    expect(await bounded('assert sorted(os.listdir(p)) == ["lk2", "moved", "old", "up"], os.listdir(p)', u.at('lowdir'))).toBe('ok');
    expect(await mv('lowsrc/g', 'lowsrc/g2')).toBe('ok');
    expect(readFileSync(u.in(0, 'lowsrc/g2'), 'utf8')).toBe('lower g\n');
    expect(await bounded('assert os.listdir(p) == ["g2"], os.listdir(p)', u.at('lowsrc'))).toBe('ok');
  });

  it('exchanges two files of the writable branch, and the lower copy one of them hid stays hidden', async () => {
    expect(await mv('r/x1', 'r/x2', RENAME_EXCHANGE)).toBe('ok');
    expect([readFileSync(u.in(0, 'r/x1'), 'utf8'), readFileSync(u.in(0, 'r/x2'), 'utf8')]).toEqual(['x2\n', 'x1\n']);
    expect(await bounded(`assert [open(p).read(), open(${JSON.stringify(u.at('r/x2'))}).read()] == ["x2\\n", "x1\\n"]`, u.at('r/x1'))).toBe('ok');
    expect(readFileSync(u.in(1, 'r/x2'), 'utf8')).toBe('lower x2\n');
  });

  it('exchanges two files open through the union, whose handles then go by each other’s name', async () => {
    const holder = background('python3', [
      '-c',
      [
        'import ctypes, os, sys, time',
        'rw = os.open(sys.argv[1], os.O_RDWR)',
        'app = os.open(sys.argv[2], os.O_WRONLY | os.O_APPEND)',
        'libc = ctypes.CDLL(None, use_errno=True)',
        `assert libc.renameat2(-100, sys.argv[1].encode(), -100, sys.argv[2].encode(), ${RENAME_EXCHANGE}) == 0`,
        'os.write(app, b"+")',
        'print("swapped", flush=True)',
        'time.sleep(30)',
      ].join('\n'),
      u.at('r/y1'),
      u.at('r/y2'),
    ]);
    try {
      await holder.waitFor('swapped');
      const handles = (await controlRequest(u.mnt, { op: 'handles' })) as HandleInfo[];
      const by = (accmode: number) => handles.filter((h) => (h.flags & 3) === accmode && h.relPath.startsWith('/r/y')).map((h) => h.relPath);
      expect([by(2), by(1)]).toEqual([['/r/y2'], ['/r/y1']]);
      expect(await bounded(`assert [open(p).read(), open(${JSON.stringify(u.at('r/y2'))}).read()] == ["y2\\n+", "y1\\n"]`, u.at('r/y1'))).toBe('ok');
    } finally {
      await holder.stop();
    }
  });

  it('moves a directory that lives on the writable branch alone, whole, and a handle open in it follows', async () => {
    const moved = JSON.stringify(u.at('s/dir2'));
    const script = [
      `fd = os.open(p + "/in", os.O_RDWR)`,
      `q = ${moved}`,
      'os.path.lexists(q + ".never")',
      'os.rename(p, q)',
      'os.pwrite(fd, b"IN", 0)',
      'os.fchmod(fd, 0o600)',
      'assert os.fstat(fd).st_mode & 0o777 == 0o600',
      'os.close(fd)',
    ].join('\n');
    expect(await bounded(script, u.at('r/dir'))).toBe('ok');
    expect(existsSync(u.in(0, 'r/dir'))).toBe(false);
    expect([readFileSync(u.in(0, 's/dir2/in'), 'utf8'), statSync(u.in(0, 's/dir2/in')).mode & 0o777]).toEqual(['IN\n', 0o600]);
    expect([readFileSync(u.at('s/dir2/sub/deep'), 'utf8'), (await union('s/dir2')).join()]).toEqual(['deep\n', 'in,sub']);
    expect(await bounded('os.lstat(p)', u.at('r/dir'))).toBe('ENOENT');
  });

  it('whites out what the moved directory covered below', async () => {
    expect(await mv('r/cover', 'r/cover2')).toBe('ok');
    expect([existsSync(u.in(0, 'r/.wh.cover')), statSync(u.in(0, 'r/cover2')).isDirectory()]).toEqual([true, true]);
    expect(await bounded('os.lstat(p)', u.at('r/cover'))).toBe('ENOENT');
  });

  it('moves a directory over a whiteout, made opaque where a copy below would merge into it', async () => {
    expect(await mv('r/plain', 'r/gone')).toBe('ok');
    expect(await union('r/gone')).toEqual(['mine']);
    expect([existsSync(u.in(0, 'r/gone/.wh..wh..opq')), existsSync(u.in(0, 'r/.wh.gone')), existsSync(u.in(1, 'r/gone/old'))]).toEqual([true, false, true]);
    expect(await mv('r/plain2', 'r/nothing')).toBe('ok');
    expect([existsSync(u.in(0, 'r/nothing/.wh..wh..opq')), existsSync(u.in(0, 'r/.wh.nothing')), await union('r/nothing')]).toEqual([false, false, ['mine']]);
  });

  it('leaves to the engine a directory merged from both branches, which refuses it (EXDEV)', async () => {
    expect(await mv('r/merged', 'r/merged2')).toBe('EXDEV');
  });
});

describe('a directory with a file the engine holds open in it', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      // rr is the engine's, so the file made in the directory is opened by the engine, which keeps its handle.
      args: ['--create', 'rr'],
      env: { STRATA_TEST_HANG: '/busy' },
      populate: async ([upper]) => {
        await mkdir(`${upper}/busy`);
      },
    });
  });
  afterAll(() => cutOff(u));

  // The engine's handle table goes by path: a rename made natively would leave it behind.
  it('is renamed by the engine, not natively', async () => {
    const q = JSON.stringify(u.at('moved'));
    const script = ['fd = os.open(p + "/new", os.O_CREAT | os.O_RDWR, 0o644)', `os.path.lexists(${q} + ".never")`, `os.rename(p, ${q})`].join('\n');
    expect(await bounded(script, u.at('busy'))).toBe('held');
    expect([existsSync(u.in(0, 'busy/new')), existsSync(u.in(0, 'moved'))]).toEqual([true, false]);
  });
});

describe('a rename that copies up past a branch the copy-up policy skips', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'rw', 'ro'],
      env: { STRATA_TEST_HANG: '/d/x' },
      populate: async ([top, , lower]) => {
        await mkdir(`${top}/d`);
        await mkdir(`${lower}/d`);
        await writeFile(`${lower}/d/x`, 'x\n');
      },
    });
  });
  afterAll(() => cutOff(u));

  // tdp's copy-up would go to the top branch, the one holding d; the engine's rename goes to the
  // nearest branch that takes new names, the middle one, making d there first.
  it('leaves it to the engine', async () => {
    const q = JSON.stringify(u.at('d/y'));
    expect(await bounded(`os.path.lexists(${q} + ".never")\nos.rename(p, ${q})`, u.at('d/x'))).toBe('held');
    expect([existsSync(u.in(0, 'd/x')), existsSync(u.in(0, 'd/y'))]).toEqual([false, false]);
  });
});

describe('other create and copy-up policies', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      args: ['--create', 'rr', '--copyup', 'bup'],
      env: { STRATA_TEST_HANG: '/chosen:/d/gone' },
      populate: async ([upper, lower]) => {
        await mkdir(`${upper}/d`);
        await mkdir(`${lower}/d`);
        await writeFile(`${lower}/d/gone`, 'lower\n');
      },
    });
  });
  afterAll(() => cutOff(u));

  it('leave every new name to the engine', async () => {
    expect(await bounded('open(p, "w").close()', u.at('chosen'))).toBe('held');
  });

  it('leave the whiteout of a name on the read-only branch to the engine', async () => {
    expect(await bounded('os.unlink(p)', u.at('d/gone'))).toBe('held');
  });
});

describe('directories the FUSE threads publish themselves, with the engine held', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      env: { STRATA_TEST_HANG: ['/walk/a', '/walk/a/b', '/walk/a/b/c', '/walk/a/b/c/f', '/walk/a/b/c/up'].join(':') },
      populate: async ([upper, lower]) => {
        await mkdir(`${lower}/walk/a/b/c`, { recursive: true });
        await writeFile(`${lower}/walk/a/b/c/f`, 'deep\n');
        await mkdir(`${upper}/walk/a/b/c`, { recursive: true });
        await writeFile(`${upper}/walk/a/b/c/up`, 'up\n');
        await mkdir(`${upper}/moves/src/sub`, { recursive: true });
        await writeFile(`${upper}/moves/src/sub/f`, 'moved\n');
      },
    });
  });
  afterAll(() => cutOff(u));

  // Every request for those directories and names is held: a lookup that needed the engine to resolve
  // the directory it is in would hang.
  it('answers a walk down directories the engine never resolved, each merged from its parent’s copies', async () => {
    expect(await bounded('assert open(p).read() == "deep\\n"', u.at('walk/a/b/c/f'))).toBe('ok');
    expect(await bounded('assert sorted(os.listdir(os.path.dirname(p))) == ["f", "up"]', u.at('walk/a/b/c/up'))).toBe('ok');
    expect(await bounded('assert open(p).read() == "up\\n"', u.at('walk/a/b/c/up'))).toBe('ok');
  });

  it('leaves none of them behind when a directory above them is renamed', async () => {
    // Published here, from lookups of names in them, then moved (a directory's rename).
    expect(readFileSync(u.at('moves/src/sub/f'), 'utf8')).toBe('moved\n');
    await ok('mv', [u.at('moves/src'), u.at('moves/dst')]);
    await ok('mkdir', ['-p', u.at('moves/src/sub')]);
    // The publications of the old names are gone: the new directory is empty, the moved one is whole.
    expect(readdirSync(u.at('moves/src/sub'))).toEqual([]);
    expect(existsSync(u.at('moves/src/sub/f'))).toBe(false);
    expect(readFileSync(u.at('moves/dst/sub/f'), 'utf8')).toBe('moved\n');
  });
});

describe('names the kernel keeps after their directory’s publication lapsed, with the engine held', () => {
  let u: UnionFixture;
  const NAMES = ['f', 'c', 'g', 'h', 'm'];
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      // The kernel keeps entries for 30 s, so it asks nothing about these names again, and each request
      // below finds the one-second publications of the root, /kept and /kept/d lapsed.
      env: { STRATA_TEST_HANG: [...NAMES.map((n) => `/kept/d/${n}`), '/top'].join(':'), STRATA_CACHE_TIMEOUT: '30' },
      populate: async ([upper, lower]) => {
        await writeFile(`${upper}/top`, 'top\n');
        await mkdir(`${upper}/kept/d`, { recursive: true });
        await mkdir(`${lower}/kept/d`, { recursive: true });
        for (const n of ['f', 'g', 'h', 'm']) await writeFile(`${upper}/kept/d/${n}`, `${n}\n`);
        await writeFile(`${lower}/kept/d/c`, 'lower c\n');
      },
    });
  });
  afterAll(() => cutOff(u));

  /** Runs `call` on `p` = the kept name `name` once every publication lapsed, looking up nothing in the union. */
  const afterLapse = async (call: string, name: string) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return bounded(`p = ${JSON.stringify(u.at(name))}\n${call}`, join(tmpdir(), 'not-the-union'));
  };

  it('in the root, are changed on the FUSE threads, which publish the root again from the branches', async () => {
    expect(await bounded('os.lstat(p)', u.at('top'))).toBe('ok');
    expect(await afterLapse('os.chmod(p, 0o600)', 'top')).toBe('ok');
    expect(statSync(u.in(0, 'top')).mode & 0o777).toBe(0o600);
  });

  it('are opened, copied up, changed, removed and renamed on the FUSE threads, which publish the directories again from the root', async () => {
    const dir = JSON.stringify(u.at('kept/d'));
    expect(await bounded(`for n in ${JSON.stringify(NAMES)}: os.lstat(os.path.join(${dir}, n))`, u.at('kept/d/f'))).toBe('ok');
    expect(await afterLapse('assert open(p).read() == "f\\n"', 'kept/d/f')).toBe('ok');
    expect(await afterLapse('open(p, "a").write("+")', 'kept/d/c')).toBe('ok');
    expect(await afterLapse('os.chmod(p, 0o600)', 'kept/d/g')).toBe('ok');
    expect(await afterLapse('os.unlink(p)', 'kept/d/h')).toBe('ok');
    expect(await afterLapse('os.rename(p, p + "2")', 'kept/d/m')).toBe('ok');
    expect([readFileSync(u.in(0, 'kept/d/c'), 'utf8'), readFileSync(u.in(1, 'kept/d/c'), 'utf8')]).toEqual(['lower c\n+', 'lower c\n']);
    expect(statSync(u.in(0, 'kept/d/g')).mode & 0o777).toBe(0o600);
    expect([existsSync(u.in(0, 'kept/d/h')), existsSync(u.in(0, 'kept/d/m')), readFileSync(u.in(0, 'kept/d/m2'), 'utf8')]).toEqual([false, false, 'm\n']);
  });
});

describe('attribute changes by path while another thread opens and closes the file', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({ modes: ['rw'], populate: async ([upper]) => writeFile(`${upper}/busy`, 'x') });
  });
  afterAll(() => u?.cleanup());

  it("borrow the open handle's descriptor safely: its release never closes it under them", async () => {
    // chmod, utimes and getxattr by path run on the descriptor of a handle open on the same path, which
    // its RELEASE, served by another FUSE thread, may close meanwhile (EBADF, or a stranger's number).
    const out = await ok('python3', [
      '-c',
      `import errno, os, sys, threading, time
f, stop, errs, n = sys.argv[1], time.monotonic() + 3, {}, [0, 0]
def opener():
    while time.monotonic() < stop:
        os.close(os.open(f, os.O_RDWR))
        n[0] += 1
def changer(k):
    while time.monotonic() < stop:
        try:
            if k == 0: os.chmod(f, 0o600 if n[1] % 2 else 0o644)
            elif k == 1: os.utime(f, (1, 1))
            else: os.getxattr(f, "user.none")
        except OSError as e:
            if e.errno != errno.ENODATA: errs[errno.errorcode[e.errno]] = errs.get(errno.errorcode[e.errno], 0) + 1
        n[1] += 1
threads = [threading.Thread(target=opener)] + [threading.Thread(target=changer, args=(k,)) for k in range(3)]
for t in threads: t.start()
for t in threads: t.join()
print(n[0], n[1], sorted(errs.items()))`,
      u.at('busy'),
    ]);
    const [opens, changes, errors] = out.trim().split(' ', 3);
    expect([Number(opens) > 100, Number(changes) > 100, errors]).toEqual([true, true, '[]']);
  });
});
