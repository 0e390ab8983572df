/**
 * Syscalls Node's fs lacks, from Strata's small libc addon (native/sys). Every call runs on the libuv
 * pool (never blocks the loop of a FUSE-serving process) and rejects with a Node-style error:
 * { code: 'ENODATA', errno: -61, syscall, path }.
 */
import type { FuseStatfs, FuseTime } from './fsValues.ts';

/** statvfs(3): what FUSE's statfs answers, plus the filesystem id and mount flags. */
export interface Statvfs extends FuseStatfs {
  fsid: bigint;
  /** ST_RDONLY = 1, ST_NOSUID = 2, ... */
  flag: number;
}

/**
 * lstatBatch's answer. `stats` holds 14 slots per path: errno (0: found), dev, ino, mode, nlink, uid,
 * gid, rdev, size, blksize, blocks, atimeNs, mtimeNs, ctimeNs. `errors[i]` is the Node-style Error of a
 * failure other than ENOENT/ENOTDIR; `vfs[i]` is statvfs of vfsRoots[i], or its Error.
 */
export interface RawStatBatch {
  stats: BigInt64Array;
  errors: (Error | undefined)[] | undefined;
  vfs: (Statvfs | Error)[];
}

/**
 * Branch entries are named by (root, rel): `root` is a branch root's descriptor (opened O_PATH once, see
 * union/branchSet.ts) and `rel` a union path below it ('/a/b'; '/' is the root). Every component is
 * resolved beneath the root without following a symlink, the leaf included (native/common/beneath.h),
 * so a directory swapped for a symlink makes the call fail (ELOOP, ENOTDIR, EXDEV) instead of acting
 * outside the branch. Paths may exceed PATH_MAX and hold escaped bytes (union/bytePaths.ts).
 */
export interface Syscalls {
  /**
   * `umask` (mkdir, mknod, openStat): the caller's, which the branch's filesystem applies to `mode`
   * unless the parent has a default ACL, as it would for the caller (native/common/caller_umask.h).
   */
  mkdir(root: number, rel: string, mode: number, umask?: number): Promise<void>;
  unlink(root: number, rel: string): Promise<void>;
  rmdir(root: number, rel: string): Promise<void>;
  /** renameat2 between two anchored names (their roots on one filesystem); flags 0 is rename(2). */
  rename(fromRoot: number, from: string, toRoot: number, to: string, flags: number): Promise<void>;
  /** linkat without following a symlink source. */
  link(fromRoot: number, from: string, toRoot: number, to: string): Promise<void>;
  symlink(target: string, root: number, rel: string): Promise<void>;
  /** The target exactly as stored (bytes that are not UTF-8 as lone surrogates). */
  readlink(root: number, rel: string): Promise<string>;
  mknod(root: number, rel: string, mode: number, dev: bigint, umask?: number): Promise<void>;
  /** fchownat(AT_SYMLINK_NOFOLLOW); -1 keeps an id. */
  lchown(root: number, rel: string, uid: number, gid: number): Promise<void>;
  /** utimensat(AT_SYMLINK_NOFOLLOW), with UTIME_NOW/UTIME_OMIT. */
  utimens(root: number, rel: string, atime: FuseTime, mtime: FuseTime): Promise<void>;
  /** fchmodat2(AT_SYMLINK_NOFOLLOW): EOPNOTSUPP for a symlink. */
  chmod(root: number, rel: string, mode: number): Promise<void>;
  truncate(root: number, rel: string, size: bigint): Promise<void>;
  /** faccessat(AT_SYMLINK_NOFOLLOW). */
  access(root: number, rel: string, mode: number): Promise<void>;
  /** Names without . and .., exactly as the directory holds them. */
  readdir(root: number, rel: string): Promise<string[]>;
  getxattr(root: number, rel: string, name: string): Promise<Buffer>;
  /** flags: XATTR_CREATE = 1, XATTR_REPLACE = 2. */
  setxattr(root: number, rel: string, name: string, value: Buffer, flags: number): Promise<void>;
  listxattr(root: number, rel: string): Promise<string[]>;
  removexattr(root: number, rel: string, name: string): Promise<void>;
  /** fstatvfs of a branch root. */
  statvfs(root: number): Promise<Statvfs>;
  /**
   * lstat of every (roots[i], paths[i]) and statvfs of every vfsRoots[i] in one pool job; never rejects
   * for a path's failure. `within[i]`, when not -1, is the index of an earlier path that must be a
   * directory for path i to be asked; otherwise path i answers ENOENT (that one is missing) or ENOTDIR
   * (it is not a directory). Names in one directory share one opening of it.
   */
  lstatBatch(roots: number[], paths: string[], within?: number[], vfsRoots?: number[]): Promise<RawStatBatch>;
  /**
   * open beneath root (O_CLOEXEC and O_NOFOLLOW added), fchown(2) unless uid and gid are both -1, then
   * fstat(2), in one pool job. `stat` is one stat in lstatBatch's layout. A failed chown or fstat closes
   * the descriptor and rejects.
   */
  openStat(root: number, rel: string, flags: number, mode: number, uid: number, gid: number, umask?: number): Promise<{ fd: number; stat: BigInt64Array }>;
  /**
   * An unnamed regular file (O_TMPFILE) in directory `rel`, open for writing, with `mode`; it vanishes
   * when closed unless linkFd names it. ENOTSUP (EISDIR on kernels before 3.11) where the filesystem has none.
   */
  openTmpfile(root: number, rel: string, mode: number): Promise<number>;
  /** Names the unnamed file open as `fd` (openTmpfile) `rel`; EEXIST when that name exists. */
  linkFd(fd: number, root: number, rel: string): Promise<void>;
  /**
   * The inode flags (FS_IOC_GETFLAGS, what lsattr shows) of a regular file or directory, with those its
   * mark keeps (a copy-up's copy of a directory: ShownFlags, inode_flags.h); 0 for any other entry
   * (never opened), and where the filesystem keeps none.
   */
  inodeFlags(root: number, rel: string): Promise<number>;
  /**
   * Whether directory `rel` refuses a change of its names (`removal`: one that removes a name), as the
   * kernel refuses it: immutable, or append-only for a removal, by its flags or its mark
   * (RefusesNameChange, ShownFlags: inode_flags.h).
   */
  refusesNameChange(root: number, rel: string, removal: boolean): Promise<boolean>;
  fgetxattr(fd: number, name: string): Promise<Buffer>;
  fsetxattr(fd: number, name: string, value: Buffer, flags: number): Promise<void>;
  flistxattr(fd: number): Promise<string[]>;
  fremovexattr(fd: number, name: string): Promise<void>;
  /**
   * An inode-flags ioctl (FS_IOC_GETFLAGS, FS_IOC_SETFLAGS, FS_IOC_FSGETXATTR or FS_IOC_FSSETXATTR) on
   * `fd`, with `arg` as ioctl(2) takes it, of that command's size: resolves to it as the call left it.
   */
  flagsIoctl(fd: number, cmd: number, arg: Buffer): Promise<Buffer>;
  /**
   * Gives the regular file or directory open as `fd` the copiedFlags of `flags` (its copy-up source's),
   * keeping its others; nothing when `flags` has none of them (CarryFlags, native/common/inode_flags.h).
   */
  carryFlags(flags: number, fd: number): Promise<void>;
  /** The inode flags that keep a file from changing (immutable, append-only): none is copied up. */
  readonly unchangeableFlags: number;
  /** The inode flags a copy-up carries to the copy (sync, noatime), as overlayfs'. */
  readonly copiedFlags: number;
  futimens(fd: number, atime: FuseTime, mtime: FuseTime): Promise<void>;
  /** lseek SEEK_DATA; null when there is no data at or after offset (ENXIO). */
  seekData(fd: number, offset: bigint): Promise<bigint | null>;
  /** lseek SEEK_HOLE. */
  seekHole(fd: number, offset: bigint): Promise<bigint>;
  fallocate(fd: number, mode: number, offset: bigint, length: bigint): Promise<void>;
  /** Returns bytes copied (0 at EOF). */
  copyFileRange(fdIn: number, offIn: bigint, fdOut: number, offOut: bigint, length: number): Promise<number>;
  /**
   * Starts writing [pos, pos + len) of `fd` back to disk and waits for [beforePos, beforePos + beforeLen)
   * (native/common/write_behind.h); false where the file cannot take that. Rejects on a write error.
   */
  writeBehind(fd: number, pos: bigint, len: bigint, beforePos: bigint, beforeLen: bigint): Promise<boolean>;
  /** How many copied chunks may be on their way to disk at once (kWritingBack, write_behind.h). */
  readonly writeBehindDepth: number;
  /** dup3(from, to, O_CLOEXEC): descriptor `to` atomically becomes a duplicate of `from`. */
  dup3(from: number, to: number): Promise<void>;
  /** flock(fd, LOCK_EX | LOCK_NB): true once taken, false while another open file description holds it. */
  tryLock(fd: number): Promise<boolean>;
  /** Metadata calls run at once on the calling thread, returning settled Promises (a mount worker only: inlineCalls.ts). */
  setInline(on: boolean): void;
}
