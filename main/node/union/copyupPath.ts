/**
 * Branch-relative paths for copy-up, and the rule that keeps every write inside its branch: no component
 * between a branch root and the entry may be a symlink. Every access is anchored at the branch root and
 * refuses to follow one (branchFs.ts), so a component swapped for a symlink at any moment fails the
 * copy-up; the checks here only turn what was there before into clear errors (ELOOP, ENOTDIR).
 */
import type { BranchStat } from '../sys/statBatch.ts';
import { BatchPaths } from '../sys/statBatch.ts';
import type { BranchFs } from './branchFs.ts';
import type { Branch } from './branchSet.ts';
import { errnoException } from '../sys/errno.ts';

const S_IFMT = 0o170000n;
const S_IFLNK = 0o120000n;
const S_IFDIR = 0o040000n;

/** `'/a/b'` or `'a/b'` → `['a', 'b']`; the root is `[]`. `.` and `..` could climb out of the branch: EINVAL. */
export function relParts(rel: string): string[] {
  const parts = rel.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '.' || p === '..')) throw errnoException('EINVAL', 'copyup', rel);
  return parts;
}

/** `['a', 'b']` → `'/a/b'`; `[]` → `'/'`. */
export const relOf = (parts: string[]): string => '/' + parts.join('/');

/** Throws ELOOP for a symlink, ENOTDIR for any other non-directory. */
export function requireRealDir(st: BranchStat, path: string): void {
  if ((st.mode & S_IFMT) === S_IFLNK) throw errnoException('ELOOP', 'copyup', path);
  if ((st.mode & S_IFMT) !== S_IFDIR) throw errnoException('ENOTDIR', 'copyup', path);
}

/** Every ancestor `parts[0..i]` on `b` exists and is a real directory (one pool job); rejects with ENOENT or ELOOP/ENOTDIR. */
export async function assertRealDirs(fs: BranchFs, b: Branch, parts: string[]): Promise<void> {
  const paths = new BatchPaths();
  let parent = -1;
  for (let i = 1; i <= parts.length; i++) parent = paths.add(b.fd, relOf(parts.slice(0, i)), parent);
  const batch = await paths.ask(fs.sys);
  for (let i = 1; i <= parts.length; i++) {
    const st = batch.stat(i - 1);
    const path = b.real(relOf(parts.slice(0, i)));
    if (!st) throw errnoException('ENOENT', 'copyup', path);
    requireRealDir(st, path);
  }
}
