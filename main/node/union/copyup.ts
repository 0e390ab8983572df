/**
 * Copy-up: makes an entry of a lower branch exist on a writable branch before the union modifies it,
 * as aufs does (directories without their children; data with its holes; mode, owner, xattrs and
 * nanosecond times kept). See copyNode.ts for atomicity and copyupPath.ts for the no-symlink rule.
 *
 * Hard links: a source with several names is copied as this one name only; its other names stay on the
 * source branch and no longer share data with the copy (overlayfs without index=on does the same; the
 * union gives the copy an inode number of its own, see UnionCore.copyUpTo). aufs' pseudo-links (plink),
 * which keep the names together, are out of scope.
 *
 * Durability: by default each copied file whose data is copied is fsynced before its rename (see
 * `durable`). The parent directory is not fsynced: after a crash the rename may be lost, leaving the
 * source visible, never a partial or empty copy.
 */
import { BranchFs } from './branchFs.ts';
import type { Branch } from './branchSet.ts';
import { cloneDirs, type CopyupDeps } from './cloneDirs.ts';
import { copyNode } from './copyNode.ts';
import { assertRealDirs, relOf, relParts } from './copyupPath.ts';
import { errnoException } from '../sys/errno.ts';
import { isDirMode } from './fileType.ts';
import { KeyedLock } from './keyedLock.ts';

export { cloneDirs, type CopyupDeps };

export interface CopyupOptions {
  /** Branches to copy missing parent directories' metadata from, first match wins; the source is always tried last. */
  metaRoots?: Branch[];
  /** Copy only the first N bytes of a regular file (copy-up for truncate/O_TRUNC; 0 = metadata only). */
  truncateTo?: bigint;
  /** fsync each copied file before publishing it (default true). */
  durable?: boolean;
  /** The source's inode flags, where the caller has read them (Syscalls.inodeFlags). */
  flags?: number;
}

/** One copy-up per destination entry at a time; the key is the destination's root descriptor and relative path. */
const inFlight = new KeyedLock();

/**
 * Copies `rel` from branch `src` to branch `dst`, creating missing parents first (see cloneDirs). If the
 * destination already has the entry (including when a concurrent copy-up of it just finished), nothing
 * is done. Rejects with the Node-style error of the failing step (ELOOP for a symlinked ancestor), after
 * removing its temp entry.
 */
export async function copyUp(deps: CopyupDeps, src: Branch, dst: Branch, rel: string, opts: CopyupOptions = {}): Promise<void> {
  await copyUpIfMissing(deps, src, dst, rel, opts);
}

/**
 * Moves a non-directory to another branch (moveonenospc): copy-up, then `published` (which moves the open
 * handles over), then unlink the source. The union shows the source until the copy is published and the
 * copy after. Rejects with EISDIR for a directory (its children would be left behind) and EEXIST if the
 * destination already has the name (the source would be lost). If `published` or the unlink fails, the
 * copy is removed again, so the file stays on exactly one branch.
 */
export async function moveAcross(deps: CopyupDeps, src: Branch, dst: Branch, rel: string, published = async (): Promise<void> => undefined): Promise<void> {
  const fs = new BranchFs(deps.sys);
  const path = relOf(relParts(rel));
  if (isDirMode((await fs.lstat(src, path)).mode)) throw errnoException('EISDIR', 'moveAcross', src.real(path));
  if (!(await copyUpIfMissing(deps, src, dst, rel, {}))) throw errnoException('EEXIST', 'moveAcross', dst.real(path));
  try {
    await published();
    await fs.unlink(src, path);
  } catch (err) {
    await fs.unlink(dst, path).catch(() => undefined);
    throw err;
  }
}

/** Returns whether this call created the destination entry. */
function copyUpIfMissing(deps: CopyupDeps, src: Branch, dst: Branch, rel: string, opts: CopyupOptions): Promise<boolean> {
  const fs = new BranchFs(deps.sys);
  const parts = relParts(rel);
  const name = parts.pop();
  if (name === undefined) return Promise.resolve(false); // a branch root always exists
  const dir = relOf(parts);
  const path = relOf([...parts, name]);
  return inFlight.run(`${dst.fd}\0${path}`, async () => {
    await assertRealDirs(fs, src, parts);
    await cloneDirs(deps, [...(opts.metaRoots ?? []), src], dst, dir);
    if (await fs.lstatOrNull(dst, path)) return false;
    // Immutable or append-only: the branch's filesystem refuses every change a copy-up is made for to
    // such a file (appends aside), which a copy would take, so none is made (native/common/inode_flags.h).
    const flags = opts.flags ?? (await fs.inodeFlags(src, path));
    if (flags & deps.sys.unchangeableFlags) throw errnoException('EPERM', 'copyup', src.real(path));
    const work = deps.work;
    return copyNode(deps.sys, src, path, dst, dir, name, {
      flags,
      truncateTo: opts.truncateTo,
      durable: opts.durable ?? true,
      temp: work?.placer(dst),
      unnamedIn: work && ((remake) => work.unnamedDir(dst, remake)),
    });
  });
}
