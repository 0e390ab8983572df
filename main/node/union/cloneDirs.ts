/**
 * Creates the missing directories of a path on a branch, each a copy (mode, owner, xattrs, times; no
 * children) of the same directory on the first metadata branch that has it, so the union shows the same
 * directory before and after. Each one appears atomically through copyNode's temp name and rename.
 */
import type { Syscalls } from '../sys/syscalls.ts';
import { BranchFs } from './branchFs.ts';
import type { Branch } from './branchSet.ts';
import { copyNode } from './copyNode.ts';
import { relOf, relParts, requireRealDir } from './copyupPath.ts';
import { errnoException } from '../sys/errno.ts';
import { isDirMode } from './fileType.ts';
import type { WorkDirs } from './workDirs.ts';

export interface CopyupDeps {
  sys: Syscalls;
  /** The union's work directories, where temp entries are built (see workDirs.ts). */
  work?: WorkDirs;
}

/**
 * Existing components must be real directories (ELOOP for a symlink, ENOTDIR otherwise); a component that
 * another caller creates at the same moment is accepted (EEXIST is not an error). Rejects with ENOENT when
 * no metadata branch has a missing component.
 */
export async function cloneDirs(deps: CopyupDeps, metaRoots: Branch[], dst: Branch, relDir: string): Promise<void> {
  const fs = new BranchFs(deps.sys);
  const parts = relParts(relDir);
  for (let i = 1; i <= parts.length; i++) {
    const sub = relOf(parts.slice(0, i));
    const st = await fs.lstatOrNull(dst, sub);
    if (st) {
      requireRealDir(st, dst.real(sub));
      continue;
    }
    const created = await copyNode(deps.sys, await metaDir(fs, metaRoots, sub), sub, dst, relOf(parts.slice(0, i - 1)), parts[i - 1], {
      temp: deps.work?.placer(dst),
    });
    // Lost a race: whatever won must still be a real directory.
    if (!created) requireRealDir(await fs.lstat(dst, sub), dst.real(sub));
  }
}

/** The first branch on which `sub` is a real directory. */
async function metaDir(fs: BranchFs, metaRoots: Branch[], sub: string): Promise<Branch> {
  for (const b of metaRoots) {
    const st = await fs.lstatOrNull(b, sub);
    if (st && isDirMode(st.mode)) return b;
  }
  throw errnoException('ENOENT', 'cloneDirs', sub);
}
