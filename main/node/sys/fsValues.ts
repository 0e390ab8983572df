/**
 * The values a filesystem call takes and answers, shaped after libfuse 3's high-level API with exact
 * types: 64-bit numbers as bigint where they can exceed 2^53, times in nanoseconds. The FUSE op table
 * (fuse/ops.ts), the syscalls addon and the engine all speak them.
 */

export interface FuseStat {
  dev: bigint;
  ino: bigint;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: bigint;
  size: bigint;
  blksize: number;
  blocks: bigint;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  /**
   * This name must be its own inode to the kernel, not shared with the file's other hard links: it is
   * on a branch it would be copied up from, and a copy-up parts it from them (overlayfs without index).
   */
  ownInode?: boolean;
}

/** What statfs answers (common/unionSpace.ts defines it, and the union's rule). */
export type { FsSpace as FuseStatfs } from '../../common/unionSpace.ts';

/** A time for utimens: nanoseconds since the epoch, or the kernel's UTIME_NOW / UTIME_OMIT. */
export type FuseTime = bigint | 'now' | 'omit';

/** renameat2 flags. */
export const RENAME_NOREPLACE = 1;
export const RENAME_EXCHANGE = 2;

/** The longest name one directory entry may have (Linux NAME_MAX). */
export const NAME_MAX = 255;
