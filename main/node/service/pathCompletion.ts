/**
 * Directory completion for the browser's path field (Electron has a folder dialog instead). Lists only
 * directories, never follows the typed text anywhere but readdir/stat, and hides dot-directories until
 * the user types a dot, like a shell does.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PathCompletion } from '../../common/api.ts';
import { normalizeAbsolute } from '../../common/absolutePath.ts';

const MAX_RESULTS = 50;

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** `/usr/lo` → subdirectories of /usr starting with "lo"; `/usr/` → every subdirectory of /usr. */
export async function completeDirectory(prefix: string): Promise<PathCompletion> {
  const slash = prefix.lastIndexOf('/');
  const dir = normalizeAbsolute(prefix.slice(0, slash + 1));
  const partial = prefix.slice(slash + 1);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return { dir, dirs: [] };
  }
  const candidates = entries
    .filter((e) => e.name.startsWith(partial) && (partial.startsWith('.') || !e.name.startsWith('.')))
    .filter((e) => e.isDirectory() || e.isSymbolicLink())
    .map((e) => ({ path: join(dir, e.name), symlink: e.isSymbolicLink() }))
    .sort((a, b) => a.path.localeCompare(b.path));
  const dirs: string[] = [];
  for (const c of candidates) {
    if (dirs.length === MAX_RESULTS) break;
    if (!c.symlink || (await isDirectory(c.path))) dirs.push(c.path);
  }
  return { dir, dirs };
}
