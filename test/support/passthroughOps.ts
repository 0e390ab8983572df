/**
 * A one-directory passthrough FuseOps, for testing backends and worker plumbing without the union engine.
 * Deliberately minimal: no xattrs, no special files.
 */
import type { FileHandle } from 'node:fs/promises';
import * as fsp from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { FsError, type FuseOps, type FuseStat } from '../../main/node/fuse/ops.ts';

const ENOTSUP = 95;

function toFuseStat(st: BigIntStats): FuseStat {
  return {
    dev: st.dev, ino: st.ino, mode: Number(st.mode), nlink: Number(st.nlink), uid: Number(st.uid), gid: Number(st.gid),
    rdev: st.rdev, size: st.size, blksize: Number(st.blksize), blocks: st.blocks,
    atimeNs: st.atimeNs, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs,
  };
}

export function passthroughOps(root: string): FuseOps {
  const real = (p: string) => join(root, p);
  const files = new Map<number, FileHandle>();
  let next = 1;
  const keep = (h: FileHandle) => { const fh = next++; files.set(fh, h); return fh; };
  const handle = (fh: number) => {
    const h = files.get(fh);
    if (!h) throw new FsError(9, 'EBADF');
    return h;
  };
  const notSupported = async (): Promise<never> => { throw new FsError(ENOTSUP); };
  return {
    getattr: async (p) => toFuseStat(await fsp.lstat(real(p), { bigint: true })),
    readlink: (p) => fsp.readlink(real(p)),
    mknod: notSupported,
    mkdir: (p, mode) => fsp.mkdir(real(p), mode).then(() => undefined),
    unlink: (p) => fsp.unlink(real(p)),
    rmdir: (p) => fsp.rmdir(real(p)),
    symlink: (target, p) => fsp.symlink(target, real(p)),
    rename: (a, b) => fsp.rename(real(a), real(b)),
    link: (a, b) => fsp.link(real(a), real(b)),
    chmod: (p, mode) => fsp.chmod(real(p), mode),
    chown: (p, uid, gid) => fsp.lchown(real(p), uid, gid),
    truncate: (p, size) => fsp.truncate(real(p), Number(size)),
    utimens: async (p, atime, mtime) => {
      const t = (v: typeof atime) => (typeof v === 'bigint' ? Number(v) / 1e9 : Date.now() / 1000);
      await fsp.utimes(real(p), t(atime), t(mtime));
    },
    open: async (p, flags) => keep(await fsp.open(real(p), flags)),
    create: async (p, mode, flags) => keep(await fsp.open(real(p), (flags ?? 0o2) | 0o100, mode)),
    read: async (_p, fh, buf, length, position) => (await handle(fh).read(buf, 0, length, position)).bytesRead,
    write: async (_p, fh, buf, length, position) => (await handle(fh).write(buf, 0, length, position)).bytesWritten,
    flush: async () => undefined,
    release: async (_p, fh) => { await handle(fh).close(); files.delete(fh); },
    fsync: async (_p, fh, datasync) => (datasync ? handle(fh).datasync() : handle(fh).sync()),
    opendir: async () => next++,
    readdir: async (p) => (await fsp.readdir(real(p))).map((name) => ({ name })),
    releasedir: async () => undefined,
    statfs: async (p) => {
      const s = await fsp.statfs(real(p), { bigint: true });
      return { bsize: Number(s.bsize), frsize: Number(s.bsize), blocks: s.blocks, bfree: s.bfree, bavail: s.bavail,
        files: s.files, ffree: s.ffree, favail: s.ffree, namemax: 255 };
    },
    access: (p, mode) => fsp.access(real(p), mode),
    setxattr: notSupported,
    getxattr: async () => { throw new FsError(61); },
    listxattr: async () => [],
    removexattr: notSupported,
  };
}
