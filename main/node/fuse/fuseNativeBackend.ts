/**
 * FuseBackend over fuse-native 2.2.6 (libfuse 2.9 high-level API, prebuilt N-API binary needing the
 * system's libfuse.so.2). Maps Strata's promise-based FuseOps onto fuse-native's callbacks as the package
 * actually implements them (see shared brief ecosystem.md §3.2), and works around what JS can fix:
 *
 * - read/write answer with the byte count in the *error* position (`cb(n)`), or -errno;
 * - fgetattr is routed to getattr by fuse-native, so it is not enabled (libfuse then uses getattr);
 * - opendir receives fh where flags should be (ignored); readdir never receives fh, so the handle
 *   opendir returned is looked up by path (DirHandles);
 * - statfs counters are 32-bit: block sizes are scaled up until the counts fit (fuseNativeValues.ts);
 * - getxattr/listxattr with a too-small buffer would overrun it or throw: answered with ERANGE;
 * - options outside fuse-native's whitelist (big_writes, use_ino, the cache timeouts) ride along on the
 *   `subtype` string, which fuse-native appends to the `-o` list verbatim;
 * - its 15 s per-op timeout machinery costs 25–35% on metadata ops: `timeout: false`;
 * - its unmount() runs a shell command with the mountpoint in it: never called; fusermount3 via execFile.
 *
 * What JS cannot fix is declared in `capabilities` (and pinned by test/integration/fuse-native-defects):
 * utimens gets atime as mtime and never sees mtime-only updates, no caller uid/gid, no create flags,
 * 32-bit ino/dev, no rename flags.
 *
 * Every op runs on this process's default loop (fuse-native's threads block until JS answers), hence one
 * worker process per mount, and nothing in that process may touch the mount synchronously.
 */
import { createRequire } from 'node:module';
import { StrataError } from '../../common/errors.ts';
import { DirHandles } from './dirHandles.ts';
import { fusermountUnmount } from './fusermount.ts';
import { fromNativeTime, toNativeStat, toNativeStatfs } from './fuseNativeValues.ts';
import { NO_RESOLVED_DIRS, type BackendCapabilities, type FuseBackend, type FuseOps, type MountedFs, type MountOptions } from './ops.ts';
import { ERANGE, errnoOf } from '../sys/errno.ts';

type Reply = (code: number, ...values: unknown[]) => void;
type Signal = (code: number, ...values: unknown[]) => void;

interface FuseNativeInstance {
  mount(cb: (err: Error | null) => void): void;
}
interface FuseNativeClass {
  new (mnt: string, ops: Record<string, unknown>, opts: Record<string, unknown>): FuseNativeInstance;
}

/**
 * Options fuse-native does not forward, measured to reach libfuse when appended to `subtype=`:
 * big_writes (128 KiB write requests instead of 4 KiB: 32 requests for a 4 MiB dd instead of 1024) and
 * use_ino (clients see the engine's inode numbers: hard links share one, copy-up keeps it).
 */
const PIGGYBACKED = ['big_writes', 'use_ino'];

export const FUSE_NATIVE_CAPABILITIES: BackendCapabilities = {
  name: 'fuse-native',
  callerContext: false,
  exactUtimens: false,
  createFlags: false,
  // Measured: mkfifo and mknod c 1 3 work; device numbers travel as uint32, enough for new_encode_dev.
  mknod: true,
  wideStat: false,
  coherentCache: false,
  renameFlags: false,
};

function loadFuseNative(): FuseNativeClass {
  try {
    return createRequire(import.meta.url)('fuse-native') as FuseNativeClass;
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    const fix = /libfuse\.so\.2/.test(why)
      ? 'install libfuse2 (Debian 12: apt install libfuse2; newer releases: libfuse2t64)'
      : 'reinstall Strata (npm install)';
    throw new StrataError('UNAVAILABLE', `The fuse-native backend cannot load (${why}): ${fix}.`);
  }
}

/**
 * fuse-native's own xattr handlers copy into the kernel's buffer without checking its size (getxattr
 * overruns, listxattr throws a RangeError inside the native callback). These replacements answer ERANGE,
 * as the xattr syscalls specify, and otherwise behave the same.
 */
function withXattrBoundsChecks(Fuse: FuseNativeClass): FuseNativeClass {
  return class extends (Fuse as unknown as new (...args: unknown[]) => Record<string, unknown>) {
    _op_getxattr(signal: Signal, path: string, name: string, valueBuf: Buffer) {
      (this.ops as { getxattr: (p: string, n: string, pos: number, cb: (e: number, v: Buffer | null) => void) => void }).getxattr(
        path,
        name,
        0,
        (err, value) => {
          if (err) return signal(err, valueBuf.buffer);
          if (!value) return signal(-61, valueBuf.buffer); // ENODATA
          if (valueBuf.length === 0) return signal(value.length, valueBuf.buffer);
          if (value.length > valueBuf.length) return signal(-ERANGE, valueBuf.buffer);
          value.copy(valueBuf);
          return signal(value.length, valueBuf.buffer);
        },
      );
    }

    _op_listxattr(signal: Signal, path: string, listBuf: Buffer) {
      (this.ops as { listxattr: (p: string, cb: (e: number, names?: string[]) => void) => void }).listxattr(path, (err, names) => {
        if (err || !names) return signal(err || -5, listBuf.buffer);
        const packed = Buffer.from(names.map((n) => n + '\0').join(''));
        if (listBuf.length === 0) return signal(packed.length, listBuf.buffer);
        if (packed.length > listBuf.length) return signal(-ERANGE, listBuf.buffer);
        packed.copy(listBuf);
        return signal(packed.length, listBuf.buffer);
      });
    }
  } as unknown as FuseNativeClass;
}

/** Runs an op and answers fuse-native: `cb(0, value)` on success, `cb(-errno)` on failure. */
function answer<T>(cb: Reply, run: () => Promise<T>, toValue: (v: T) => unknown[] = () => []): void {
  let pending: Promise<T>;
  try {
    pending = run();
  } catch (err) {
    cb(-errnoOf(err));
    return;
  }
  pending.then(
    (v) => cb(0, ...toValue(v)),
    (err) => cb(-errnoOf(err)),
  );
}

/** read/write: the byte count goes in the error position. */
function answerCount(cb: Reply, run: () => Promise<number>): void {
  answer(
    (code, n) => cb(code === 0 ? (n as number) : code),
    run,
    (n) => [n],
  );
}

/** fuse-native's op table (signatures as delivered, see the module comment) over Strata's FuseOps. */
function toFuseNativeOps(ops: FuseOps): Record<string, unknown> {
  const dirs = new DirHandles();
  const stat = (st: Parameters<typeof toNativeStat>[0]) => [toNativeStat(st)];
  return {
    getattr: (path: string, cb: Reply) => answer(cb, () => ops.getattr(path), stat),
    readlink: (path: string, cb: Reply) =>
      answer(
        cb,
        () => ops.readlink(path),
        (t) => [t],
      ),
    mkdir: (path: string, mode: number, cb: Reply) => answer(cb, () => ops.mkdir(path, mode)),
    mknod: (path: string, mode: number, dev: number, cb: Reply) => answer(cb, () => ops.mknod(path, mode, BigInt(dev))),
    unlink: (path: string, cb: Reply) => answer(cb, () => ops.unlink(path)),
    rmdir: (path: string, cb: Reply) => answer(cb, () => ops.rmdir(path)),
    // libfuse 2: symlink(target, linkPath).
    symlink: (target: string, path: string, cb: Reply) => answer(cb, () => ops.symlink(target, path)),
    rename: (from: string, to: string, cb: Reply) => answer(cb, () => ops.rename(from, to, 0)),
    link: (from: string, to: string, cb: Reply) => answer(cb, () => ops.link(from, to)),
    chmod: (path: string, mode: number, cb: Reply) => answer(cb, () => ops.chmod(path, mode)),
    chown: (path: string, uid: number, gid: number, cb: Reply) => answer(cb, () => ops.chown(path, uid, gid)),
    truncate: (path: string, size: number, cb: Reply) => answer(cb, () => ops.truncate(path, BigInt(size))),
    ftruncate: (path: string, fh: number, size: number, cb: Reply) => answer(cb, () => ops.truncate(path, BigInt(size), fh)),
    // fuse-native passes atime twice (its defect); mtime never reaches JS.
    utimens: (path: string, atime: number, mtime: number, cb: Reply) => answer(cb, () => ops.utimens(path, fromNativeTime(atime), fromNativeTime(mtime))),
    open: (path: string, flags: number, cb: Reply) =>
      answer(
        cb,
        () => ops.open(path, flags),
        (fh) => [fh],
      ),
    create: (path: string, mode: number, cb: Reply) =>
      answer(
        cb,
        () => ops.create(path, mode, undefined),
        (fh) => [fh],
      ),
    read: (path: string, fh: number, buf: Buffer, len: number, pos: number, cb: Reply) => answerCount(cb, () => ops.read(path, fh, buf, len, pos)),
    write: (path: string, fh: number, buf: Buffer, len: number, pos: number, cb: Reply) => answerCount(cb, () => ops.write(path, fh, buf, len, pos)),
    flush: (path: string, fh: number, cb: Reply) => answer(cb, () => ops.flush(path, fh)),
    release: (path: string, fh: number, cb: Reply) => answer(cb, () => ops.release(path, fh)),
    fsync: (path: string, datasync: number, fh: number, cb: Reply) => answer(cb, () => ops.fsync(path, fh, datasync !== 0)),
    opendir: (path: string, _fhNotFlags: number, cb: Reply) =>
      answer(
        cb,
        async () => dirs.opened(path, await ops.opendir(path)),
        (fh) => [fh],
      ),
    readdir: (path: string, cb: Reply) =>
      answer(
        cb,
        () => dirs.withHandle(path, ops, (fh) => ops.readdir(path, fh)),
        (entries) => {
          // fuse-native passes stats only when every name has one.
          const withStats = entries.every((e) => e.stat);
          return [entries.map((e) => e.name), withStats ? entries.map((e) => toNativeStat(e.stat!)) : []];
        },
      ),
    releasedir: (path: string, fh: number, cb: Reply) => answer(cb, () => ops.releasedir(path, dirs.released(path, fh))),
    fsyncdir: (path: string, datasync: number, _fh: number, cb: Reply) => answer(cb, () => ops.fsyncdir(path, datasync !== 0)),
    statfs: (path: string, cb: Reply) =>
      answer(
        cb,
        () => ops.statfs(path),
        (s) => [toNativeStatfs(s)],
      ),
    access: (path: string, mode: number, cb: Reply) => answer(cb, () => ops.access(path, mode)),
    // The value is a view of libfuse's memory, detached after the callback: the engine gets a copy.
    setxattr: (path: string, name: string, value: Buffer, _position: number, flags: number, cb: Reply) =>
      answer(cb, () => ops.setxattr(path, name, Buffer.from(value), flags)),
    getxattr: (path: string, name: string, _position: number, cb: Reply) =>
      answer(
        cb,
        () => ops.getxattr(path, name),
        (v) => [v],
      ),
    listxattr: (path: string, cb: Reply) =>
      answer(
        cb,
        () => ops.listxattr(path),
        (names) => [names],
      ),
    removexattr: (path: string, name: string, cb: Reply) => answer(cb, () => ops.removexattr(path, name)),
  };
}

/** The `-o` options fuse-native builds from its whitelist, plus ours on the subtype string. */
function toFuseNativeOptions(options: MountOptions): Record<string, unknown> {
  // The timeouts ride along too: fuse-native drops falsy options, and libfuse 2's default for a
  // missing attr_timeout is 1 s, not the 0 Strata asks for.
  const timeouts = [`attr_timeout=${options.attrTimeout}`, `entry_timeout=${options.entryTimeout}`, `negative_timeout=${options.negativeTimeout}`];
  return {
    timeout: false,
    // A ',' would split fsname into two -o options.
    fsname: options.fsname.replace(/[,\\\s]/g, '_'),
    subtype: [options.subtype, ...PIGGYBACKED, ...timeouts, ...(options.kernelFlags ?? [])].join(','),
    // auto_cache rather than kernel_cache: it drops a file's pages when its mtime or size changed,
    // which is all the safety a backend without invalidation can offer against changes behind its back.
    autoCache: options.kernelCache,
    allowOther: options.allowOther,
    defaultPermissions: options.defaultPermissions,
  };
}

export function createFuseNativeBackend(): FuseBackend {
  const Fuse = withXattrBoundsChecks(loadFuseNative());
  return {
    capabilities: FUSE_NATIVE_CAPABILITIES,
    resolved: NO_RESOLVED_DIRS,
    mount(mountpoint: string, ops: FuseOps, options: MountOptions): Promise<MountedFs> {
      const fuse = new Fuse(mountpoint, toFuseNativeOps(ops), toFuseNativeOptions(options));
      return new Promise((resolve, reject) => {
        fuse.mount((err) => {
          if (err) {
            reject(
              new StrataError(
                'WORKER_FAILED',
                `FUSE mount on ${mountpoint} failed (${err.message}): check that /dev/fuse exists and fusermount3 is installed.`,
              ),
            );
            return;
          }
          // After unmount the FUSE thread ends but fuse-native keeps a libuv handle referenced:
          // the worker exits explicitly once it has unmounted.
          resolve({ unmount: () => fusermountUnmount(mountpoint) });
        });
      });
    },
  };
}
