/** Differences between two lists of MappedEntry, as the tracker's change stream reports them. */
import type { MappedEntry } from '../maps.ts';

/**
 * What makes an entry the same entry across scans: the process (pid and start time, against PID reuse),
 * the kind and its slot (fd number or mapping address), and the file.
 */
export function entryKey(e: MappedEntry): string {
  const slot = e.kind === 'fd' ? String(e.fd) : e.kind === 'mmap' ? (e.address ?? '') : '';
  return `${e.pid}:${e.startTime ?? ''}:${e.kind}:${slot}:${e.mountpoint}:${e.direct ? e.realPath : e.relPath}`;
}

/**
 * Added and removed entries. An entry whose details changed (another branch now serves it, it was
 * deleted, the fd was reopened read-write) is reported as removed and added again.
 */
export function diffEntries(before: MappedEntry[], after: MappedEntry[]): { added: MappedEntry[]; removed: MappedEntry[] } {
  const old = new Map(before.map((e) => [entryKey(e), e]));
  const added: MappedEntry[] = [];
  for (const e of after) {
    const key = entryKey(e);
    const prev = old.get(key);
    if (prev && sameEntry(prev, e)) old.delete(key);
    else added.push(e);
  }
  return { added, removed: [...old.values()] };
}

/** An fd's size is the file's current size: a file being written would otherwise churn on every scan. */
function sameEntry(a: MappedEntry, b: MappedEntry): boolean {
  const ka = (Object.keys(a) as (keyof MappedEntry)[]).filter((k) => !(k === 'size' && a.kind === 'fd'));
  const kb = Object.keys(b).filter((k) => !(k === 'size' && b.kind === 'fd'));
  return ka.length === kb.length && ka.every((k) => a[k] === b[k] || sameList(a[k], b[k]));
}

function sameList(a: unknown, b: unknown): boolean {
  return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]);
}
