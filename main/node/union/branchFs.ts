/**
 * The only way the engine touches a branch. Every call names a Branch and a union path; native/sys
 * resolves the path beneath the branch root's descriptor without following any symlink (see
 * sys/syscalls.ts), so a branch directory swapped for a symlink mid-operation makes the call fail
 * instead of reaching outside the branch. Calls on an already open descriptor use node:fs.
 */
import { isReservedName } from '../../common/whiteout.ts';
import type { FuseTime } from '../sys/fsValues.ts';
import { BatchPaths, type BranchStat, decodeStat } from '../sys/statBatch.ts';
import type { Statvfs, Syscalls } from '../sys/syscalls.ts';
import type { Branch } from './branchSet.ts';
import { errnoException, hasErrno } from '../sys/errno.ts';
import { isDirMode } from './fileType.ts';

export class BranchFs {
  constructor(readonly sys: Syscalls) {}

  /** lstat; null when missing (ENOENT/ENOTDIR); any other failure throws. */
  async lstatOrNull(b: Branch, rel: string): Promise<BranchStat | null> {
    const paths = new BatchPaths();
    paths.add(b.fd, rel);
    return (await paths.ask(this.sys)).stat(0);
  }

  async lstat(b: Branch, rel: string): Promise<BranchStat> {
    return (await this.lstatOrNull(b, rel)) ?? Promise.reject(errnoException('ENOENT', 'lstat', b.real(rel)));
  }

  /** open(2) (never through a symlink), for a descriptor node:fs then reads and writes. */
  async open(b: Branch, rel: string, flags: number, mode = 0, umask = 0): Promise<number> {
    return (await this.sys.openStat(b.fd, rel, flags, mode, -1, -1, umask)).fd;
  }

  /** open + fchown (when `owner` is given) + fstat in one pool job: a create's descriptor and the stat the kernel is answered with. */
  async openStat(
    b: Branch,
    rel: string,
    flags: number,
    mode: number,
    owner?: { uid: number; gid: number },
    umask = 0,
  ): Promise<{ fd: number; stat: BranchStat }> {
    const { fd, stat } = await this.sys.openStat(b.fd, rel, flags, mode, owner?.uid ?? -1, owner?.gid ?? -1, umask);
    return { fd, stat: decodeStat(stat) };
  }

  /** See Syscalls.inodeFlags. */
  inodeFlags(b: Branch, rel: string): Promise<number> {
    return this.sys.inodeFlags(b.fd, rel);
  }

  /** An unnamed file in directory `dir`, for linkFd to name once complete (see Syscalls.openTmpfile). */
  openTmpfile(b: Branch, dir: string, mode: number): Promise<number> {
    return this.sys.openTmpfile(b.fd, dir, mode);
  }

  linkFd(fd: number, b: Branch, rel: string): Promise<void> {
    return this.sys.linkFd(fd, b.fd, rel);
  }

  mkdir(b: Branch, rel: string, mode: number, umask = 0): Promise<void> {
    return this.sys.mkdir(b.fd, rel, mode, umask);
  }

  unlink(b: Branch, rel: string): Promise<void> {
    return this.sys.unlink(b.fd, rel);
  }

  rmdir(b: Branch, rel: string): Promise<void> {
    return this.sys.rmdir(b.fd, rel);
  }

  /** rename(2), or renameat2 with flags; the two branches share a filesystem or it fails with EXDEV. */
  rename(from: Branch, fromRel: string, to: Branch, toRel: string, flags = 0): Promise<void> {
    return this.sys.rename(from.fd, fromRel, to.fd, toRel, flags);
  }

  link(from: Branch, fromRel: string, to: Branch, toRel: string): Promise<void> {
    return this.sys.link(from.fd, fromRel, to.fd, toRel);
  }

  symlink(target: string, b: Branch, rel: string): Promise<void> {
    return this.sys.symlink(target, b.fd, rel);
  }

  readlink(b: Branch, rel: string): Promise<string> {
    return this.sys.readlink(b.fd, rel);
  }

  readdir(b: Branch, rel: string): Promise<string[]> {
    return this.sys.readdir(b.fd, rel);
  }

  mknod(b: Branch, rel: string, mode: number, dev: bigint, umask = 0): Promise<void> {
    return this.sys.mknod(b.fd, rel, mode, dev, umask);
  }

  lchown(b: Branch, rel: string, uid: number, gid: number): Promise<void> {
    return this.sys.lchown(b.fd, rel, uid, gid);
  }

  chmod(b: Branch, rel: string, mode: number): Promise<void> {
    return this.sys.chmod(b.fd, rel, mode);
  }

  truncate(b: Branch, rel: string, size: bigint): Promise<void> {
    return this.sys.truncate(b.fd, rel, size);
  }

  utimens(b: Branch, rel: string, atime: FuseTime, mtime: FuseTime): Promise<void> {
    return this.sys.utimens(b.fd, rel, atime, mtime);
  }

  access(b: Branch, rel: string, mode: number): Promise<void> {
    return this.sys.access(b.fd, rel, mode);
  }

  getxattr(b: Branch, rel: string, name: string): Promise<Buffer> {
    return this.sys.getxattr(b.fd, rel, name);
  }

  setxattr(b: Branch, rel: string, name: string, value: Buffer, flags: number): Promise<void> {
    return this.sys.setxattr(b.fd, rel, name, value, flags);
  }

  listxattr(b: Branch, rel: string): Promise<string[]> {
    return this.sys.listxattr(b.fd, rel);
  }

  removexattr(b: Branch, rel: string, name: string): Promise<void> {
    return this.sys.removexattr(b.fd, rel, name);
  }

  statvfs(b: Branch): Promise<Statvfs> {
    return this.sys.statvfs(b.fd);
  }

  /** rm -rf: an entry and, for a directory, everything in it; nothing there is not an error. */
  async removeTree(b: Branch, rel: string): Promise<void> {
    const st = await this.lstatOrNull(b, rel);
    if (!st) return;
    if (!isDirMode(st.mode)) return this.unlink(b, rel).catch(ignoreMissing);
    for (const name of await this.readdir(b, rel).catch(() => [] as string[])) await this.removeTree(b, joinRel(rel, name));
    await this.rmdir(b, rel).catch(ignoreMissing);
  }

  /** Removes the union metadata (whiteouts, opaque marker, copy-up leftovers) a directory holds. */
  async clearMeta(b: Branch, dir: string): Promise<void> {
    for (const name of await this.readdir(b, dir).catch(() => [] as string[])) {
      if (isReservedName(name)) await this.removeTree(b, joinRel(dir, name));
    }
  }
}

/** '/a' + 'b' → '/a/b'; '/' + 'b' → '/b'. */
export function joinRel(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function ignoreMissing(err: unknown): void {
  if (!hasErrno(err, 'ENOENT')) throw err;
}
