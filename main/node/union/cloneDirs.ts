/**
 * Creates the missing directories of a path on a branch, each a copy (mode, owner, xattrs, times; no
 * children) of the same directory on the first metadata root that has it, so the union shows the same
 * directory before and after. Each one appears atomically through copyNode's temp name and rename.
 */
import { fsp } from './bytePaths.ts';
import { dirname, join } from 'node:path';
import type { Syscalls } from '../sys/syscalls.ts';
import { copyNode } from './copyNode.ts';
import { relParts, requireRealDir } from './copyupPath.ts';
import { fsError } from './fsError.ts';
import { lstatOrNull } from './fsx.ts';

export interface CopyupDeps {
  sys: Syscalls;
}

/**
 * Existing components must be real directories (ELOOP for a symlink, ENOTDIR otherwise); a component that
 * another caller creates at the same moment is accepted (EEXIST is not an error). Rejects with ENOENT when
 * no metadata root has a missing component.
 */
export async function cloneDirs(deps: CopyupDeps, metaRoots: string[], dstRoot: string, relDir: string): Promise<void> {
  const parts = relParts(relDir);
  for (let i = 1; i <= parts.length; i++) {
    const sub = parts.slice(0, i);
    const path = join(dstRoot, ...sub);
    const st = await lstatOrNull(path);
    if (st) {
      requireRealDir(st, path);
      continue;
    }
    const created = await copyNode(deps.sys, await metaDir(metaRoots, sub), dirname(path), sub[i - 1], {});
    // Lost a race: whatever won must still be a real directory.
    if (!created) requireRealDir(await fsp.lstat(path, { bigint: true }), path);
  }
}

/** The first `<root>/<sub>` that is a real directory. */
async function metaDir(metaRoots: string[], sub: string[]): Promise<string> {
  for (const root of metaRoots) {
    const path = join(root, ...sub);
    if ((await lstatOrNull(path))?.isDirectory()) return path;
  }
  throw fsError('ENOENT', 'cloneDirs', sub.join('/'));
}
