import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { lstat, mkdtemp, open, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RENAME_EXCHANGE, RENAME_NOREPLACE } from '../../../main/node/sys/fsValues.ts';
import { loadSyscalls } from '../../../main/node/sys/load.ts';

const sys = loadSyscalls();
const XATTR_CREATE = 1;
const FALLOC_FL_KEEP_SIZE = 1;
let dir: string;
/** The temp dir's descriptor: anchored calls name entries relative to it. */
let root: number;
const at = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-sys-'));
  root = openSync(dir, 0o10000000 /* O_PATH */ | constants.O_DIRECTORY);
});
afterAll(async () => {
  closeSync(root);
  await rm(dir, { recursive: true, force: true });
});

describe('xattrs', () => {
  it('sets, lists, gets and removes user.* attributes by (root, path)', async () => {
    await writeFile(at('x'), '');
    await sys.setxattr(root, '/x', 'user.a', Buffer.from('one'), 0);
    await sys.setxattr(root, '/x', 'user.b', Buffer.alloc(0), 0);
    expect((await sys.listxattr(root, '/x')).sort()).toEqual(['user.a', 'user.b']);
    expect((await sys.getxattr(root, '/x', 'user.a')).toString()).toBe('one');
    expect((await sys.getxattr(root, '/x', 'user.b')).length).toBe(0);
    await sys.removexattr(root, '/x', 'user.a');
    expect(await sys.listxattr(root, '/x')).toEqual(['user.b']);
  });

  it('rejects like Node fs: negative errno, code, syscall, path', async () => {
    await writeFile(at('noattr'), '');
    const err = await sys.getxattr(root, '/noattr', 'user.none').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'ENODATA', errno: -61, syscall: 'getxattr', path: '/noattr' });
    expect((err as Error).message).toBe(`ENODATA: no data available, getxattr '/noattr'`);
  });

  it('honours XATTR_CREATE', async () => {
    await writeFile(at('create'), '');
    await sys.setxattr(root, '/create', 'user.k', Buffer.from('1'), XATTR_CREATE);
    await expect(sys.setxattr(root, '/create', 'user.k', Buffer.from('2'), XATTR_CREATE)).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('acts on a symlink itself, never on its target', async () => {
    await writeFile(at('xtarget'), '');
    await symlink('xtarget', at('xlink'));
    await sys.setxattr(root, '/xlink', 'trusted.strata', Buffer.from('link'), 0);
    expect((await sys.getxattr(root, '/xlink', 'trusted.strata')).toString()).toBe('link');
    await expect(sys.getxattr(root, '/xtarget', 'trusted.strata')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('works on descriptors', async () => {
    const fh = await open(at('fdx'), 'w+');
    try {
      await sys.fsetxattr(fh.fd, 'user.fd', Buffer.from([0, 1, 2, 255]), 0);
      expect(await sys.flistxattr(fh.fd)).toEqual(['user.fd']);
      expect([...(await sys.fgetxattr(fh.fd, 'user.fd'))]).toEqual([0, 1, 2, 255]);
      await expect(sys.fgetxattr(fh.fd, 'user.gone')).rejects.toMatchObject({ code: 'ENODATA', syscall: 'fgetxattr' });
      await sys.fremovexattr(fh.fd, 'user.fd');
      expect(await sys.flistxattr(fh.fd)).toEqual([]);
      await expect(sys.fremovexattr(fh.fd, 'user.fd')).rejects.toMatchObject({ code: 'ENODATA', syscall: 'fremovexattr' });
    } finally {
      await fh.close();
    }
  });

  it('reads and sets inode flags on a descriptor, and takes no other ioctl', async () => {
    const fh = await open(at('flagged'), 'w+');
    const [GETFLAGS, SETFLAGS, NODUMP] = [0x80086601, 0x40086602, 0x40];
    try {
      const before = (await sys.flagsIoctl(fh.fd, GETFLAGS, Buffer.alloc(4))).readInt32LE();
      const set = Buffer.alloc(4);
      set.writeInt32LE(before | NODUMP);
      await sys.flagsIoctl(fh.fd, SETFLAGS, set);
      expect((await sys.flagsIoctl(fh.fd, GETFLAGS, Buffer.alloc(4))).readInt32LE()).toBe(before | NODUMP);
      await expect(sys.flagsIoctl(fh.fd, 0x5401, Buffer.alloc(4))).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
      await expect(sys.flagsIoctl(fh.fd, GETFLAGS, Buffer.alloc(8))).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    } finally {
      await fh.close();
    }
  });

  it("carries a copy-up source's sync and noatime flags to a descriptor, and no others", async () => {
    const fh = await open(at('carried'), 'w+');
    const [GETFLAGS, SYNC, IMMUTABLE, APPEND, NODUMP, NOATIME] = [0x80086601, 0x08, 0x10, 0x20, 0x40, 0x80];
    const flagsOf = async () => (await sys.flagsIoctl(fh.fd, GETFLAGS, Buffer.alloc(4))).readInt32LE();
    expect([sys.copiedFlags, sys.unchangeableFlags]).toEqual([SYNC | NOATIME, IMMUTABLE | APPEND]);
    try {
      const before = await flagsOf();
      await sys.carryFlags(SYNC | NOATIME | NODUMP | IMMUTABLE, fh.fd);
      expect(await flagsOf()).toBe(before | SYNC | NOATIME);
      await sys.carryFlags(NOATIME, fh.fd);
      expect(await flagsOf()).toBe(before | NOATIME);
      // A source with neither leaves the copy as its directory made it.
      await sys.carryFlags(NODUMP, fh.fd);
      expect(await flagsOf()).toBe(before | NOATIME);
    } finally {
      await fh.close();
    }
  });
});

describe('anchored calls', () => {
  // chattr +i and +a take CAP_LINUX_IMMUTABLE.
  it.runIf(process.getuid?.() === 0)('say which directories refuse a change of their names', async () => {
    const names = ['/plain', '/sealed', '/ledger'];
    for (const name of names) await sys.mkdir(root, name, 0o755, 0);
    execFileSync('chattr', ['+i', at('sealed')]);
    execFileSync('chattr', ['+a', at('ledger')]);
    try {
      const answers = async (removal: boolean) => Promise.all(names.map((name) => sys.refusesNameChange(root, name, removal)));
      expect(await answers(false)).toEqual([false, true, false]);
      expect(await answers(true)).toEqual([false, true, true]);
    } finally {
      execFileSync('chattr', ['-i', '-a', at('sealed'), at('ledger')]);
    }
  });

  it("keep a copied directory's unchangeable flags in its mark: carryFlags makes it, inodeFlags and refusesNameChange read it", async () => {
    const [IMMUTABLE, APPEND] = [0x10, 0x20];
    await sys.mkdir(root, '/copied', 0o755, 0);
    const fd = openSync(at('copied'), constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await sys.carryFlags(APPEND, fd);
      expect((await sys.fgetxattr(fd, 'user.strata.protattr')).toString()).toBe('a');
      expect((await sys.inodeFlags(root, '/copied')) & (IMMUTABLE | APPEND)).toBe(APPEND);
      expect([await sys.refusesNameChange(root, '/copied', false), await sys.refusesNameChange(root, '/copied', true)]).toEqual([false, true]);
      await sys.carryFlags(IMMUTABLE | APPEND, fd);
      expect((await sys.fgetxattr(fd, 'user.strata.protattr')).toString()).toBe('ia');
      expect(await sys.refusesNameChange(root, '/copied', false)).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it('mknod makes a FIFO', async () => {
    await sys.mknod(root, '/fifo', constants.S_IFIFO | 0o640, 0n);
    const st = await lstat(at('fifo'));
    expect(st.isFIFO()).toBe(true);
    expect(st.mode & 0o777).toBe(0o640 & ~process.umask());
  });

  it("utimens sets a symlink's own mtime to the nanosecond and leaves atime alone with omit", async () => {
    await writeFile(at('target'), '');
    await symlink('target', at('link'));
    const targetBefore = await stat(at('target'), { bigint: true });
    // Nothing may follow the link from here on: resolving it would touch the link's atime.
    await sys.utimens(root, '/link', 1_000n, 'omit');
    const mtime = 1_234_567_890_123_456_789n;
    await sys.utimens(root, '/link', 'omit', mtime);
    const after = await lstat(at('link'), { bigint: true });
    expect(after.mtimeNs).toBe(mtime);
    expect(after.atimeNs).toBe(1_000n);
    expect((await stat(at('target'), { bigint: true })).mtimeNs).toBe(targetBefore.mtimeNs);
  });

  it('utimens accepts times before 1970 and now', async () => {
    await writeFile(at('old'), '');
    await sys.utimens(root, '/old', -1_500_000_000n, 'now');
    const st = await stat(at('old'), { bigint: true });
    expect(st.atimeNs).toBe(-1_500_000_000n);
    expect(st.mtimeNs > BigInt(Date.now() - 60_000) * 1_000_000n).toBe(true);
  });

  it('statvfs of a root descriptor reports 64-bit counters', async () => {
    const v = await sys.statvfs(root);
    expect(typeof v.blocks).toBe('bigint');
    expect(typeof v.fsid).toBe('bigint');
    expect(v.blocks > 0n && v.bfree <= v.blocks && v.bavail <= v.bfree).toBe(true);
    expect(v.bsize).toBeGreaterThan(0);
    expect(v.namemax).toBe(255);
  });

  it('rename NOREPLACE refuses to overwrite, EXCHANGE swaps, 0 replaces', async () => {
    await writeFile(at('r1'), 'one');
    await writeFile(at('r2'), 'two');
    await expect(sys.rename(root, '/r1', root, '/r2', RENAME_NOREPLACE)).rejects.toMatchObject({
      code: 'EEXIST',
      errno: -17,
      syscall: 'renameat2',
      path: '/r1',
      dest: '/r2',
    });
    await sys.rename(root, '/r1', root, '/r2', RENAME_EXCHANGE);
    expect(await readFile(at('r1'), 'utf8')).toBe('two');
    expect(await readFile(at('r2'), 'utf8')).toBe('one');
    await sys.rename(root, '/r1', root, '/r3', RENAME_NOREPLACE);
    expect(await readFile(at('r3'), 'utf8')).toBe('two');
    await sys.rename(root, '/r3', root, '/r2', 0);
    expect(await readFile(at('r2'), 'utf8')).toBe('two');
  });

  it('mkdir, symlink, readlink, link, chmod, lchown, truncate, access, readdir, unlink, rmdir', async () => {
    await sys.mkdir(root, '/m', 0o750);
    expect((await stat(at('m'))).mode & 0o777).toBe(0o750 & ~process.umask());
    await writeFile(at('m/f'), 'twelve bytes');
    await sys.symlink('f', root, '/m/s');
    expect(await sys.readlink(root, '/m/s')).toBe('f');
    await sys.link(root, '/m/f', root, '/m/h');
    expect((await stat(at('m/f'))).nlink).toBe(2);
    await sys.chmod(root, '/m/f', 0o604);
    expect((await stat(at('m/f'))).mode & 0o777).toBe(0o604);
    await expect(sys.chmod(root, '/m/s', 0o600)).rejects.toMatchObject({ code: 'ENOTSUP' });
    await sys.lchown(root, '/m/s', -1, -1);
    await sys.truncate(root, '/m/f', 6n);
    expect(await readFile(at('m/f'), 'utf8')).toBe('twelve');
    await sys.access(root, '/m/f', constants.R_OK);
    await expect(sys.access(root, '/m/nope', constants.F_OK)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await sys.readdir(root, '/m')).sort()).toEqual(['f', 'h', 's']);
    for (const n of ['f', 'h', 's']) await sys.unlink(root, `/m/${n}`);
    await sys.rmdir(root, '/m');
    expect((await sys.readdir(root, '/')).includes('m')).toBe(false);
  });
});

describe('descriptor calls', () => {
  it('seekData/seekHole find the data in a sparse file', async () => {
    const fh = await open(at('sparse'), 'w+');
    try {
      const mib = 1024 * 1024;
      await fh.write(Buffer.alloc(4096, 1), 0, 4096, 4 * mib);
      await fh.truncate(8 * mib);
      expect(await sys.seekData(fh.fd, 0n)).toBe(BigInt(4 * mib));
      expect(await sys.seekHole(fh.fd, BigInt(4 * mib))).toBe(BigInt(4 * mib + 4096));
      expect(await sys.seekHole(fh.fd, 0n)).toBe(0n);
      expect(await sys.seekData(fh.fd, BigInt(5 * mib))).toBeNull();
    } finally {
      await fh.close();
    }
  });

  it('futimens and fallocate', async () => {
    const fh = await open(at('alloc'), 'w+');
    try {
      await sys.fallocate(fh.fd, 0, 0n, 65536n);
      expect((await fh.stat()).size).toBe(65536);
      await sys.fallocate(fh.fd, FALLOC_FL_KEEP_SIZE, 65536n, 65536n);
      expect((await fh.stat()).size).toBe(65536);
      await sys.futimens(fh.fd, 5n, 'omit');
      expect((await fh.stat({ bigint: true })).atimeNs).toBe(5n);
    } finally {
      await fh.close();
    }
  });

  it('copyFileRange copies between offsets and returns 0 at EOF', async () => {
    await writeFile(at('src'), 'hello world');
    const src = await open(at('src'), 'r');
    const dst = await open(at('dst'), 'w+');
    try {
      expect(await sys.copyFileRange(src.fd, 6n, dst.fd, 2n, 100)).toBe(5);
      expect(await sys.copyFileRange(src.fd, 11n, dst.fd, 0n, 100)).toBe(0);
      expect(await readFile(at('dst'))).toEqual(Buffer.from('\0\0world'));
    } finally {
      await src.close();
      await dst.close();
    }
  });

  it('writeBehind writes a file back range by range, and says false where a descriptor cannot take it', async () => {
    const fh = await open(at('behind'), 'w+');
    try {
      await fh.write(Buffer.alloc(8192, 1), 0, 8192, 0);
      expect(await sys.writeBehind(fh.fd, 0n, 4096n, 0n, 0n)).toBe(true);
      expect(await sys.writeBehind(fh.fd, 4096n, 4096n, 0n, 4096n)).toBe(true);
    } finally {
      await fh.close();
    }
    execFileSync('mkfifo', [at('pipe')]);
    const pipe = openSync(at('pipe'), constants.O_RDWR);
    try {
      expect(await sys.writeBehind(pipe, 0n, 1n, 0n, 0n)).toBe(false);
    } finally {
      closeSync(pipe);
    }
  });

  it('dup3 puts another file behind a descriptor number, which keeps it after the other is closed', async () => {
    await writeFile(at('old'), 'old');
    await writeFile(at('new'), 'new');
    const held = await open(at('old'), 'r');
    const other = await open(at('new'), 'r');
    try {
      await sys.dup3(other.fd, held.fd);
      await other.close();
      expect((await held.read(Buffer.alloc(3), 0, 3, 0)).buffer.toString()).toBe('new');
      await expect(sys.dup3(987654, held.fd)).rejects.toMatchObject({ code: 'EBADF', syscall: 'dup3' });
    } finally {
      await held.close();
    }
  });

  it('a closed descriptor rejects with EBADF', async () => {
    await expect(sys.seekHole(987654, 0n)).rejects.toMatchObject({ code: 'EBADF', errno: -9, syscall: 'lseek' });
  });
});

it('bad arguments reject instead of throwing', async () => {
  const bad = sys.utimens(root, '/x', 'later' as never, 'now');
  await expect(bad).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  await expect(sys.getxattr(root, 'a\0b', 'user.x')).rejects.toBeInstanceOf(TypeError);
  await expect(sys.unlink(-1, '/x')).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
});
