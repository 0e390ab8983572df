/**
 * Branch-relative paths for copy-up, and the rule that keeps every write inside its branch: no component
 * between a branch root and the entry may be a symlink (the kernel would follow it, possibly out of the
 * branch). Checks use lstat, so a symlink is seen as itself.
 *
 * Residual race (documented, not closed): a component swapped for a symlink between this check and the
 * write would still be followed. Closing it needs openat2(RESOLVE_BENEATH) on every step; the branches are
 * meant to be changed only through the union, which never creates such a swap.
 */
import type { BigIntStats } from 'node:fs';
import { fsp } from './bytePaths.ts';
import { join } from 'node:path';
import { fsError } from './fsError.ts';

/** `'/a/b'` or `'a/b'` → `['a', 'b']`; the root is `[]`. `.` and `..` could climb out of the branch: EINVAL. */
export function relParts(rel: string): string[] {
  const parts = rel.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '.' || p === '..')) throw fsError('EINVAL', 'copyup', rel);
  return parts;
}

/** Throws ELOOP for a symlink, ENOTDIR for any other non-directory. */
export function requireRealDir(st: BigIntStats, path: string): void {
  if (st.isSymbolicLink()) throw fsError('ELOOP', 'copyup', path);
  if (!st.isDirectory()) throw fsError('ENOTDIR', 'copyup', path);
}

/** Every ancestor `root/parts[0..i]` exists and is a real directory; rejects with lstat's error or ELOOP/ENOTDIR. */
export async function assertRealDirs(root: string, parts: string[]): Promise<void> {
  for (let i = 1; i <= parts.length; i++) {
    const path = join(root, ...parts.slice(0, i));
    requireRealDir(await fsp.lstat(path, { bigint: true }), path);
  }
}
