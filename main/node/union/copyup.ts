/**
 * Copy-up: makes an entry of a lower branch exist on a writable branch before the union modifies it,
 * as aufs does (directories without their children; data with its holes; mode, owner, xattrs and
 * nanosecond times kept). See copyNode.ts for atomicity and copyupPath.ts for the no-symlink rule.
 *
 * Hard links: a source with several names is copied as this one name only; its other names stay on the
 * source branch and no longer share data with the copy. aufs' pseudo-links (plink), which keep the names
 * together, are out of scope.
 *
 * Durability: by default each copied file is fsynced before its rename (see `durable`). The parent
 * directory is not fsynced: after a crash the rename may be lost, leaving the source visible, never a
 * partial or empty copy.
 */
import { fsp } from './bytePaths.ts';
import { join } from 'node:path';
import { cloneDirs, type CopyupDeps } from './cloneDirs.ts';
import { copyNode } from './copyNode.ts';
import { assertRealDirs, relParts } from './copyupPath.ts';
import { fsError } from './fsError.ts';
import { lstatOrNull } from './fsx.ts';
import { KeyedLock } from './keyedLock.ts';

export { cloneDirs, type CopyupDeps };

export interface CopyupOptions {
  /** Roots to copy missing parent directories' metadata from, first match wins; the source root is always tried last. */
  metaRoots?: string[];
  /** Copy only the first N bytes of a regular file (copy-up for truncate/O_TRUNC; 0 = metadata only). */
  truncateTo?: bigint;
  /** fsync each copied file before publishing it (default true). */
  durable?: boolean;
}

/** One copy-up per destination entry at a time; the key is the destination's branch root and relative path. */
const inFlight = new KeyedLock();

/**
 * Copies `rel` from branch root `srcRoot` to branch root `dstRoot`, creating missing parents first (see
 * cloneDirs). If the destination already has the entry (including when a concurrent copy-up of it just
 * finished), nothing is done. Rejects with the Node-style error of the failing step (ELOOP for a symlinked
 * ancestor), after removing its temp entry.
 */
export async function copyUp(deps: CopyupDeps, srcRoot: string, dstRoot: string, rel: string, opts: CopyupOptions = {}): Promise<void> {
  await copyUpIfMissing(deps, srcRoot, dstRoot, rel, opts);
}

/**
 * Moves a non-directory to another branch (moveonenospc): copy-up, then unlink the source. The union shows
 * the source until the copy is published and the copy after. Rejects with EISDIR for a directory (its
 * children would be left behind) and EEXIST if the destination already has the name (the source would be
 * lost). If the unlink fails, the copy is removed again, so the file stays on exactly one branch.
 */
export async function moveAcross(deps: CopyupDeps, srcRoot: string, dstRoot: string, rel: string): Promise<void> {
  const parts = relParts(rel);
  const src = join(srcRoot, ...parts);
  const dst = join(dstRoot, ...parts);
  if ((await fsp.lstat(src)).isDirectory()) throw fsError('EISDIR', 'moveAcross', src);
  if (!(await copyUpIfMissing(deps, srcRoot, dstRoot, rel, {}))) throw fsError('EEXIST', 'moveAcross', dst);
  try {
    await fsp.unlink(src);
  } catch (err) {
    await fsp.unlink(dst).catch(() => undefined);
    throw err;
  }
}

/** Returns whether this call created the destination entry. */
function copyUpIfMissing(deps: CopyupDeps, srcRoot: string, dstRoot: string, rel: string, opts: CopyupOptions): Promise<boolean> {
  const parts = relParts(rel);
  const name = parts.pop();
  if (name === undefined) return Promise.resolve(false); // a branch root always exists
  const dstDir = join(dstRoot, ...parts);
  return inFlight.run(join(dstDir, name), async () => {
    await assertRealDirs(srcRoot, parts);
    await cloneDirs(deps, [...(opts.metaRoots ?? []), srcRoot], dstRoot, parts.join('/'));
    if (await lstatOrNull(join(dstDir, name))) return false;
    return copyNode(deps.sys, join(srcRoot, ...parts, name), dstDir, name, { truncateTo: opts.truncateTo, durable: opts.durable ?? true });
  });
}
