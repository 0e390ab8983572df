import { constants } from 'node:fs';
import { lstat, mkdtemp, open, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RENAME_EXCHANGE, RENAME_NOREPLACE } from '../../../main/node/fuse/ops.ts';
import { loadSyscalls } from '../../../main/node/sys/load.ts';

const sys = loadSyscalls();
const XATTR_CREATE = 1;
const FALLOC_FL_KEEP_SIZE = 1;
let dir: string;
const at = (name: string) => join(dir, name);

beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'strata-sys-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('xattrs', () => {
  it('sets, lists, gets and removes user.* attributes by path', async () => {
    await writeFile(at('x'), '');
    await sys.lsetxattr(at('x'), 'user.a', Buffer.from('one'), 0);
    await sys.lsetxattr(at('x'), 'user.b', Buffer.alloc(0), 0);
    expect((await sys.llistxattr(at('x'))).sort()).toEqual(['user.a', 'user.b']);
    expect((await sys.lgetxattr(at('x'), 'user.a')).toString()).toBe('one');
    expect((await sys.lgetxattr(at('x'), 'user.b')).length).toBe(0);
    await sys.lremovexattr(at('x'), 'user.a');
    expect(await sys.llistxattr(at('x'))).toEqual(['user.b']);
  });

  it('rejects like Node fs: negative errno, code, syscall, path', async () => {
    await writeFile(at('noattr'), '');
    const err = await sys.lgetxattr(at('noattr'), 'user.none').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'ENODATA', errno: -61, syscall: 'lgetxattr', path: at('noattr') });
    expect((err as Error).message).toBe(`ENODATA: no data available, lgetxattr '${at('noattr')}'`);
  });

  it('honours XATTR_CREATE', async () => {
    await writeFile(at('create'), '');
    await sys.lsetxattr(at('create'), 'user.k', Buffer.from('1'), XATTR_CREATE);
    await expect(sys.lsetxattr(at('create'), 'user.k', Buffer.from('2'), XATTR_CREATE)).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('works on descriptors', async () => {
    const fh = await open(at('fdx'), 'w+');
    try {
      await sys.fsetxattr(fh.fd, 'user.fd', Buffer.from([0, 1, 2, 255]), 0);
      expect(await sys.flistxattr(fh.fd)).toEqual(['user.fd']);
      expect([...await sys.fgetxattr(fh.fd, 'user.fd')]).toEqual([0, 1, 2, 255]);
      await expect(sys.fgetxattr(fh.fd, 'user.gone')).rejects.toMatchObject({ code: 'ENODATA', syscall: 'fgetxattr' });
    } finally {
      await fh.close();
    }
  });
});

describe('path calls', () => {
  it('mknod makes a FIFO', async () => {
    await sys.mknod(at('fifo'), constants.S_IFIFO | 0o640, 0n);
    const st = await lstat(at('fifo'));
    expect(st.isFIFO()).toBe(true);
    expect(st.mode & 0o777).toBe(0o640 & ~process.umask());
  });

  it('utimensat sets a symlink\'s own mtime to the nanosecond and leaves atime alone with omit', async () => {
    await writeFile(at('target'), '');
    await symlink('target', at('link'));
    const targetBefore = await stat(at('target'), { bigint: true });
    // Nothing may follow the link from here on: resolving it would touch the link's atime.
    await sys.utimensat(at('link'), 1_000n, 'omit', false);
    const mtime = 1_234_567_890_123_456_789n;
    await sys.utimensat(at('link'), 'omit', mtime, false);
    const after = await lstat(at('link'), { bigint: true });
    expect(after.mtimeNs).toBe(mtime);
    expect(after.atimeNs).toBe(1_000n);
    expect((await stat(at('target'), { bigint: true })).mtimeNs).toBe(targetBefore.mtimeNs);
  });

  it('utimensat accepts times before 1970 and now', async () => {
    await writeFile(at('old'), '');
    await sys.utimensat(at('old'), -1_500_000_000n, 'now', true);
    const st = await stat(at('old'), { bigint: true });
    expect(st.atimeNs).toBe(-1_500_000_000n);
    expect(st.mtimeNs > BigInt(Date.now() - 60_000) * 1_000_000n).toBe(true);
  });

  it('statvfs reports 64-bit counters', async () => {
    const v = await sys.statvfs(dir);
    expect(typeof v.blocks).toBe('bigint');
    expect(typeof v.fsid).toBe('bigint');
    expect(v.blocks > 0n && v.bfree <= v.blocks && v.bavail <= v.bfree).toBe(true);
    expect(v.bsize).toBeGreaterThan(0);
    expect(v.namemax).toBe(255);
  });

  it('renameat2 NOREPLACE refuses to overwrite, EXCHANGE swaps', async () => {
    await writeFile(at('r1'), 'one');
    await writeFile(at('r2'), 'two');
    await expect(sys.renameat2(at('r1'), at('r2'), RENAME_NOREPLACE))
      .rejects.toMatchObject({ code: 'EEXIST', errno: -17, syscall: 'renameat2', path: at('r1'), dest: at('r2') });
    await sys.renameat2(at('r1'), at('r2'), RENAME_EXCHANGE);
    expect(await readFile(at('r1'), 'utf8')).toBe('two');
    expect(await readFile(at('r2'), 'utf8')).toBe('one');
    await sys.renameat2(at('r1'), at('r3'), RENAME_NOREPLACE);
    expect(await readFile(at('r3'), 'utf8')).toBe('two');
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

  it('a closed descriptor rejects with EBADF', async () => {
    await expect(sys.seekHole(987654, 0n)).rejects.toMatchObject({ code: 'EBADF', errno: -9, syscall: 'lseek' });
  });
});

it('bad arguments reject instead of throwing', async () => {
  const bad = sys.utimensat(at('x'), 'later' as never, 'now', true);
  await expect(bad).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  await expect(sys.lgetxattr('a\0b', 'user.x')).rejects.toBeInstanceOf(TypeError);
});
