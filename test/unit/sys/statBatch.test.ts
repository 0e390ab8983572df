// native/sys lstatBatch and openStat, anchored at a root descriptor, through their typed views
// (main/node/sys/statBatch.ts, union/branchFs.ts).
import { closeSync, constants, openSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSyscalls } from '../../../main/node/sys/load.ts';
import { BatchPaths, type BranchStat } from '../../../main/node/sys/statBatch.ts';
import { BranchFs } from '../../../main/node/union/branchFs.ts';
import { Branch } from '../../../main/node/union/branchSet.ts';
import { closeFd, fstat } from '../../../main/node/union/fdCalls.ts';

const sys = loadSyscalls();
const O_PATH = 0o10000000;
let dir: string;
let root: number;
let branch: Branch;
const at = (name: string) => join(dir, name);
const FIELDS = ['dev', 'ino', 'mode', 'nlink', 'uid', 'gid', 'rdev', 'size', 'blksize', 'blocks', 'atimeNs', 'mtimeNs', 'ctimeNs'] as const;
const pick = (st: BranchStat) => Object.fromEntries(FIELDS.map((f) => [f, st[f]]));
const batchOf = (rels: string[], vfsRoots: number[] = []) => {
  const paths = new BatchPaths();
  for (const rel of rels) paths.add(root, rel);
  for (const r of vfsRoots) paths.addRoot(r);
  return paths.ask(sys);
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-batch-'));
  await mkdir(at('d'));
  await writeFile(at('d/f'), 'twelve bytes');
  await symlink('d', at('link'));
  await symlink('loop', at('loop'));
  root = openSync(dir, O_PATH | constants.O_DIRECTORY);
  branch = new Branch(dir, root, 'rw', undefined);
});
afterAll(async () => {
  closeSync(root);
  await rm(dir, { recursive: true, force: true });
});

describe('lstatBatch', () => {
  it('answers every path as lstat does, missing ones (ENOENT, ENOTDIR) as null', async () => {
    const batch = await batchOf(['/d', '/d/f', '/link', '/nope', '/d/f/under', '/']);
    for (const [i, name] of ['d', 'd/f', 'link'].entries()) {
      expect(pick(batch.stat(i)!)).toEqual(pick(await lstat(at(name), { bigint: true })));
    }
    expect(batch.stat(3)).toBeNull();
    expect(batch.found(4)).toBe(false);
    expect(batch.stat(5)!.ino).toBe((await lstat(dir, { bigint: true })).ino);
  });

  it('never looks through a symlink: below one is ELOOP, kept for the reader of that answer as a Node-style error', async () => {
    const batch = await batchOf(['/link/f', '/d']);
    expect(batch.found(1)).toBe(true);
    let err: unknown;
    try {
      batch.stat(0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'ELOOP', errno: -40, syscall: 'lstat', path: '/link/f' });
    expect(() => batch.found(0)).toThrow(/^ELOOP: too many symbolic links encountered, lstat/);
  });

  it('asks a path `within` another only when that one is a directory', async () => {
    const paths = new BatchPaths();
    const link = paths.add(root, '/link');
    const throughLink = paths.add(root, '/link/f', link);
    const d = paths.add(root, '/d');
    const inD = paths.add(root, '/d/f', d);
    const missing = paths.add(root, '/nope');
    const underMissing = paths.add(root, '/nope/f', missing);
    const batch = await paths.ask(sys);
    expect(batch.found(throughLink)).toBe(false);
    expect(batch.found(inD)).toBe(true);
    expect(batch.found(underMissing)).toBe(false);
  });

  it('refuses . and .. components (EINVAL), so nothing climbs out of the root', async () => {
    const batch = await batchOf(['/d/../d/f', '/..', '/d/.']);
    for (const i of [0, 1, 2]) expect(() => batch.stat(i)).toThrow(/^EINVAL/);
  });

  it('answers ENOENT for a root that could not be opened (-1)', async () => {
    const paths = new BatchPaths();
    paths.add(-1, '/d');
    expect((await paths.ask(sys)).found(0)).toBe(false);
  });

  it('adds statvfs of each root; a failed one is null', async () => {
    const batch = await batchOf([], [root, -1]);
    const v = batch.statvfs(0)!;
    expect(v.fsid).toBe((await sys.statvfs(root)).fsid);
    expect(typeof v.bavail).toBe('bigint');
    expect(batch.statvfs(1)).toBeNull();
  });

  it('rejects bad arguments', async () => {
    await expect(sys.lstatBatch([root, root], ['/d', 3 as never])).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    await expect(sys.lstatBatch([root], ['a\0b'])).rejects.toBeInstanceOf(TypeError);
    await expect(sys.lstatBatch([root], ['/d', '/d/f'])).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    // `within` must point at an earlier path.
    await expect(sys.lstatBatch([root, root], ['/d', '/d/f'], [-1, 1])).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });
});

describe('openStat', () => {
  const fds = async () => (await readdir('/proc/self/fd')).length;
  const fs = new BranchFs(sys);

  it('creates, chowns and fstats in one call', async () => {
    const { fd, stat: st } = await fs.openStat(branch, '/new', constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o640, { uid: 4321, gid: 8765 });
    try {
      expect(pick(st)).toEqual(pick(await fstat(fd)));
      expect(st.uid).toBe(process.getuid?.() === 0 ? 4321n : BigInt(process.getuid?.() ?? 0));
      expect(Number(st.mode) & 0o7777).toBe(0o640 & ~process.umask());
      expect((await stat(at('new'))).isFile()).toBe(true);
    } finally {
      await closeFd(fd);
    }
  });

  it('leaves ownership alone without an owner, and takes a mode with its type bits (as FUSE create sends it)', async () => {
    const { fd, stat: st } = await fs.openStat(branch, '/mine', constants.O_CREAT | constants.O_RDWR, 0o100600);
    await closeFd(fd);
    expect(st.uid).toBe(BigInt(process.getuid?.() ?? 0));
  });

  it('rejects like Node fs when the open fails', async () => {
    await expect(fs.openStat(branch, '/d/f', constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644)).rejects.toMatchObject({
      code: 'EEXIST',
      errno: -17,
      syscall: 'open',
      path: '/d/f',
    });
  });

  it('never opens through a symlink, the leaf included', async () => {
    await expect(fs.openStat(branch, '/link/f', constants.O_RDONLY, 0)).rejects.toMatchObject({ code: 'ELOOP' });
    await expect(fs.openStat(branch, '/link', constants.O_RDONLY, 0)).rejects.toMatchObject({ code: 'ELOOP' });
  });

  it('closes the descriptor and names the step when the chown fails', async () => {
    const before = await fds();
    // fchown on an O_PATH descriptor is EBADF: the open succeeds, the chown does not.
    await expect(fs.openStat(branch, '/d/f', O_PATH, 0, { uid: 1, gid: 1 })).rejects.toMatchObject({ code: 'EBADF', syscall: 'fchown', path: '/d/f' });
    expect(await fds()).toBe(before);
  });
});
