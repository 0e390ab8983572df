import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { chmod, chown, lchown, link, lstat, mkdir, mkdtemp, open, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { constants as os } from 'node:os';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { COPYUP_TMP_PREFIX, WORK_DIR } from '../../../main/common/whiteout.ts';
import { errnoException, type ErrnoName } from '../../../main/node/sys/errno.ts';
import { loadSyscalls } from '../../../main/node/sys/load.ts';
import type { Syscalls } from '../../../main/node/sys/syscalls.ts';
import { Branch, BranchRoots } from '../../../main/node/union/branchSet.ts';
import * as copyup from '../../../main/node/union/copyup.ts';
import { WorkDirs } from '../../../main/node/union/workDirs.ts';

const sys = loadSyscalls();
const roots = new BranchRoots();
/** A directory as a branch: copy-up reaches it through its root descriptor. */
const branch = async (path: string) => new Branch(path, await roots.open(path), 'rw', undefined);
/** (root descriptor, name) of a path, for the anchored calls that decorate and inspect test entries. */
const anchor = async (path: string): Promise<[number, string]> => [await roots.open(dirname(path)), `/${basename(path)}`];
const copyUp = async (d: copyup.CopyupDeps, from: string, to: string, rel: string, opts?: copyup.CopyupOptions) =>
  copyup.copyUp(d, await branch(from), await branch(to), rel, opts);
const cloneDirs = async (d: { sys: Syscalls }, metaRoots: string[], to: string, rel: string) =>
  copyup.cloneDirs(d, await Promise.all(metaRoots.map(branch)), await branch(to), rel);
const moveAcross = async (d: { sys: Syscalls }, from: string, to: string, rel: string, published?: () => Promise<void>) =>
  copyup.moveAcross(d, await branch(from), await branch(to), rel, published);
const setxattr = async (path: string, name: string, value: Buffer) => sys.setxattr(...(await anchor(path)), name, value, 0);
const deps = { sys };
const MiB = 1 << 20;
const ATIME = 1_000_000_000_123_456_789n; // 2001-09-09, with nanoseconds
const MTIME = 1_100_000_000_987_654_321n;

let base: string;
let src: string;
let dst: string;
const tops: string[] = [];

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'strata-copyup-'));
  tops.push(base);
  src = join(base, 'src');
  dst = join(base, 'dst');
  await mkdir(src);
  await mkdir(dst);
});
afterAll(async () => {
  await roots.close();
  await Promise.all(tops.map((t) => rm(t, { recursive: true, force: true })));
});

const lst = (path: string): Promise<BigIntStats> => lstat(path, { bigint: true });

async function xattrs(path: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const at = await anchor(path);
  for (const name of (await sys.listxattr(...at)).sort()) out[name] = (await sys.getxattr(...at, name)).toString('hex');
  return out;
}

/**
 * Gives an entry a distinctive owner, xattrs and times (mode is set by the caller). user.* xattrs exist only
 * on files and directories. Tests compare metadata before reading contents: a read updates atime.
 */
async function decorate(path: string, opts: { userXattrs?: boolean } = {}): Promise<void> {
  await lchown(path, 1234, 1234);
  if (opts.userXattrs ?? true) await setxattr(path, 'user.strata', Buffer.from([1, 2, 0, 255]));
  await setxattr(path, 'trusted.strata', Buffer.from('t'));
  await sys.utimens(...(await anchor(path)), ATIME, MTIME);
}

/** Mode, owner, times (the ones decorate set), xattrs and device number survive the copy. */
async function expectSameMeta(from: string, to: string): Promise<void> {
  const [a, b] = [await lst(from), await lst(to)];
  expect({ mode: b.mode, uid: b.uid, gid: b.gid, rdev: b.rdev, mtime: b.mtimeNs }).toEqual({
    mode: a.mode,
    uid: a.uid,
    gid: a.gid,
    rdev: a.rdev,
    mtime: a.mtimeNs,
  });
  expect(b.atimeNs).toBe(ATIME);
  expect(b.mtimeNs).toBe(MTIME);
  expect(await xattrs(to)).toEqual(await xattrs(from));
}

const hash = async (path: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
const leftovers = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((n) => n.startsWith(COPYUP_TMP_PREFIX));

/** A failure the real call would report, injected in its place. */
const errnoError = (code: ErrnoName, syscall: string): Error => errnoException(code, syscall, '(injected)');

/** The real addon with some calls replaced. */
function withSys(overrides: Partial<Syscalls>): { sys: Syscalls } {
  return { sys: Object.assign(Object.create(sys) as Syscalls, overrides) };
}

describe('entry types', () => {
  it('copies a regular file with its data, mode, owner, ns times and xattrs, into missing parents cloned with their metadata', async () => {
    await mkdir(join(src, 'a/b'), { recursive: true });
    await writeFile(join(src, 'a/b/f'), 'hello copy-up');
    await chmod(join(src, 'a'), 0o750);
    await chmod(join(src, 'a/b'), 0o705);
    await chmod(join(src, 'a/b/f'), 0o640);
    for (const p of ['a/b/f', 'a/b', 'a']) await decorate(join(src, p));
    const rootBefore = await lst(dst);

    await copyUp(deps, src, dst, '/a/b/f');

    await expectSameMeta(join(src, 'a/b/f'), join(dst, 'a/b/f'));
    await expectSameMeta(join(src, 'a/b'), join(dst, 'a/b'));
    await expectSameMeta(join(src, 'a'), join(dst, 'a'));
    expect((await lst(dst)).mtimeNs).toBe(rootBefore.mtimeNs); // copy-up is not a change to the parent
    expect(await readFile(join(dst, 'a/b/f'), 'utf8')).toBe('hello copy-up');
    expect(await leftovers(join(dst, 'a/b'))).toEqual([]);
  });

  it('keeps setuid, setgid and sticky bits on files and directories (chmod after chown)', async () => {
    await writeFile(join(src, 'suid'), '#!/bin/true\n');
    await mkdir(join(src, 'sticky'));
    await decorate(join(src, 'suid'));
    await decorate(join(src, 'sticky'));
    await chmod(join(src, 'suid'), 0o6755);
    await chmod(join(src, 'sticky'), 0o3777);
    await copyUp(deps, src, dst, 'suid');
    await copyUp(deps, src, dst, 'sticky');
    expect(Number((await lst(join(dst, 'suid'))).mode) & 0o7777).toBe(0o6755);
    expect(Number((await lst(join(dst, 'sticky'))).mode) & 0o7777).toBe(0o3777);
    expect((await lst(join(dst, 'suid'))).uid).toBe(1234n);
  });

  it('as a daemon that cannot chown (not root), keeps its own ownership and drops setuid/setgid', async () => {
    await chmod(base, 0o755);
    await writeFile(join(src, 'suid'), 'x');
    await lchown(join(src, 'suid'), 1234, 1234);
    await chmod(join(src, 'suid'), 0o6755);
    await chown(dst, 4321, 4321);
    process.seteuid!(4321); // the real uid stays 0, so the test can switch back
    try {
      await copyUp(deps, src, dst, 'suid');
    } finally {
      process.seteuid!(0);
    }
    const st = await lst(join(dst, 'suid'));
    expect({ uid: st.uid, mode: Number(st.mode) & 0o7777 }).toEqual({ uid: 4321n, mode: 0o755 });
  });

  it('copies a directory without its children', async () => {
    await mkdir(join(src, 'd/sub'), { recursive: true });
    await writeFile(join(src, 'd/child'), 'x');
    await chmod(join(src, 'd'), 0o751);
    await decorate(join(src, 'd'));
    await copyUp(deps, src, dst, 'd');
    await expectSameMeta(join(src, 'd'), join(dst, 'd'));
    expect(await readdir(join(dst, 'd'))).toEqual([]);
  });

  it('copies a symlink as a symlink with the same (non-UTF-8) target and its own times and owner', async () => {
    const target = Buffer.from([0x2e, 0x2e, 0x2f, 0xff, 0xfe]); // "../\xff\xfe": must stay bytes
    await symlink(target, join(src, 'l'));
    await decorate(join(src, 'l'), { userXattrs: false });
    await copyUp(deps, src, dst, 'l');
    await expectSameMeta(join(src, 'l'), join(dst, 'l'));
    expect((await lst(join(dst, 'l'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dst, 'l'), { encoding: 'buffer' })).toEqual(target);
  });

  it.each([
    ['fifo', constants.S_IFIFO, 0n],
    ['socket', constants.S_IFSOCK, 0n],
    ['char device', constants.S_IFCHR, (1n << 8n) | 3n],
    ['block device', constants.S_IFBLK, (7n << 8n) | 0n],
  ])('copies a %s with mknod: same type, device number and metadata', async (_label, type, rdev) => {
    await sys.mknod(...(await anchor(join(src, 'n'))), type | 0o600, rdev);
    await chmod(join(src, 'n'), 0o4620);
    await decorate(join(src, 'n'), { userXattrs: false });
    await copyUp(deps, src, dst, 'n');
    await expectSameMeta(join(src, 'n'), join(dst, 'n'));
    expect(Number((await lst(join(dst, 'n'))).mode) & constants.S_IFMT).toBe(type);
  });

  it('copies one name of a hard-linked file, as a file of its own', async () => {
    await writeFile(join(src, 'one'), 'shared');
    await link(join(src, 'one'), join(src, 'two'));
    await copyUp(deps, src, dst, 'one');
    expect((await lst(join(dst, 'one'))).nlink).toBe(1n);
    expect(await readdir(dst)).toEqual(['one']);
  });
});

describe('file data', () => {
  async function sparseFile(path: string): Promise<void> {
    const fh = await open(path, 'w');
    await fh.write(randomBytes(64 * 1024), 0, 64 * 1024, 0);
    await fh.write(randomBytes(4096), 0, 4096, 10 * MiB);
    await fh.truncate(32 * MiB); // trailing hole
    await fh.close();
  }

  it('keeps holes: same content and the same number of allocated blocks', async () => {
    await sparseFile(join(src, 's'));
    await copyUp(deps, src, dst, 's');
    const [a, b] = [await lst(join(src, 's')), await lst(join(dst, 's'))];
    expect(b.size).toBe(a.size);
    expect(a.blocks).toBeLessThan(1024n); // the source really is sparse
    expect(b.blocks).toBe(a.blocks);
    expect(await hash(join(dst, 's'))).toBe(await hash(join(src, 's')));
  });

  it('falls back to read/write where copy_file_range is refused (EXDEV), still keeping holes', async () => {
    await sparseFile(join(src, 's'));
    const refusing = withSys({ copyFileRange: () => Promise.reject(errnoError('EXDEV', 'copy_file_range')) });
    await copyUp(refusing, src, dst, 's');
    expect((await lst(join(dst, 's'))).blocks).toBe((await lst(join(src, 's'))).blocks);
    expect(await hash(join(dst, 's'))).toBe(await hash(join(src, 's')));
  });

  it('copies everything as data where SEEK_DATA is unsupported (EINVAL)', async () => {
    await sparseFile(join(src, 's'));
    const noSeek = withSys({ seekData: () => Promise.reject(errnoError('EINVAL', 'lseek')) });
    await copyUp(noSeek, src, dst, 's');
    expect(await hash(join(dst, 's'))).toBe(await hash(join(src, 's')));
  });

  it.each([
    [0n, ''],
    [5n, '01234'],
    [100n, '0123456789'],
  ])('truncateTo %s copies only the first bytes (metadata always)', async (n, expected) => {
    await writeFile(join(src, 'f'), '0123456789');
    await chmod(join(src, 'f'), 0o604);
    await decorate(join(src, 'f'));
    await copyUp(deps, src, dst, 'f', { truncateTo: n });
    expect(await xattrs(join(dst, 'f'))).toEqual(await xattrs(join(src, 'f')));
    expect(Number((await lst(join(dst, 'f'))).mode) & 0o7777).toBe(0o604);
    expect((await lst(join(dst, 'f'))).mtimeNs).toBe(MTIME);
    expect(await readFile(join(dst, 'f'), 'utf8')).toBe(expected);
  });
});

describe('xattrs', () => {
  it('skips attributes the destination refuses with ENOTSUP or EPERM, and fails on other errors', async () => {
    await writeFile(join(src, 'f'), 'x');
    for (const name of ['user.a', 'user.b', 'user.c']) await setxattr(join(src, 'f'), name, Buffer.from(name));
    const picky = withSys({
      fsetxattr: (fd, name, value, flags) =>
        name === 'user.a'
          ? Promise.reject(errnoError('ENOTSUP', 'fsetxattr'))
          : name === 'user.b'
            ? Promise.reject(errnoError('EPERM', 'fsetxattr'))
            : sys.fsetxattr(fd, name, value, flags),
    });
    await copyUp(picky, src, dst, 'f');
    expect(Object.keys(await xattrs(join(dst, 'f')))).toEqual(['user.c']);

    const full = withSys({ fsetxattr: () => Promise.reject(errnoError('ENOSPC', 'fsetxattr')) });
    await writeFile(join(src, 'f2'), 'x');
    await setxattr(join(src, 'f2'), 'user.a', Buffer.from('1'));
    await expect(copyUp(full, src, dst, 'f2')).rejects.toMatchObject({ code: 'ENOSPC' });
    expect((await readdir(dst)).sort()).toEqual(['f']);
  });

  it('skips an attribute removed between list and get (ENODATA)', async () => {
    await writeFile(join(src, 'f'), 'x');
    await setxattr(join(src, 'f'), 'user.keep', Buffer.from('1'));
    const racing = withSys({ flistxattr: async (fd) => [...(await sys.flistxattr(fd)), 'user.gone'] });
    await copyUp(racing, src, dst, 'f');
    expect(Object.keys(await xattrs(join(dst, 'f')))).toEqual(['user.keep']);
  });
});

describe('atomicity', () => {
  it.each([
    ['data copy', { copyFileRange: () => Promise.reject(errnoError('EIO', 'copy_file_range')) }],
    ['xattrs', { fsetxattr: () => Promise.reject(errnoError('EIO', 'fsetxattr')) }],
    ['times', { futimens: () => Promise.reject(errnoError('EIO', 'futimens')) }],
  ] as [string, Partial<Syscalls>][])(
    'a failure in the %s step rejects with its errno and leaves neither the name nor a temp file',
    async (_step, overrides) => {
      await mkdir(join(src, 'p'));
      await writeFile(join(src, 'p/f'), randomBytes(MiB));
      await setxattr(join(src, 'p/f'), 'user.x', Buffer.from('1'));
      await expect(copyUp(withSys(overrides), src, dst, 'p/f')).rejects.toMatchObject({ code: 'EIO', errno: -os.errno.EIO });
      expect(await readdir(join(dst, 'p'))).toEqual([]); // the parent is cloned, the file never appears
    },
  );

  it('a failing directory copy-up removes its temp directory', async () => {
    await mkdir(join(src, 'd'));
    await setxattr(join(src, 'd'), 'user.x', Buffer.from('1'));
    const failing = withSys({ setxattr: () => Promise.reject(errnoError('EIO', 'setxattr')) });
    await expect(copyUp(failing, src, dst, 'd')).rejects.toMatchObject({ code: 'EIO' });
    expect(await readdir(dst)).toEqual([]);
  });

  it('the final name is published complete: a watcher never sees a partial file', async () => {
    const data = randomBytes(8 * MiB);
    await writeFile(join(src, 'big'), data);
    let seen = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const st = await lstat(join(dst, 'big')).catch(() => null);
        if (st) {
          expect(st.size).toBe(data.length);
          seen++;
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    await copyUp(deps, src, dst, 'big');
    await new Promise((r) => setTimeout(r, 20));
    watching = false;
    await watcher;
    expect(seen).toBeGreaterThan(0);
  });

  it('a name that appears while the copy is built is left alone, and the copy leaves nothing behind', async () => {
    await writeFile(join(src, 'f'), 'lower');
    const racing = withSys({
      linkFd: async (fd, root, rel) => {
        await writeFile(join(dst, 'f'), 'theirs');
        return sys.linkFd(fd, root, rel);
      },
    });
    await copyUp(racing, src, dst, 'f');
    expect(await readFile(join(dst, 'f'), 'utf8')).toBe('theirs');
    expect(await readdir(dst)).toEqual(['f']);
  });

  it('does nothing when the destination already has the entry', async () => {
    await writeFile(join(src, 'f'), 'lower');
    await writeFile(join(dst, 'f'), 'upper');
    await copyUp(deps, src, dst, 'f');
    expect(await readFile(join(dst, 'f'), 'utf8')).toBe('upper');
  });
});

describe('concurrency', () => {
  it('concurrent copy-ups of one file copy it once; all resolve after it is complete', async () => {
    const data = randomBytes(4 * MiB);
    await writeFile(join(src, 'f'), data);
    let copies = 0;
    const counting = withSys({
      copyFileRange: (fdIn, offIn, fdOut, offOut, length) => {
        if (offIn === 0n) copies++;
        return sys.copyFileRange(fdIn, offIn, fdOut, offOut, length);
      },
    });
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        await copyUp(counting, src, dst, 'f');
        expect((await lst(join(dst, 'f'))).size).toBe(BigInt(data.length));
      }),
    );
    expect(copies).toBe(1);
    // Buffer.equals: vitest's toEqual walks a 4 MiB buffer element by element (tens of seconds).
    expect((await readFile(join(dst, 'f'))).equals(data)).toBe(true);
    expect(await readdir(dst)).toEqual(['f']);
  });

  it("concurrent copy-ups of siblings share one cloned parent, whose times end up as the source's", async () => {
    await mkdir(join(src, 'dir'));
    const names = Array.from({ length: 16 }, (_, i) => `f${i}`);
    for (const n of names) await writeFile(join(src, 'dir', n), n);
    await decorate(join(src, 'dir'));
    await Promise.all(names.map((n) => copyUp(deps, src, dst, `dir/${n}`)));
    await expectSameMeta(join(src, 'dir'), join(dst, 'dir'));
    expect((await readdir(join(dst, 'dir'))).sort()).toEqual([...names].sort());
  });
});

describe('staying inside the branch', () => {
  it('refuses with ELOOP when an ancestor on the destination is a symlink, writing nothing through it', async () => {
    const outside = join(base, 'outside');
    await mkdir(outside);
    await mkdir(join(src, 'a/b'), { recursive: true });
    await writeFile(join(src, 'a/b/f'), 'x');
    await symlink(outside, join(dst, 'a'));
    await expect(copyUp(deps, src, dst, 'a/b/f')).rejects.toMatchObject({ code: 'ELOOP', errno: -os.errno.ELOOP });
    await expect(cloneDirs(deps, [src], dst, 'a/b')).rejects.toMatchObject({ code: 'ELOOP' });
    expect(await readdir(outside)).toEqual([]);
  });

  it('refuses with ELOOP when an ancestor on the source is a symlink', async () => {
    const outside = join(base, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret'), 'x');
    await symlink(outside, join(src, 'a'));
    await expect(copyUp(deps, src, dst, 'a/secret')).rejects.toMatchObject({ code: 'ELOOP' });
    expect(await readdir(dst)).toEqual([]);
  });

  it('refuses ENOTDIR for a file ancestor and EINVAL for .. components', async () => {
    await writeFile(join(dst, 'a'), '');
    await mkdir(join(src, 'a'));
    await writeFile(join(src, 'a/f'), '');
    await expect(copyUp(deps, src, dst, 'a/f')).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(copyUp(deps, src, dst, '../dst/a')).rejects.toMatchObject({ code: 'EINVAL' });
  });
});

describe('cloneDirs', () => {
  it('copies each missing directory from the first metadata root that has it', async () => {
    const other = join(base, 'other');
    await mkdir(join(other, 'x'), { recursive: true });
    await mkdir(join(src, 'x/y'), { recursive: true });
    await chmod(join(other, 'x'), 0o711);
    await chmod(join(src, 'x'), 0o755);
    await chmod(join(src, 'x/y'), 0o700);
    await cloneDirs(deps, [other, src], dst, '/x/y');
    expect(Number((await lst(join(dst, 'x'))).mode) & 0o7777).toBe(0o711);
    expect(Number((await lst(join(dst, 'x/y'))).mode) & 0o7777).toBe(0o700);
    await cloneDirs(deps, [other, src], dst, 'x/y'); // all present: nothing to do
    await expect(cloneDirs(deps, [other, src], dst, 'x/y/z')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('moveAcross', () => {
  it('moves a file to the other branch', async () => {
    await mkdir(join(src, 'd'));
    await writeFile(join(src, 'd/f'), 'moving');
    await decorate(join(src, 'd/f'));
    const before = await xattrs(join(src, 'd/f'));
    await moveAcross(deps, src, dst, 'd/f');
    expect(await readdir(join(src, 'd'))).toEqual([]);
    expect(await xattrs(join(dst, 'd/f'))).toEqual(before);
    expect((await lst(join(dst, 'd/f'))).mtimeNs).toBe(MTIME);
    expect(await readFile(join(dst, 'd/f'), 'utf8')).toBe('moving');
  });

  it('refuses EEXIST when the destination has the name and EISDIR for a directory, keeping the source', async () => {
    await writeFile(join(src, 'f'), 'src');
    await writeFile(join(dst, 'f'), 'dst');
    await mkdir(join(src, 'd'));
    await expect(moveAcross(deps, src, dst, 'f')).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(moveAcross(deps, src, dst, 'd')).rejects.toMatchObject({ code: 'EISDIR' });
    expect(await readFile(join(src, 'f'), 'utf8')).toBe('src');
    expect(await readFile(join(dst, 'f'), 'utf8')).toBe('dst');
  });
});

describe('work directory', () => {
  const workDeps = (id: string) => ({ sys, work: new WorkDirs(sys, id) });
  const workFiles = async (root: string, id: string) => readdir(join(root, WORK_DIR, id)).catch(() => [] as string[]);

  /** The real addon, recording what copy-up renames into place and what it links from an unnamed file. */
  function spyingSys(overrides: Partial<Syscalls> = {}) {
    const renamed: string[] = [];
    const linked: string[] = [];
    const spying = Object.assign(Object.create(sys) as Syscalls, {
      rename: (fromFd: number, from: string, toFd: number, to: string, flags: number) => {
        renamed.push(from);
        return sys.rename(fromFd, from, toFd, to, flags);
      },
      linkFd: (fd: number, root: number, rel: string) => {
        linked.push(rel);
        return sys.linkFd(fd, root, rel);
      },
      ...overrides,
    });
    return { sys: spying, renamed, linked };
  }

  it('builds directories there, never beside the target, and leaves it empty; a file is built unnamed and linked in', async () => {
    await mkdir(join(src, 'd'));
    await writeFile(join(src, 'd/f'), 'data');
    const spy = spyingSys();
    await copyUp({ sys: spy.sys, work: new WorkDirs(spy.sys, 'u1') }, src, dst, 'd/f');
    expect(spy.renamed.map((p) => p.startsWith(`/${WORK_DIR}/u1/${COPYUP_TMP_PREFIX}`))).toEqual([true]); // d
    expect(spy.linked).toEqual(['/d/f']);
    expect(await readFile(join(dst, 'd/f'), 'utf8')).toBe('data');
    expect(await workFiles(dst, 'u1')).toEqual([]);
    expect(await leftovers(join(dst, 'd'))).toEqual([]);
  });

  it("a file's unnamed copy is made there: it takes no default ACL or setgid group from the target's directory", async () => {
    await mkdir(join(src, 'd'));
    await writeFile(join(src, 'd/f'), 'data');
    await chown(join(src, 'd/f'), 1234, 1234);
    await mkdir(join(dst, 'd'));
    await chown(join(dst, 'd'), 0, 4321);
    await chmod(join(dst, 'd'), 0o2775);
    execFileSync('setfacl', ['-d', '-m', 'u:4321:rwx', join(dst, 'd')]);
    await copyUp(workDeps('u1'), src, dst, 'd/f');
    expect(await xattrs(join(dst, 'd/f'))).toEqual(await xattrs(join(src, 'd/f')));
    expect((await lst(join(dst, 'd/f'))).gid).toBe(1234n);
    expect(await readFile(join(dst, 'd/f'), 'utf8')).toBe('data');
  });

  it("made again when removed behind the union's back", async () => {
    await writeFile(join(src, 'f'), 'one');
    await writeFile(join(src, 'g'), 'two');
    const work = workDeps('u1');
    await copyUp(work, src, dst, 'f');
    await rm(join(dst, WORK_DIR), { recursive: true });
    await copyUp(work, src, dst, 'g');
    expect(await readFile(join(dst, 'g'), 'utf8')).toBe('two');
    expect(await workFiles(dst, 'u1')).toEqual([]);
  });

  it('where the filesystem has no unnamed files (ENOTSUP), files are built there too, and the branch is not asked again', async () => {
    await writeFile(join(src, 'f'), 'data');
    await writeFile(join(src, 'g'), 'more');
    let asked = 0;
    const spy = spyingSys({
      openTmpfile: () => {
        asked++;
        return Promise.reject(errnoError('ENOTSUP', 'open'));
      },
    });
    const to = await branch(dst);
    const work = new WorkDirs(spy.sys, 'u1');
    await copyup.copyUp({ sys: spy.sys, work }, await branch(src), to, 'f');
    await copyup.copyUp({ sys: spy.sys, work }, await branch(src), to, 'g');
    expect(asked).toBe(1);
    expect(spy.renamed.map((p) => p.startsWith(`/${WORK_DIR}/u1/${COPYUP_TMP_PREFIX}`))).toEqual([true, true]);
    expect(spy.linked).toEqual([]);
    expect([await readFile(join(dst, 'f'), 'utf8'), await readFile(join(dst, 'g'), 'utf8')]).toEqual(['data', 'more']);
    expect(await workFiles(dst, 'u1')).toEqual([]);
  });

  it("the first copy-up built there clears what the union's predecessor left, records included, and no other union's", async () => {
    await mkdir(join(dst, WORK_DIR, 'u1'), { recursive: true });
    await mkdir(join(dst, WORK_DIR, 'u2'));
    await writeFile(join(dst, WORK_DIR, 'u1', `${COPYUP_TMP_PREFIX}1`), 'half');
    await writeFile(join(dst, WORK_DIR, 'u2', `${COPYUP_TMP_PREFIX}2`), 'in flight elsewhere');
    await mkdir(join(dst, 'nested'));
    await writeFile(join(dst, 'nested', `${COPYUP_TMP_PREFIX}3`), 'beside its target');
    await symlink(`/nested/${COPYUP_TMP_PREFIX}3`, join(dst, WORK_DIR, 'u1', `${COPYUP_TMP_PREFIX}3`));
    // A record never removes anything but a temp entry.
    await writeFile(join(dst, 'keep'), 'user data');
    await symlink('/keep', join(dst, WORK_DIR, 'u1', `${COPYUP_TMP_PREFIX}4`));
    await mkdir(join(src, 'd'));
    await copyUp(workDeps('u1'), src, dst, 'd');
    expect(await workFiles(dst, 'u1')).toEqual([]);
    expect(await workFiles(dst, 'u2')).toEqual([`${COPYUP_TMP_PREFIX}2`]);
    expect(await readdir(join(dst, 'nested'))).toEqual([]);
    expect(await readFile(join(dst, 'keep'), 'utf8')).toBe('user data');
  });

  it('planted as a symlink, it is never followed: nothing is built or removed outside the branch', async () => {
    const outside = join(base, 'outside');
    await mkdir(join(outside, 'u1'), { recursive: true });
    await writeFile(join(outside, 'u1', `${COPYUP_TMP_PREFIX}1`), 'not ours');
    await symlink(outside, join(dst, WORK_DIR));
    await mkdir(join(src, 'd'));
    await expect(copyUp(workDeps('u1'), src, dst, 'd')).rejects.toMatchObject({ code: 'ELOOP' });
    expect(await readdir(join(outside, 'u1'))).toEqual([`${COPYUP_TMP_PREFIX}1`]);
    expect(await readdir(dst)).toEqual([WORK_DIR]);
    // Nor is a file's unnamed copy made there.
    await writeFile(join(src, 'f'), 'data');
    await expect(copyUp(workDeps('u1'), src, dst, 'f')).rejects.toMatchObject({ code: 'ELOOP' });
    expect(await readdir(join(outside, 'u1'))).toEqual([`${COPYUP_TMP_PREFIX}1`]);
    expect(await readdir(dst)).toEqual([WORK_DIR]);
  });

  it('moveAcross: a failing `published` removes the copy and keeps the source', async () => {
    await writeFile(join(src, 'f'), 'src');
    await expect(moveAcross(deps, src, dst, 'f', () => Promise.reject(errnoError('EMFILE', 'open')))).rejects.toMatchObject({ code: 'EMFILE' });
    expect(await readFile(join(src, 'f'), 'utf8')).toBe('src');
    expect(await readdir(dst)).toEqual([]);
  });
});
