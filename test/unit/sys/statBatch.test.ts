// native/sys lstatBatch and openStat, through their typed views (main/node/sys/statBatch.ts, fsx openStat).
import { constants } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSyscalls } from '../../../main/node/sys/load.ts';
import { BatchPaths, type BranchStat, lstatBatch } from '../../../main/node/sys/statBatch.ts';
import { closeFd, fstat, openStat } from '../../../main/node/union/fsx.ts';

const sys = loadSyscalls();
let dir: string;
const at = (name: string) => join(dir, name);
const FIELDS = ['dev', 'ino', 'mode', 'nlink', 'uid', 'gid', 'rdev', 'size', 'blksize', 'blocks', 'atimeNs', 'mtimeNs', 'ctimeNs'] as const;
const pick = (st: BranchStat) => Object.fromEntries(FIELDS.map((f) => [f, st[f]]));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-batch-'));
  await mkdir(at('d'));
  await writeFile(at('d/f'), 'twelve bytes');
  await symlink('d', at('link'));
  await symlink('loop', at('loop'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('lstatBatch', () => {
  it('answers every path as Node\'s lstat does, missing ones (ENOENT, ENOTDIR) as null', async () => {
    const batch = await lstatBatch(sys, [at('d'), at('d/f'), at('link'), at('nope'), at('d/f/under')]);
    for (const [i, name] of ['d', 'd/f', 'link'].entries()) {
      expect(pick(batch.stat(i)!)).toEqual(pick(await lstat(at(name), { bigint: true })));
    }
    expect(batch.stat(3)).toBeNull();
    expect(batch.found(4)).toBe(false);
  });

  it('keeps other failures for the reader of that answer, as a Node-style error', async () => {
    const batch = await lstatBatch(sys, [at('loop/x'), at('d')]);
    expect(batch.found(1)).toBe(true);
    let err: unknown;
    try {
      batch.stat(0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'ELOOP', errno: -40, syscall: 'lstat', path: at('loop/x') });
    expect(() => batch.found(0)).toThrow(/^ELOOP: too many symbolic links encountered, lstat/);
  });

  it('asks a path `within` another only when that one is a directory: never through a symlink', async () => {
    const paths = new BatchPaths();
    const link = paths.add(at('link'));
    const throughLink = paths.add(at('link/f'), link);
    const d = paths.add(at('d'));
    const inD = paths.add(at('d/f'), d);
    const missing = paths.add(at('nope'));
    const underMissing = paths.add(at('nope/f'), missing);
    const plain = paths.add(at('link/f')); // without `within` the kernel follows the link
    const batch = await paths.ask(sys);
    expect(batch.found(throughLink)).toBe(false);
    expect(batch.found(inD)).toBe(true);
    expect(batch.found(underMissing)).toBe(false);
    expect(batch.stat(plain)!.ino).toBe((await lstat(at('d/f'), { bigint: true })).ino);
  });

  it('adds statvfs of each root; a failed one is null', async () => {
    const batch = await lstatBatch(sys, [], [dir, at('nope')]);
    const v = batch.statvfs(0)!;
    expect(v.fsid).toBe((await sys.statvfs(dir)).fsid);
    expect(typeof v.bavail).toBe('bigint');
    expect(batch.statvfs(1)).toBeNull();
  });

  it('rejects bad arguments', async () => {
    await expect(sys.lstatBatch([at('d'), 3 as never])).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    await expect(sys.lstatBatch(['a\0b'])).rejects.toBeInstanceOf(TypeError);
    // `within` must point at an earlier path.
    await expect(sys.lstatBatch([at('d'), at('d/f')], [], [-1, 1])).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });
});

describe('openStat', () => {
  const fds = async () => (await readdir('/proc/self/fd')).length;

  it('creates, chowns and fstats in one call', async () => {
    const { fd, stat: st } = await openStat(sys, at('new'), constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o640, { uid: 4321, gid: 8765 });
    try {
      expect(pick(st)).toEqual(pick(await fstat(fd)));
      expect(st.uid).toBe(process.getuid?.() === 0 ? 4321n : BigInt(process.getuid?.() ?? 0));
      expect(Number(st.mode) & 0o7777).toBe(0o640 & ~process.umask());
      expect((await stat(at('new'))).isFile()).toBe(true);
    } finally {
      await closeFd(fd);
    }
  });

  it('leaves ownership alone without an owner', async () => {
    const { fd, stat: st } = await openStat(sys, at('mine'), constants.O_CREAT | constants.O_RDWR, 0o600);
    await closeFd(fd);
    expect(st.uid).toBe(BigInt(process.getuid?.() ?? 0));
  });

  it('rejects like Node fs when the open fails', async () => {
    await expect(openStat(sys, at('d/f'), constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644))
      .rejects.toMatchObject({ code: 'EEXIST', errno: -17, syscall: 'open', path: at('d/f') });
  });

  it('closes the descriptor and names the step when the chown fails', async () => {
    const before = await fds();
    // fchown on an O_PATH descriptor is EBADF: the open succeeds, the chown does not.
    await expect(openStat(sys, at('d/f'), 0o10000000 /* O_PATH */, 0, { uid: 1, gid: 1 }))
      .rejects.toMatchObject({ code: 'EBADF', syscall: 'fchown', path: at('d/f') });
    expect(await fds()).toBe(before);
  });
});
