/** The mapped-files snapshot seen two ways (by process, by file), filtered by what the user searches. */
import type { MappedEntry } from '../../../main/common/maps.ts';

export interface ProcessGroup {
  pid: number;
  command: string;
  user: string;
  entries: MappedEntry[];
}

export interface FileGroup {
  virtualPath: string;
  branch: number | null;
  realPath: string | null;
  entries: MappedEntry[];
}

function matches(e: MappedEntry, query: string): boolean {
  if (!query) return true;
  const q = query.toLowerCase();
  return [String(e.pid), e.command, e.user, e.virtualPath, e.realPath ?? '', e.kind].some((field) => field.toLowerCase().includes(q));
}

/** Entries matching `query`, grouped under `key`, each group started by `head` from its first entry. */
function groupBy<K, G extends { entries: MappedEntry[] }>(entries: readonly MappedEntry[], query: string, key: (e: MappedEntry) => K, head: (e: MappedEntry) => G): G[] {
  const groups = new Map<K, G>();
  for (const e of entries.filter((x) => matches(x, query))) {
    const g = groups.get(key(e)) ?? head(e);
    g.entries.push(e);
    groups.set(key(e), g);
  }
  return [...groups.values()];
}

export function groupByProcess(entries: readonly MappedEntry[], query: string): ProcessGroup[] {
  return groupBy(entries, query, (e) => e.pid, (e): ProcessGroup => ({ pid: e.pid, command: e.command, user: e.user, entries: [] }))
    .sort((a, b) => a.pid - b.pid);
}

export function groupByFile(entries: readonly MappedEntry[], query: string): FileGroup[] {
  return groupBy(entries, query, (e) => e.virtualPath, (e): FileGroup => ({ virtualPath: e.virtualPath, branch: e.branch, realPath: e.realPath, entries: [] }))
    .sort((a, b) => a.virtualPath.localeCompare(b.virtualPath));
}

/** "mmap r--s", "fd 3 (rw)", "cwd": how a process holds the file. */
export function describeKind(e: MappedEntry): string {
  if (e.kind === 'mmap') return `mmap ${e.perms ?? ''}`.trim();
  if (e.kind === 'fd') return `fd ${e.fd ?? '?'}${e.access ? ` (${e.access})` : ''}`;
  return e.kind;
}
