/**
 * What a copy-up does when one of its steps fails with one of these errnos: goes on (the step's
 * fallback, or leaving out what cannot be copied); with any other, the copy-up fails. The native
 * backend's copy-up follows the same table (native/fuse/src/copy_rules.h); both are checked against
 * test/vectors/copy-errors.json.
 */
import type { ErrnoName } from '../sys/errno.ts';

export const COPY_GOES_ON = {
  /** lseek(SEEK_DATA): the filesystem cannot tell data from holes, so the whole file is data (ENOTSUP is EOPNOTSUPP on Linux). */
  seekData: ['EINVAL', 'ENOTSUP', 'ENOSYS'],
  /** copy_file_range: not between these files (EXDEV across filesystems, the rest where unimplemented): read and write instead. */
  copyFileRange: ['EXDEV', 'EINVAL', 'ENOTSUP', 'ENOSYS'],
  /** A daemon that is not root cannot give files away: the copy stays its own, without set-ID bits (copyMeta.ts). */
  chown: ['EPERM'],
  /** No xattrs on the source's filesystem. */
  listXattrs: ['ENOTSUP'],
  /** A namespace this process may not read (trusted.* without CAP_SYS_ADMIN), none there, or an attribute removed since the list. */
  getXattr: ['EPERM', 'ENOTSUP', 'ENODATA'],
  /** A namespace this process or the destination does not allow. */
  setXattr: ['EPERM', 'ENOTSUP'],
  /** The copy's filesystem keeps no inode flags (EINVAL: ntfs-3g), or not the one carried (tmpfs has no sync flag). */
  flags: ['ENOTTY', 'EINVAL', 'ENOTSUP'],
} satisfies Record<string, ErrnoName[]>;

export type CopyStep = keyof typeof COPY_GOES_ON;
