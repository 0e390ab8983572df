/** Attribute reads and changes. Every change to a file on a read-only branch copies it up first. */
import fs from 'node:fs';
import { promisify } from 'node:util';
import type { FuseStat, FuseTime } from '../../sys/fsValues.ts';
import type { UnionCore } from '../core.ts';
import { fstat } from '../fdCalls.ts';
import { toFuseStat } from '../toFuseStat.ts';
import { isLibfuseHidden } from '../core.ts';
import { changeableHeld } from '../handles.ts';
import { ENOTTY, fail } from '../../sys/errno.ts';

const W_OK = 2;
const { S_IFMT, S_IFDIR } = fs.constants;
const fchmod = promisify(fs.fchmod);
const fchown = promisify(fs.fchown);
const ftruncate = promisify(fs.ftruncate);
/** (uid_t)-1 from the kernel means "leave unchanged"; lchown wants -1. */
const keepId = (id: number) => (id === 0xffffffff ? -1 : id);

export async function getattr(core: UnionCore, rel: string, fh?: number): Promise<FuseStat> {
  const open = core.handles.get(fh) ?? core.unlinkedOpen(rel);
  if (open) {
    const st = await fstat(open.fd);
    const stat = toFuseStat(st, core.ino(st), 0n);
    // Unlinked through the union but whited out, not removed, on its read-only branch: the union's
    // count has one name fewer than the branch file's, as on overlayfs.
    if (isLibfuseHidden(open.rel) && !open.branch.modifiable) stat.nlink = Math.max(0, stat.nlink - 1);
    return stat;
  }
  const node = await core.node(rel);
  const stat = toFuseStat(node.stat, core.ino(node.stat, rel === '/'), 0n);
  if (stat.nlink > 1 && !core.branches[node.top].modifiable && (stat.mode & S_IFMT) !== S_IFDIR) stat.ownInode = true;
  return stat;
}

export async function access(core: UnionCore, rel: string, mode: number): Promise<void> {
  const node = await core.node(rel);
  const branch = core.branches[node.top];
  // Writing a file on a read-only branch is allowed: it will be copied up.
  await core.fs.access(branch, rel, branch.modifiable ? mode : mode & ~W_OK);
}

export async function readlink(core: UnionCore, rel: string): Promise<string> {
  const node = await core.node(rel);
  return core.fs.readlink(core.branches[node.top], rel);
}

export async function chmod(core: UnionCore, rel: string, mode: number, fh?: number): Promise<void> {
  const open = core.handles.get(fh) ?? core.unlinkedOpen(rel);
  if (open?.branch.modifiable) return fchmod(open.fd, mode);
  const { branch } = await core.ensureWritable(rel);
  await core.fs.chmod(branch, rel, mode);
}

/**
 * An inode-flags ioctl (lsattr, chattr) on a file removed while the engine holds it open, by its hidden
 * name: on the held descriptor. Every other file's flags the backend reaches itself (FileFlags in
 * native/fuse/src/attr_ops.cc).
 */
export async function fileFlags(core: UnionCore, rel: string, cmd: number, arg: Buffer, set: boolean): Promise<Buffer> {
  const open = core.unlinkedOpen(rel) ?? fail(ENOTTY);
  return core.sys.flagsIoctl((set ? changeableHeld(open) : open).fd, cmd, arg);
}

export async function chown(core: UnionCore, rel: string, uid: number, gid: number): Promise<void> {
  const open = core.unlinkedOpen(rel);
  if (open?.branch.modifiable) return fchown(open.fd, keepId(uid), keepId(gid));
  const { branch } = await core.ensureWritable(rel);
  await core.fs.lchown(branch, rel, keepId(uid), keepId(gid));
}

export async function truncate(core: UnionCore, rel: string, size: bigint, fh?: number): Promise<void> {
  const open = core.handles.get(fh) ?? core.unlinkedOpen(rel);
  if (open?.branch.modifiable) return ftruncate(open.fd, Number(size));
  const { branch } = await core.ensureWritable(rel, size);
  await core.fs.truncate(branch, rel, size);
}

export async function utimens(core: UnionCore, rel: string, atime: FuseTime, mtime: FuseTime): Promise<void> {
  const open = core.unlinkedOpen(rel);
  if (open?.branch.modifiable) return core.sys.futimens(open.fd, atime, mtime);
  const { branch } = await core.ensureWritable(rel);
  await core.fs.utimens(branch, rel, atime, mtime);
}
