/**
 * Copies an entry's metadata onto its freshly made copy: owner, xattrs, mode, then times. The order matters:
 * - chown first: the kernel clears setuid/setgid and security.capability on chown, so both come after it;
 * - xattrs before chmod: setting system.posix_acl_access rewrites the group bits of the mode, and chmod
 *   afterwards makes the mode exactly the source's (which is consistent with the source's ACL);
 * - times last: nothing after them may touch the entry (data is written before any of this).
 */
import type { BigIntStats } from 'node:fs';
import { fsp } from './bytePaths.ts';
import type { FileHandle } from 'node:fs/promises';
import type { Syscalls } from '../sys/syscalls.ts';
import { errnoNumber } from './fsError.ts';

const EPERM = 1;
const ENODATA = 61;
const ENOTSUP = 95; // = EOPNOTSUPP on Linux
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
}

/** A regular file is read through its descriptor, so its metadata comes from the very inode being copied. */
export function fdSource(sys: Syscalls, fd: number): MetaSource {
  return { listXattrs: () => sys.flistxattr(fd), getXattr: (name) => sys.fgetxattr(fd, name) };
}

export function pathSource(sys: Syscalls, path: string): MetaSource {
  return { listXattrs: () => sys.llistxattr(path), getXattr: (name) => sys.lgetxattr(path, name) };
}

export function fdTarget(sys: Syscalls, fh: FileHandle): MetaTarget {
  return {
    chown: (uid, gid) => fh.chown(uid, gid),
    setXattr: (name, value) => sys.fsetxattr(fh.fd, name, value, 0),
    chmod: (mode) => fh.chmod(mode),
    setTimes: (atime, mtime) => sys.futimens(fh.fd, atime, mtime),
  };
}

/** Path calls on copy-up's own temp name, which it just created under a random name; only chmod follows links, and it is not offered for symlinks. */
export function pathTarget(sys: Syscalls, path: string, isSymlink: boolean): MetaTarget {
  return {
    chown: (uid, gid) => fsp.lchown(path, uid, gid),
    setXattr: (name, value) => sys.lsetxattr(path, name, value, 0),
    chmod: isSymlink ? undefined : (mode) => fsp.chmod(path, mode),
    setTimes: (atime, mtime) => sys.utimensat(path, atime, mtime, false),
  };
}

export async function copyMeta(src: MetaSource, st: BigIntStats, dst: MetaTarget): Promise<void> {
  const mode = await copyOwner(st, dst);
  await copyXattrs(src, dst);
  await dst.chmod?.(mode);
  await dst.setTimes(st.atimeNs, st.mtimeNs);
}

/**
 * Returns the mode to apply. A daemon that is not root cannot give files away (EPERM): the copy then stays
 * owned by the daemon's user, as in unionfs-fuse, and loses setuid/setgid, which would otherwise grant the
 * daemon user's identity to whoever runs it.
 */
async function copyOwner(st: BigIntStats, dst: MetaTarget): Promise<number> {
  const mode = Number(st.mode) & 0o7777;
  try {
    await dst.chown(Number(st.uid), Number(st.gid));
    return mode;
  } catch (err) {
    if (errnoNumber(err) !== EPERM) throw err;
    return mode & ~(S_ISUID | S_ISGID);
  }
}

/**
 * Copies every xattr that can be read and written. Skipped quietly: namespaces this process or either
 * filesystem does not allow (EPERM: trusted.* without CAP_SYS_ADMIN, user.* on symlinks; ENOTSUP: no xattr
 * support, or a namespace the destination lacks) and attributes removed between list and get (ENODATA).
 * Anything else (EIO, ENOSPC, ...) fails the copy-up.
 */
async function copyXattrs(src: MetaSource, dst: MetaTarget): Promise<void> {
  for (const name of await quietly(src.listXattrs(), [ENOTSUP]) ?? []) {
    const value = await quietly(src.getXattr(name), [EPERM, ENOTSUP, ENODATA]);
    if (value !== undefined) await quietly(dst.setXattr(name, value), [EPERM, ENOTSUP]);
  }
}

async function quietly<T>(call: Promise<T>, skipped: number[]): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (skipped.includes(errnoNumber(err))) return undefined;
    throw err;
  }
}
