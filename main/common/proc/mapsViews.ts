/** The tracker's two views of a snapshot: by process and by file. Pure grouping, shared by CLI and app. */
import type { MappedEntry } from '../maps.ts';

export interface ProcessView {
  pid: number;
  startTime?: number;
  command: string;
  uid: number;
  user: string;
  entries: MappedEntry[];
}

export interface FileView {
  mountpoint: string;
  relPath: string;
  virtualPath: string;
  branch: number | null;
  realPath: string | null;
  direct: boolean;
  directState?: MappedEntry['directState'];
  deleted: boolean;
  /** Every mapping, fd, cwd... of this file, across processes. */
  entries: MappedEntry[];
  /** Distinct processes using it. */
  pids: number[];
}

function groupBy<K>(entries: MappedEntry[], key: (e: MappedEntry) => K): Map<K, MappedEntry[]> {
  const groups = new Map<K, MappedEntry[]>();
  for (const e of entries) {
    const k = key(e);
    const list = groups.get(k);
    if (list) list.push(e);
    else groups.set(k, [e]);
  }
  return groups;
}

export function byProcess(entries: MappedEntry[]): ProcessView[] {
  return [...groupBy(entries, processKey).values()]
    .map((list) => {
      const { pid, startTime, command, uid, user } = list[0];
      return startTime === undefined ? { pid, command, uid, user, entries: list } : { pid, startTime, command, uid, user, entries: list };
    })
    .sort((a, b) => a.pid - b.pid);
}

/** Which file an entry uses: the same path through the union and a branch copy reached directly are different files. */
export function fileKey(e: MappedEntry): string {
  return `${e.mountpoint}\0${e.relPath}\0${e.direct ? e.realPath : ''}\0${e.deleted}`;
}

/** Which process an entry belongs to: pid and start time survive PID reuse. */
export function processKey(e: Pick<MappedEntry, 'pid' | 'startTime'>): string {
  return `${e.pid}:${e.startTime ?? ''}`;
}

/** One row per file (see fileKey). */
export function byFile(entries: MappedEntry[]): FileView[] {
  return [...groupBy(entries, fileKey).values()]
    .map((list) => {
      const { mountpoint, relPath, virtualPath, branch, realPath, direct, directState, deleted } = list[0];
      const view: FileView = { mountpoint, relPath, virtualPath, branch, realPath, direct, deleted, entries: list, pids: [...new Set(list.map((e) => e.pid))] };
      return directState === undefined ? view : { ...view, directState };
    })
    .sort((a, b) => a.virtualPath.localeCompare(b.virtualPath) || Number(a.direct) - Number(b.direct));
}
