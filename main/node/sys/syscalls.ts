/**
 * Syscalls Node's fs lacks, from Strata's small libc addon (native/sys). Every call runs on the libuv
 * pool (never blocks the loop of a FUSE-serving process) and rejects with a Node-style error:
 * { code: 'ENODATA', errno: -61, syscall, path }.
 */
import type { FuseStatfs, FuseTime } from '../fuse/ops.ts';

/** statvfs(3): what FUSE's statfs answers, plus the filesystem id and mount flags. */
export interface Statvfs extends FuseStatfs {
  fsid: bigint;
  /** ST_RDONLY = 1, ST_NOSUID = 2, ... */
  flag: number;
}

/**
 * lstatBatch's answer. `stats` holds 14 slots per path: errno (0: found), dev, ino, mode, nlink, uid,
 * gid, rdev, size, blksize, blocks, atimeNs, mtimeNs, ctimeNs. `errors[i]` is the Node-style Error of a
 * failure other than ENOENT/ENOTDIR; `vfs[i]` is statvfs of roots[i], or its Error.
 */
export interface RawStatBatch {
  stats: BigInt64Array;
  errors: (Error | undefined)[] | undefined;
  vfs: (Statvfs | Error)[];
}

export interface Syscalls {
  lgetxattr(path: string, name: string): Promise<Buffer>;
  /** flags: XATTR_CREATE = 1, XATTR_REPLACE = 2. */
  lsetxattr(path: string, name: string, value: Buffer, flags: number): Promise<void>;
  llistxattr(path: string): Promise<string[]>;
  lremovexattr(path: string, name: string): Promise<void>;
  fgetxattr(fd: number, name: string): Promise<Buffer>;
  fsetxattr(fd: number, name: string, value: Buffer, flags: number): Promise<void>;
  flistxattr(fd: number): Promise<string[]>;
  mknod(path: string, mode: number, dev: bigint): Promise<void>;
  /** utimensat(AT_FDCWD, ...), with UTIME_NOW/UTIME_OMIT; follow=false uses AT_SYMLINK_NOFOLLOW. */
  utimensat(path: string, atime: FuseTime, mtime: FuseTime, follow: boolean): Promise<void>;
  futimens(fd: number, atime: FuseTime, mtime: FuseTime): Promise<void>;
  statvfs(path: string): Promise<Statvfs>;
  /**
   * lstat of every path and statvfs of every root in one pool job; never rejects for a path's failure.
   * `within[i]`, when not -1, is the index of an earlier path that must be a directory for path i to be
   * asked; otherwise path i answers ENOENT (that one is missing) or ENOTDIR (it is not a directory).
   */
  lstatBatch(paths: string[], roots?: string[], within?: number[]): Promise<RawStatBatch>;
  /**
   * open(2) (O_CLOEXEC added), fchown(2) unless uid and gid are both -1, then fstat(2), in one pool job.
   * `stat` is one stat in lstatBatch's layout. A failed chown or fstat closes the descriptor and rejects.
   */
  openStat(path: string, flags: number, mode: number, uid: number, gid: number): Promise<{ fd: number; stat: BigInt64Array }>;
  renameat2(from: string, to: string, flags: number): Promise<void>;
  /** lseek SEEK_DATA; null when there is no data at or after offset (ENXIO). */
  seekData(fd: number, offset: bigint): Promise<bigint | null>;
  /** lseek SEEK_HOLE. */
  seekHole(fd: number, offset: bigint): Promise<bigint>;
  fallocate(fd: number, mode: number, offset: bigint, length: bigint): Promise<void>;
  /** Returns bytes copied (0 at EOF). */
  copyFileRange(fdIn: number, offIn: bigint, fdOut: number, offOut: bigint, length: number): Promise<number>;
}
