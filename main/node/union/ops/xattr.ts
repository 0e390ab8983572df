/**
 * xattrs pass through to the served copy (copied up before a change). Two read-only attributes answer
 * for every path, like mergerfs' user.mergerfs.*: `user.strata.branch` (root of the serving branch)
 * and `user.strata.allpaths` (every copy and whiteout, NUL-separated). They are not listed, so tools
 * that copy xattrs (cp -a, rsync -X) do not carry them out of the union. A file removed while the
 * engine holds it open is reached through that descriptor (UnionCore.unlinkedOpen), as on a local
 * filesystem (changed only where its branch is written in place).
 */
import type { UnionCore } from '../core.ts';
import { changeableHeld } from '../handles.ts';
import { ENODATA, EPERM, fail } from '../../sys/errno.ts';
import { whereIs } from './where.ts';

const STRATA_PREFIX = 'user.strata.';

export async function getxattr(core: UnionCore, rel: string, name: string): Promise<Buffer> {
  if (name === 'user.strata.branch') {
    const node = await core.node(rel);
    return Buffer.from(core.branches[node.top].root);
  }
  if (name === 'user.strata.allpaths') {
    const w = await whereIs(core, '', rel);
    return Buffer.from([...w.copies.map((c) => c.realPath), ...w.whiteouts.map((x) => x.realPath)].join('\0'));
  }
  if (name.startsWith(STRATA_PREFIX)) fail(ENODATA);
  const held = core.unlinkedOpen(rel);
  if (held) return core.sys.fgetxattr(held.fd, name);
  const node = await core.node(rel);
  return core.fs.getxattr(core.branches[node.top], rel, name);
}

/** Strata's own names a branch copy holds (a directory's mark, native/common/inode_flags.h) are left out. */
export async function listxattr(core: UnionCore, rel: string): Promise<string[]> {
  const held = core.unlinkedOpen(rel);
  const names = held ? await core.sys.flistxattr(held.fd) : await core.fs.listxattr(core.branches[(await core.node(rel)).top], rel);
  return names.filter((name) => !name.startsWith(STRATA_PREFIX));
}

export async function setxattr(core: UnionCore, rel: string, name: string, value: Buffer, flags: number): Promise<void> {
  if (name.startsWith(STRATA_PREFIX)) fail(EPERM, `${STRATA_PREFIX}* attributes are read-only`);
  const held = core.unlinkedOpen(rel);
  if (held) return core.sys.fsetxattr(changeableHeld(held).fd, name, value, flags);
  const { branch } = await core.ensureWritable(rel);
  await core.fs.setxattr(branch, rel, name, value, flags);
}

export async function removexattr(core: UnionCore, rel: string, name: string): Promise<void> {
  if (name.startsWith(STRATA_PREFIX)) fail(EPERM, `${STRATA_PREFIX}* attributes are read-only`);
  const held = core.unlinkedOpen(rel);
  if (held) return core.sys.fremovexattr(changeableHeld(held).fd, name);
  // As overlayfs: removing what a copy to be copied up lacks is ENODATA, with nothing copied up, once
  // its flags let it change at all.
  const node = await core.node(rel);
  const served = core.branches[node.top];
  if (!served.modifiable) {
    await core.refuseFixedEntry(node);
    await core.fs.getxattr(served, rel, name);
  }
  const { branch } = await core.ensureWritable(rel);
  await core.fs.removexattr(branch, rel, name);
}
