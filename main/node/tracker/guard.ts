/**
 * The busy-branch guard (aufs refuses `del` of a busy branch with EBUSY, and `mod rw→ro` while files on
 * it are mapped or open for writing): which processes use a union, or some of its branches, right now.
 */
import type { WhereResult } from '../../common/contract.ts';
import type { BusyReport, BusyUser, MappedEntry } from '../../common/maps.ts';
import { normalizeAbsolute } from '../../common/absolutePath.ts';
import { managerSource } from './managerSource.ts';
import { scanSnapshot } from './scan.ts';
import type { UnionSource } from './unionSource.ts';

export interface BusyTarget {
  mountpoint: string;
  /** Only users of these branches, through the union or directly; absent: users of the mount itself. */
  branchRoots?: string[];
  /** Only what a switch to read-only would break: fds open for writing and writable shared mappings. */
  writersOnly?: boolean;
}

export async function checkBusy(target: BusyTarget, source: UnionSource = managerSource): Promise<BusyReport> {
  const snapshot = await scanSnapshot({ source, mountpoint: target.mountpoint });
  let entries = snapshot.entries;
  if (target.writersOnly) entries = entries.filter(writes);
  if (target.branchRoots) {
    const indexes = await branchIndexes(source, target.mountpoint, target.branchRoots);
    const wheres = new Map<string, Promise<WhereResult | null>>();
    const where = (relPath: string) => {
      let p = wheres.get(relPath);
      if (!p) wheres.set(relPath, (p = source.where(target.mountpoint, relPath).catch(() => null)));
      return p;
    };
    const uses = await Promise.all(entries.map((e) => usesBranch(e, indexes, where)));
    entries = entries.filter((_, i) => uses[i]);
  } else {
    // Unmounting only needs the mount unused; a process inside a branch directory does not hold it.
    entries = entries.filter((e) => !e.direct);
  }
  const users = usersOf(entries);
  return snapshot.uninspectable.length ? { busy: users.length > 0, users, uninspectable: snapshot.uninspectable } : { busy: users.length > 0, users };
}

function writes(e: MappedEntry): boolean {
  if (e.kind === 'fd') return e.access !== 'r';
  return e.kind === 'mmap' && e.shared === true && e.perms?.[1] === 'w';
}

async function branchIndexes(source: UnionSource, mountpoint: string, roots: string[]): Promise<Set<number>> {
  const wanted = new Set(roots.map(normalizeAbsolute));
  const union = (await source.unions()).find((u) => u.mountpoint === mountpoint);
  return new Set((union?.branches ?? []).filter((b) => wanted.has(normalizeAbsolute(b.path))).map((b) => b.index));
}

/**
 * Does the entry hold one of these branches? Through the union, a file is on the branch serving it; a
 * directory (cwd, root) is on every branch with a copy of it. When the tracker could not tell, it counts:
 * refusing wrongly is recoverable, removing a branch from under a process is not.
 */
async function usesBranch(e: MappedEntry, indexes: Set<number>, where: (relPath: string) => Promise<WhereResult | null>): Promise<boolean> {
  if (e.direct) return e.branch !== null && indexes.has(e.branch);
  if (e.kind === 'cwd' || e.kind === 'root') {
    const found = await where(e.relPath);
    return found === null || found.copies.some((c) => indexes.has(c.branch));
  }
  if (e.branch !== null) return indexes.has(e.branch);
  if (e.branchCandidates) return e.branchCandidates.some((b) => indexes.has(b));
  return true;
}

function usersOf(entries: MappedEntry[]): BusyUser[] {
  const byPid = new Map<number, BusyUser>();
  for (const e of entries) {
    const user = byPid.get(e.pid) ?? { pid: e.pid, command: e.command, paths: [] };
    const path = e.direct && e.realPath ? e.realPath : e.virtualPath;
    if (!user.paths.includes(path)) user.paths.push(path);
    byPid.set(e.pid, user);
  }
  return [...byPid.values()];
}
