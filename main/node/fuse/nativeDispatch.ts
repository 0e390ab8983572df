/**
 * The request protocol between native/fuse and JS: the addon calls `dispatch(id, op, path, ...args)`
 * for each FUSE request; the matching FuseOps method runs and its outcome goes back through
 * `reply(id, errno, value)`. Argument shapes below mirror native/fuse/src/*_ops.cc.
 *
 * A file unlinked while open is first renamed to `.fuse_hidden*` through `rename` and unlinked at
 * release (libfuse's rule, kept by native/fuse/src/requests.cc; the union unlinks it at the rename).
 * `path` is '' only if no name of the node is known any more, which then leaves the fh to identify it.
 */
import type { RequestContext } from './ops.ts';
import type { FuseTime } from '../sys/fsValues.ts';
import { ENOSYS, errnoOf, FsError } from '../sys/errno.ts';
import { decodeStat } from '../sys/statBatch.ts';
import type { DirectIoOps } from './nativeOps.ts';

type Caller = [uid: number, gid: number, pid: number, umask: number];

interface Requests {
  getattr: [fh: number | undefined];
  readlink: [];
  mknod: [mode: number, rdev: bigint, ...Caller];
  mkdir: [mode: number, ...Caller];
  unlink: [];
  rmdir: [];
  symlink: [target: string, ...Caller];
  rename: [to: string, flags: number];
  link: [to: string];
  chmod: [mode: number, fh: number | undefined];
  chown: [uid: number, gid: number, fh: number | undefined];
  truncate: [size: bigint, fh: number | undefined];
  utimens: [atime: FuseTime, mtime: FuseTime, fh: number | undefined];
  open: [flags: number];
  forgetDir: [];
  repathed: [to: string];
  grewDir: [root: number];
  copiedUp: [dev: bigint, ino: bigint, newDev: bigint, newIno: bigint, root: number, keptMoved: boolean];
  publishedDir: [roots: number[], stat: BigInt64Array, gen: number];
  writable: [];
  fileFlags: [cmd: number, arg: Buffer, set: boolean];
  create: [mode: number, flags: number, ...Caller];
  read: [fh: number, buf: Buffer, position: number];
  write: [fh: number, data: Buffer, position: number];
  statfs: [];
  flush: [fh: number];
  release: [fh: number];
  fsync: [fh: number, datasync: boolean];
  fallocate: [fh: number, mode: number, offset: bigint, length: bigint];
  lseek: [fh: number, offset: bigint, whence: number];
  opendir: [];
  readdir: [fh: number];
  fsyncdir: [datasync: boolean];
  access: [mode: number];
  setxattr: [name: string, value: Buffer, flags: number];
  getxattr: [name: string];
  listxattr: [];
  removexattr: [name: string];
}

type Handlers = { [Op in keyof Requests]: (ops: DirectIoOps, path: string, ...args: Requests[Op]) => Promise<unknown> };

const context = (uid: number, gid: number, pid: number, umask: number): RequestContext => ({ uid, gid, pid, umask });

const handlers: Handlers = {
  getattr: (o, p, fh) => o.getattr(p, fh),
  readlink: (o, p) => o.readlink(p),
  mknod: (o, p, mode, rdev, ...c) => o.mknod(p, mode, rdev, context(...c)),
  mkdir: (o, p, mode, ...c) => o.mkdir(p, mode, context(...c)),
  unlink: (o, p) => o.unlink(p),
  rmdir: (o, p) => o.rmdir(p),
  symlink: (o, p, target, ...c) => o.symlink(target, p, context(...c)),
  rename: (o, p, to, flags) => o.rename(p, to, flags),
  link: (o, p, to) => o.link(p, to),
  chmod: (o, p, mode, fh) => o.chmod(p, mode, fh),
  chown: (o, p, uid, gid, fh) => o.chown(p, uid, gid, fh),
  truncate: (o, p, size, fh) => o.truncate(p, size, fh),
  utimens: (o, p, atime, mtime, fh) => o.utimens(p, atime, mtime, fh),
  open: (o, p, flags) => (o.openHandle ? o.openHandle(p, flags) : o.open(p, flags)),
  forgetDir: (o, p) => (o.forgetDir ? o.forgetDir(p) : Promise.reject(new FsError(ENOSYS))),
  repathed: (o, p, to) => (o.repathed ? o.repathed(p, to) : Promise.reject(new FsError(ENOSYS))),
  grewDir: (o, p, root) => (o.grewDir ? o.grewDir(p, root) : Promise.reject(new FsError(ENOSYS))),
  copiedUp: (o, p, dev, ino, newDev, newIno, root, keptMoved) =>
    o.copiedUp ? o.copiedUp(p, { dev, ino }, { dev: newDev, ino: newIno }, root, keptMoved) : Promise.reject(new FsError(ENOSYS)),
  publishedDir: (o, p, roots, stat, gen) => (o.publishedDir ? o.publishedDir(p, roots, decodeStat(stat), gen) : Promise.reject(new FsError(ENOSYS))),
  writable: (o, p) => (o.writable ? o.writable(p) : Promise.reject(new FsError(ENOSYS))),
  fileFlags: (o, p, cmd, arg, set) => (o.fileFlags ? o.fileFlags(p, cmd, arg, set) : Promise.reject(new FsError(ENOSYS))),
  create: (o, p, mode, flags, ...c) => (o.createHandle ? o.createHandle(p, mode, flags, context(...c)) : o.create(p, mode, flags, context(...c))),
  // The addon copies back the bytes of the view it gets.
  read: async (o, p, fh, buf, position) => buf.subarray(0, await o.read(p, fh, buf, buf.length, position)),
  write: (o, p, fh, data, position) => o.write(p, fh, data, data.length, position),
  statfs: (o, p) => o.statfs(p),
  flush: (o, p, fh) => o.flush(p, fh),
  release: (o, p, fh) => o.release(p, fh),
  fsync: (o, p, fh, datasync) => o.fsync(p, fh, datasync),
  fallocate: (o, p, fh, mode, offset, length) => (o.fallocate ? o.fallocate(p, fh, mode, offset, length) : Promise.reject(new FsError(ENOSYS))),
  lseek: (o, p, fh, offset, whence) => (o.lseek ? o.lseek(p, fh, offset, whence) : Promise.reject(new FsError(ENOSYS))),
  opendir: (o, p) => o.opendir(p),
  readdir: (o, p, fh) => o.readdir(p, fh),
  fsyncdir: (o, p, datasync) => o.fsyncdir(p, datasync),
  access: (o, p, mode) => o.access(p, mode),
  setxattr: (o, p, name, value, flags) => o.setxattr(p, name, value, flags),
  getxattr: (o, p, name) => o.getxattr(p, name),
  listxattr: (o, p) => o.listxattr(p),
  removexattr: (o, p, name) => o.removexattr(p, name),
};

/** The op names the addon may dispatch (native/fuse/src/*_ops.cc pass them to Run). */
export const DISPATCHED_OPS = Object.keys(handlers) as readonly (keyof Requests)[];

export type Reply = (id: number, errno: number, value?: unknown) => void;
export type Dispatch = (id: number, op: string, path: string, ...args: unknown[]) => void;

export function createDispatch(ops: DirectIoOps, reply: Reply): Dispatch {
  return (id, op, path, ...args) => {
    const handler = handlers[op as keyof Requests] as ((o: DirectIoOps, p: string, ...a: unknown[]) => Promise<unknown>) | undefined;
    let pending: Promise<unknown>;
    try {
      pending = handler ? handler(ops, path, ...args) : Promise.reject(new FsError(ENOSYS));
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      // Throws only if the value breaks the contract; the kernel has already been given EIO then.
      (value) => {
        try {
          reply(id, 0, value);
        } catch (err) {
          reportBadReply(op, path, err);
        }
      },
      (err: unknown) => reply(id, errnoOf(err)),
    );
  };
}

function reportBadReply(op: string, path: string, err: unknown): void {
  process.emitWarning(`FUSE ${op} ${path}: ${(err as Error).message} (the caller got EIO)`, { code: 'STRATA_BAD_FUSE_REPLY' });
}
