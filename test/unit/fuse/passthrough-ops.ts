/**
 * A FuseOps over one directory, for backend tests: the smallest correct filesystem, so a failure points
 * at the backend. `directIo` hands branch descriptors to the backend (DirectIoOps.openHandle).
 */
import { constants, openSync, type BigIntStats } from 'node:fs';
import {
  access,
  chmod,
  link,
  lchown,
  lstat,
  mkdir,
  open,
  readdir,
  readlink,
  rename,
  rmdir,
  symlink,
  truncate,
  unlink,
  type FileHandle,
} from 'node:fs/promises';
import { join } from 'node:path';
import type { DirEntry, RequestContext } from '../../../main/node/fuse/ops.ts';
import type { FuseStat } from '../../../main/node/sys/fsValues.ts';
import { EBADF, FsError } from '../../../main/node/sys/errno.ts';
import type { DirectIoOps } from '../../../main/node/fuse/nativeOps.ts';
import { loadSyscalls } from '../../../main/node/sys/load.ts';

export function toFuseStat(st: BigIntStats): FuseStat {
  return {
    dev: st.dev,
    ino: st.ino,
    mode: Number(st.mode),
    nlink: Number(st.nlink),
    uid: Number(st.uid),
    gid: Number(st.gid),
    rdev: st.rdev,
    size: st.size,
    blksize: Number(st.blksize),
    blocks: st.blocks,
    atimeNs: st.atimeNs,
    mtimeNs: st.mtimeNs,
    ctimeNs: st.ctimeNs,
  };
}

export function passthroughOps(root: string, { directIo = false } = {}): DirectIoOps {
  const sys = loadSyscalls();
  const real = (path: string) => join(root, path);
  // native/sys names entries by (root descriptor, path); kept open for the life of the test process.
  const rootFd = openSync(root, 0o10000000 /* O_PATH */ | constants.O_DIRECTORY);
  const files = new Map<number, FileHandle>();
  const dirs = new Set<number>();
  let nextDir = 1;
  const file = (fh: number) => {
    const handle = files.get(fh);
    if (!handle) throw new FsError(EBADF);
    return handle;
  };
  // The server runs as root: new nodes belong to whoever asked for them.
  const own = (path: string, ctx?: RequestContext) => (ctx ? lchown(real(path), ctx.uid, ctx.gid) : undefined);
  const openFile = async (path: string, flags: number, mode?: number) => {
    const handle = await open(real(path), flags, mode);
    files.set(handle.fd, handle);
    return handle.fd;
  };

  const ops: DirectIoOps = {
    getattr: async (path, fh) => toFuseStat(fh === undefined ? await lstat(real(path), { bigint: true }) : await file(fh).stat({ bigint: true })),
    readlink: (path) => readlink(real(path)),
    mknod: async (path, mode, rdev, ctx) => {
      await sys.mknod(rootFd, path, mode, rdev);
      await own(path, ctx);
    },
    mkdir: async (path, mode, ctx) => {
      await mkdir(real(path), mode);
      await own(path, ctx);
    },
    unlink: (path) => unlink(real(path)),
    rmdir: (path) => rmdir(real(path)),
    symlink: async (target, path, ctx) => {
      await symlink(target, real(path));
      await own(path, ctx);
    },
    rename: (from, to, flags) => (flags ? sys.rename(rootFd, from, rootFd, to, flags) : rename(real(from), real(to))),
    link: (from, to) => link(real(from), real(to)),
    chmod: (path, mode, fh) => (fh === undefined ? chmod(real(path), mode) : file(fh).chmod(mode)),
    chown: (path, uid, gid, fh) => (fh === undefined ? lchown(real(path), uid, gid) : file(fh).chown(uid, gid)),
    truncate: (path, size, fh) => (fh === undefined ? truncate(real(path), Number(size)) : file(fh).truncate(Number(size))),
    utimens: (path, atime, mtime, fh) => (fh === undefined ? sys.utimens(rootFd, path, atime, mtime) : sys.futimens(fh, atime, mtime)),
    open: (path, flags) => openFile(path, flags),
    create: async (path, mode, flags, ctx) => {
      const fh = await openFile(path, (flags ?? constants.O_RDWR) | constants.O_CREAT, mode);
      await own(path, ctx);
      return fh;
    },
    read: async (_path, fh, buf, length, position) => (await file(fh).read(buf, 0, length, position)).bytesRead,
    write: async (_path, fh, buf, length, position) => (await file(fh).write(buf, 0, length, position)).bytesWritten,
    flush: async () => {},
    release: async (_path, fh) => {
      await file(fh).close();
      files.delete(fh);
    },
    fsync: (_path, fh, datasync) => (datasync ? file(fh).datasync() : file(fh).sync()),
    fallocate: (_path, fh, mode, offset, length) => sys.fallocate(fh, mode, offset, length),
    opendir: async (path) => {
      await access(real(path));
      dirs.add(nextDir);
      return nextDir++;
    },
    readdir: async (path): Promise<DirEntry[]> => {
      const names = await readdir(real(path));
      return Promise.all(names.map(async (name) => ({ name, stat: toFuseStat(await lstat(join(real(path), name), { bigint: true })) })));
    },
    releasedir: async (_path, fh) => {
      dirs.delete(fh);
    },
    fsyncdir: async (path, datasync) => {
      const dir = await open(real(path), constants.O_RDONLY | constants.O_DIRECTORY);
      try {
        await (datasync ? dir.datasync() : dir.sync());
      } finally {
        await dir.close();
      }
    },
    statfs: async () => {
      const v = await sys.statvfs(rootFd);
      return {
        bsize: v.bsize,
        frsize: v.frsize,
        blocks: v.blocks,
        bfree: v.bfree,
        bavail: v.bavail,
        files: v.files,
        ffree: v.ffree,
        favail: v.favail,
        namemax: v.namemax,
      };
    },
    access: (path, mode) => access(real(path), mode),
    setxattr: (path, name, value, flags) => sys.setxattr(rootFd, path, name, value, flags),
    getxattr: (path, name) => sys.getxattr(rootFd, path, name),
    listxattr: (path) => sys.listxattr(rootFd, path),
    removexattr: (path, name) => sys.removexattr(rootFd, path, name),
  };
  if (directIo) {
    ops.openHandle = async (path, flags) => {
      const fh = await ops.open(path, flags);
      return { fh, fd: fh };
    };
    ops.createHandle = async (path, mode, flags, ctx) => {
      const fh = await ops.create(path, mode, flags, ctx);
      return { fh, fd: fh };
    };
  }
  return ops;
}
