/**
 * Copies an entry's metadata onto its freshly made copy: owner, xattrs, mode, then times. The order matters:
 * - chown first: the kernel clears setuid/setgid and security.capability on chown, so both come after it;
 * - xattrs before chmod: setting system.posix_acl_access rewrites the group bits of the mode, and chmod
 *   afterwards makes the mode exactly the source's (which is consistent with the source's ACL);
 * - the inode flags a copy takes (sync, noatime: Syscalls.copiedFlags; a directory's unchangeable ones
 *   in its mark) once the rest is set, so a sync flag makes no step before it a synchronous write;
 * - times last: nothing after them may touch the entry (data is written before any of this).
 */
import { constants } from 'node:fs';
import type { BranchStat } from '../sys/statBatch.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import type { BranchFs } from './branchFs.ts';
import type { Branch } from './branchSet.ts';
import { type ErrnoName, hasErrno } from '../sys/errno.ts';
import { COPY_GOES_ON } from './copyRules.ts';
import { closeFd, fchmodFd, fchownFd } from './fdCalls.ts';

const { O_RDONLY, O_DIRECTORY } = constants;
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

export interface MetaSource {
  listXattrs(): Promise<string[]>;
  getXattr(name: string): Promise<Buffer>;
}

export interface MetaTarget {
  chown(uid: number, gid: number): Promise<void>;
  setXattr(name: string, value: Buffer): Promise<void>;
  /** Absent for symlinks: Linux has no lchmod, and a symlink's mode is always 0777. */
  chmod?(mode: number): Promise<void>;
  setTimes(atimeNs: bigint, mtimeNs: bigint): Promise<void>;
  /** Absent for symlinks and special files, whose inode flags no union copies (overlayfs neither). */
  carryFlags?(flags: number): Promise<void>;
}

/** A regular file is read through its descriptor, so its metadata comes from the very inode being copied. */
export function fdSource(sys: Syscalls, fd: number): MetaSource {
  return { listXattrs: () => sys.flistxattr(fd), getXattr: (name) => sys.fgetxattr(fd, name) };
}

/** Anything else (a directory, a symlink, a special file) by its name, never following a symlink. */
export function pathSource(fs: BranchFs, b: Branch, rel: string): MetaSource {
  return { listXattrs: () => fs.listxattr(b, rel), getXattr: (name) => fs.getxattr(b, rel, name) };
}

export function fdTarget(sys: Syscalls, fd: number): MetaTarget {
  return {
    chown: (uid, gid) => fchownFd(fd, uid, gid),
    setXattr: (name, value) => sys.fsetxattr(fd, name, value, 0),
    chmod: (mode) => fchmodFd(fd, mode),
    setTimes: (atime, mtime) => sys.futimens(fd, atime, mtime),
    carryFlags: async (flags) => {
      if (flags & sys.copiedFlags) await sys.carryFlags(flags, fd);
    },
  };
}

/** Copy-up's own temp name, which it just created under a random name. */
export function pathTarget(fs: BranchFs, b: Branch, rel: string, type: 'dir' | 'symlink' | 'special'): MetaTarget {
  return {
    chown: (uid, gid) => fs.lchown(b, rel, uid, gid),
    setXattr: (name, value) => fs.setxattr(b, rel, name, value, 0),
    chmod: type === 'symlink' ? undefined : (mode) => fs.chmod(b, rel, mode),
    setTimes: (atime, mtime) => fs.utimens(b, rel, atime, mtime),
    carryFlags: type === 'dir' ? (flags) => carryDirFlags(fs, b, rel, flags) : undefined,
  };
}

/** The flags are set through a descriptor; the directory is opened only when it takes any, or a mark. */
async function carryDirFlags(fs: BranchFs, b: Branch, rel: string, flags: number): Promise<void> {
  if (!(flags & (fs.sys.copiedFlags | fs.sys.unchangeableFlags))) return;
  const fd = await fs.open(b, rel, O_RDONLY | O_DIRECTORY);
  try {
    await fs.sys.carryFlags(flags, fd);
  } finally {
    await closeFd(fd);
  }
}

/** The fields of an lstat (or fstat) that copyMeta applies. */
type MetaStat = Pick<BranchStat, 'mode' | 'uid' | 'gid' | 'atimeNs' | 'mtimeNs'>;

/** `flags`: the source's inode flags (lsattr's), of which the copy takes some. */
export async function copyMeta(src: MetaSource, st: MetaStat, dst: MetaTarget, flags = 0): Promise<void> {
  const mode = await copyOwner(st, dst);
  await copyXattrs(src, dst);
  await dst.chmod?.(mode);
  if (dst.carryFlags) await quietly(dst.carryFlags(flags), COPY_GOES_ON.flags);
  await dst.setTimes(st.atimeNs, st.mtimeNs);
}

/**
 * Returns the mode to apply. A daemon that is not root cannot give files away (EPERM): the copy then stays
 * owned by the daemon's user, as in unionfs-fuse, and loses setuid/setgid, which would otherwise grant the
 * daemon user's identity to whoever runs it.
 */
async function copyOwner(st: MetaStat, dst: MetaTarget): Promise<number> {
  const mode = Number(st.mode) & 0o7777;
  try {
    await dst.chown(Number(st.uid), Number(st.gid));
    return mode;
  } catch (err) {
    if (!hasErrno(err, ...COPY_GOES_ON.chown)) throw err;
    return mode & ~(S_ISUID | S_ISGID);
  }
}

/**
 * Copies every xattr that can be read and written. Skipped quietly (copyRules.ts): namespaces this process
 * or either filesystem does not allow (EPERM: trusted.* without CAP_SYS_ADMIN, user.* on symlinks;
 * ENOTSUP: no xattr support, or a namespace the destination lacks) and attributes removed between list
 * and get (ENODATA). Anything else (EIO, ENOSPC, ...) fails the copy-up.
 */
async function copyXattrs(src: MetaSource, dst: MetaTarget): Promise<void> {
  for (const name of (await quietly(src.listXattrs(), COPY_GOES_ON.listXattrs)) ?? []) {
    const value = await quietly(src.getXattr(name), COPY_GOES_ON.getXattr);
    if (value !== undefined) await quietly(dst.setXattr(name, value), COPY_GOES_ON.setXattr);
  }
}

async function quietly<T>(call: Promise<T>, skipped: ErrnoName[]): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (hasErrno(err, ...skipped)) return undefined;
    throw err;
  }
}
