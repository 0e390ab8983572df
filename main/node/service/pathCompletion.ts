/**
 * Directory completion for the browser's path field (Electron has a folder dialog instead). Lists only
 * directories, never follows the typed text anywhere but readdir/stat, and hides dot-directories until
 * the user types a dot, like a shell does.
 */
import { join } from 'node:path';
import type { PathCompletion } from '../../common/api.ts';
import { normalizeAbsolute } from '../../common/absolutePath.ts';
import { safeReaddir } from '../mounts/deadlineFs.ts';

const MAX_RESULTS = 50;

/** `/usr/lo` → subdirectories of /usr starting with "lo"; `/usr/` → every subdirectory of /usr. */
export async function completeDirectory(prefix: string): Promise<PathCompletion> {
  const slash = prefix.lastIndexOf('/');
  const dir = normalizeAbsolute(prefix.slice(0, slash + 1));
  const partial = prefix.slice(slash + 1);
  let entries;
  try {
    // Under a union that does not answer, nothing is offered (after a deadline) rather than a hang.
    entries = await safeReaddir(dir);
  } catch {
    return { dir, dirs: [] };
  }
  const candidates = entries
    .filter((e) => e.name.startsWith(partial) && (partial.startsWith('.') || !e.name.startsWith('.')))
    .filter((e) => e.isDirectory)
    .map((e) => join(dir, e.name))
    .sort((a, b) => a.localeCompare(b));
  return { dir, dirs: candidates.slice(0, MAX_RESULTS) };
}
