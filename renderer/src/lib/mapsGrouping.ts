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

export function groupByProcess(entries: readonly MappedEntry[], query: string): ProcessGroup[] {
  const groups = new Map<number, ProcessGroup>();
  for (const e of entries.filter((x) => matches(x, query))) {
    const g = groups.get(e.pid) ?? { pid: e.pid, command: e.command, user: e.user, entries: [] };
    g.entries.push(e);
    groups.set(e.pid, g);
  }
  return [...groups.values()].sort((a, b) => a.pid - b.pid);
}

export function groupByFile(entries: readonly MappedEntry[], query: string): FileGroup[] {
  const groups = new Map<string, FileGroup>();
  for (const e of entries.filter((x) => matches(x, query))) {
    const g = groups.get(e.virtualPath) ?? { virtualPath: e.virtualPath, branch: e.branch, realPath: e.realPath, entries: [] };
    g.entries.push(e);
    groups.set(e.virtualPath, g);
  }
  return [...groups.values()].sort((a, b) => a.virtualPath.localeCompare(b.virtualPath));
}

/** "mmap r--s", "fd 3 (rw)", "cwd": how a process holds the file. */
export function describeKind(e: MappedEntry): string {
  if (e.kind === 'mmap') return `mmap ${e.perms ?? ''}`.trim();
  if (e.kind === 'fd') return `fd ${e.fd ?? '?'}${e.access ? ` (${e.access})` : ''}`;
  return e.kind;
}
