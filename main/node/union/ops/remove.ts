/**
 * unlink and rmdir, aufs-style: remove the served copy where its branch allows it, and leave a
 * whiteout when a lower copy would otherwise show through. The whiteout goes in before the copy
 * goes away, so the lower copy never appears in between.
 */
import { byteLength } from '../bytePaths.ts';
import { basename, dirname } from 'node:path';
import { isReservedName } from '../../../common/whiteout.ts';
import { type UnionCore, isLibfuseHidden } from '../core.ts';
import { EISDIR, ENOTDIR, ENOTEMPTY, fail } from '../../sys/errno.ts';
import { NAME_MAX } from '../../sys/fsValues.ts';
import { mergedNames } from './readdir.ts';

async function removeServed(core: UnionCore, rel: string, dir: boolean): Promise<void> {
  // The lookup also answers whether a lower copy would show through: one pool job for both.
  const { node, visibleBelow } = await core.nodeWithBelow(rel);
  await core.refuseFixedNames(dirname(rel), true);
  await core.refuseFixedEntry(node);
  if (dir && !node.isDir) fail(ENOTDIR);
  if (!dir && node.isDir) fail(EISDIR);
  if (dir && (await mergedNames(core, node)).length > 0) fail(ENOTEMPTY);
  const top = core.branches[node.top];
  if (!top.modifiable || (await visibleBelow())) {
    await core.putWhiteout(rel, await core.whiteoutBranch(rel, node.top));
  }
  if (top.modifiable) {
    if (dir) {
      // Only union metadata (whiteouts, the opaque marker) can be left in a dir the union sees as empty.
      await core.fs.clearMeta(top, rel);
      await core.fs.rmdir(top, rel);
    } else {
      await core.fs.unlink(top, rel);
    }
  }
  core.invalidate(rel);
}

export async function unlink(core: UnionCore, rel: string): Promise<void> {
  // libfuse unlinks a hidden open file at its last release; the union already did (ops/rename.ts).
  if (isLibfuseHidden(rel)) {
    if (!(await core.resolver.lookup(rel))) return;
  } else if (await unlinkInSoleLayer(core, rel)) return;
  return removeServed(core, rel, false);
}

/**
 * In a directory that only one modifiable branch has, the union's answer is unlink(2)'s own (ENOENT,
 * EISDIR included), with no lookup first: one pool job. Union metadata names keep the full path.
 */
async function unlinkInSoleLayer(core: UnionCore, rel: string): Promise<boolean> {
  const only = core.resolver.soleLayer(dirname(rel));
  const name = basename(rel);
  if (only === undefined || !core.branches[only].modifiable || isReservedName(name) || byteLength(name) > NAME_MAX) return false;
  try {
    await core.fs.unlink(core.branches[only], rel);
  } finally {
    core.invalidate(rel);
  }
  return true;
}
export const rmdir = (core: UnionCore, rel: string) => removeServed(core, rel, true);
