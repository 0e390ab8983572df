/**
 * rename and link, following aufs: the operation happens on one branch, the higher of the source's and
 * the target's, and stays on the source's branch when it can. A file on a branch that cannot take the
 * change is copied up first; a directory that would need that (or that merges several branches) gives
 * EXDEV, so `mv` falls back to copying, as with overlayfs without redirect_dir.
 */
import { dirname } from 'node:path';
import { RENAME_EXCHANGE, RENAME_NOREPLACE } from '../../sys/fsValues.ts';
import { type UnionCore, isLibfuseHidden } from '../core.ts';
import { gatherFacts } from '../facts.ts';
import { EEXIST, EINVAL, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, EPERM, EROFS, EXDEV, fail } from '../../sys/errno.ts';
import type { UnionNode } from '../resolver.ts';
import { checkNewName } from './newEntry.ts';
import { mergedNames } from './readdir.ts';
import { unlink } from './remove.ts';

/** Lowest branch index on which a new `rel` is still visible (whiteouts, opaque dirs above). */
async function barrier(core: UnionCore, rel: string): Promise<number> {
  const f = await gatherFacts(core.branches, rel);
  return Math.min(f.whiteoutBranch ?? Infinity, f.opaqueBranch ?? Infinity);
}

/** The branch where the change happens: at most `limit`, the source's own when it can take it, else the nearest creatable one above. */
function chooseBranch(core: UnionCore, src: UnionNode, limit: number, needCreate: boolean): number {
  const ok = (i: number) => (needCreate ? core.branches[i].creatable : core.branches[i].modifiable);
  const start = Math.min(src.top, limit);
  if (start === src.top && ok(start)) return start;
  if (src.isDir) fail(EXDEV);
  for (let i = start; i >= 0; i--) if (core.branches[i].creatable) return i;
  return fail(EROFS);
}

/**
 * libfuse keeps a file unlinked (or renamed over) while open alive by renaming it to `.fuse_hidden…` and
 * unlinking that name at the last release. The union unlinks it at once instead, as overlayfs does: the
 * name leaves listings, its directory can be removed, and no copy-up happens. The handles keep the
 * branch file open and go by the hidden name, which libfuse uses for their attribute requests.
 */
async function hideOpenFile(core: UnionCore, from: string, to: string): Promise<void> {
  await unlink(core, from);
  core.handles.renamed(from, to);
}

export async function rename(core: UnionCore, from: string, to: string, flags: number): Promise<void> {
  checkNewName(to);
  if (from === to) return;
  if (isLibfuseHidden(to) && flags === 0 && core.handles.at(from).length > 0) return hideOpenFile(core, from, to);
  if (to.startsWith(from + '/')) fail(EINVAL);
  const src = await core.node(from);
  const dst = await core.resolver.lookup(to);
  if (dst && flags & RENAME_NOREPLACE) fail(EEXIST);
  await core.refuseFixedNames(dirname(from), true);
  await core.refuseFixedNames(dirname(to), dst !== null);
  for (const gone of dst ? [src, dst] : [src]) await core.refuseFixedEntry(gone);
  if (flags & RENAME_EXCHANGE) return exchange(core, src, dst);
  if (dst) {
    if (src.isDir && !dst.isDir) fail(ENOTDIR);
    if (!src.isDir && dst.isDir) fail(EISDIR);
    if (dst.isDir && (await mergedNames(core, dst)).length > 0) fail(ENOTEMPTY);
  }
  if (src.isDir && src.layers.length > 1) fail(EXDEV);
  const t = chooseBranch(core, src, Math.min(dst?.top ?? Infinity, await barrier(core, to)), false);
  const branch = core.branches[t];
  const moved = src.top === t ? src : (await core.copyUpTo(src, t)).node;
  // The old name must stay gone: hide lower copies before the served one moves away.
  if (moved !== src || (await core.resolver.visibleBelow(from, t))) await core.putWhiteout(from, t);
  await core.ensureParent(to, t);
  if (dst?.isDir && dst.top === t) await core.fs.clearMeta(branch, to);
  await core.fs.rename(branch, from, branch, to);
  if (src.isDir && (await core.resolver.visibleBelow(to, t))) await core.makeOpaque(branch, to);
  await core.removeWhiteout(to, t);
  core.handles.renamed(from, to);
  core.invalidate(from);
  core.invalidate(to);
}

/**
 * renameat2(RENAME_EXCHANGE) when both names live alone on the same modifiable branch; otherwise EXDEV.
 * A directory that lands where a copy below would merge into it is made opaque, as a rename makes it:
 * an opaque directory's place may hide a lower copy the other one would otherwise merge.
 */
async function exchange(core: UnionCore, a: UnionNode, b: UnionNode | null): Promise<void> {
  if (!b) fail(ENOENT);
  const single = (n: UnionNode) => n.layers.length === 1;
  if (a.top !== b.top || !single(a) || !single(b) || !core.branches[a.top].modifiable) fail(EXDEV);
  const branch = core.branches[a.top];
  await core.fs.rename(branch, a.rel, branch, b.rel, RENAME_EXCHANGE);
  for (const [moved, now] of [
    [a, b.rel],
    [b, a.rel],
  ] as const)
    if (moved.isDir && (await core.resolver.visibleBelow(now, a.top))) await core.makeOpaque(branch, now);
  core.handles.exchanged(a.rel, b.rel);
  core.invalidate(a.rel);
  core.invalidate(b.rel);
}

export async function link(core: UnionCore, from: string, to: string): Promise<void> {
  checkNewName(to);
  const src = await core.node(from);
  if (src.isDir) fail(EPERM);
  if (await core.resolver.lookup(to)) fail(EEXIST);
  await core.refuseFixedNames(dirname(to), false);
  const t = chooseBranch(core, src, await barrier(core, to), true);
  if (src.top !== t) await core.copyUpTo(src, t);
  await core.ensureParent(to, t);
  const branch = core.branches[t];
  await core.fs.link(branch, from, branch, to);
  await core.removeWhiteout(to, t);
  core.invalidate(to);
}
