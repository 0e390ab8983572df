/**
 * unlink and rmdir, aufs-style: remove the served copy where its branch allows it, and leave a
 * whiteout when a lower copy would otherwise show through. The whiteout goes in before the copy
 * goes away, so the lower copy never appears in between.
 */
import fs from 'node:fs/promises';
import { join } from 'node:path';
import { isReservedName } from '../../../common/whiteout.ts';
import { type UnionCore, isLibfuseHidden } from '../core.ts';
import { EISDIR, ENOTDIR, ENOTEMPTY, fail } from '../fsx.ts';
import { mergedNames } from './readdir.ts';

async function removeServed(core: UnionCore, rel: string, dir: boolean): Promise<void> {
  const node = await core.node(rel);
  if (dir && !node.isDir) fail(ENOTDIR);
  if (!dir && node.isDir) fail(EISDIR);
  if (dir && (await mergedNames(core, node)).length > 0) fail(ENOTEMPTY);
  const top = core.branches[node.top];
  if (!top.modifiable || (await core.resolver.visibleBelow(rel, node.top))) {
    await core.putWhiteout(rel, await core.whiteoutBranch(rel, node.top));
  }
  if (top.modifiable) {
    if (dir) {
      const real = top.real(rel);
      // Only union metadata (whiteouts, the opaque marker) can be left in a dir the union sees as empty.
      for (const name of await fs.readdir(real)) if (isReservedName(name)) await fs.rm(join(real, name), { recursive: true, force: true });
      await fs.rmdir(real);
    } else {
      await fs.unlink(top.real(rel));
    }
  }
  core.invalidate(rel);
}

export async function unlink(core: UnionCore, rel: string): Promise<void> {
  // libfuse unlinks a hidden open file at its last release; the union already did (ops/rename.ts).
  if (isLibfuseHidden(rel) && !(await core.resolver.lookup(rel))) return;
  return removeServed(core, rel, false);
}
export const rmdir = (core: UnionCore, rel: string) => removeServed(core, rel, true);
