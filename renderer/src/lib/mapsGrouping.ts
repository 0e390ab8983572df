/**
 * The mapped-files snapshot seen two ways (by process, by file), filtered by what the user searches. The
 * grouping is the one `strata maps` prints (common/proc/mapsViews.ts), so a direct access to a shadowed
 * branch copy is its own file in both.
 */
import type { MappedEntry } from '../../../main/common/maps.ts';
import { byFile, byProcess, type FileView, type ProcessView } from '../../../main/common/proc/mapsViews.ts';

export { fileKey, processKey } from '../../../main/common/proc/mapsViews.ts';
export { accessFlags, servingBranch } from '../../../main/common/proc/mapsLabels.ts';

function matches(e: MappedEntry, query: string): boolean {
  if (!query) return true;
  const q = query.toLowerCase();
  return [String(e.pid), e.command, e.user, e.virtualPath, e.realPath ?? '', e.kind].some((field) => field.toLowerCase().includes(q));
}

export function groupByProcess(entries: readonly MappedEntry[], query: string): ProcessView[] {
  return byProcess(entries.filter((e) => matches(e, query)));
}

export function groupByFile(entries: readonly MappedEntry[], query: string): FileView[] {
  return byFile(entries.filter((e) => matches(e, query)));
}

/** "mmap r--s", "fd 3 (rw)", "cwd": how a process holds the file. */
export function describeKind(e: MappedEntry): string {
  if (e.kind === 'mmap') return `mmap ${e.perms ?? ''}`.trim();
  if (e.kind === 'fd') return `fd ${e.fd ?? '?'}${e.access ? ` (${e.access})` : ''}`;
  return e.kind;
}
