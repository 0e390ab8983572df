/**
 * Turns located entries into MappedEntry: which branch serves each union file (the worker's open-handle
 * table first, since a mapping keeps its handle open after close; a `where` lookup otherwise), and for
 * branch files reached directly, whether that copy is the one the union shows.
 */
import type { HandleInfo, WhereResult } from '../../common/contract.ts';
import type { MappedEntry } from '../../common/maps.ts';
import { accessMode } from '../../common/proc/procFdParser.ts';
import { joinBelow, withDeletedSuffix } from '../../common/proc/procPath.ts';
import { lstat } from 'node:fs/promises';
import { withDeadline } from './deadline.ts';
import type { LocatedEntry } from './processScan.ts';
import type { UnionSource } from './unionSource.ts';

export interface ScannedProcess {
  pid: number;
  startTime: number;
  command: string;
  uid: number;
  entries: LocatedEntry[];
}

const KIND_ORDER = { exe: 0, root: 1, cwd: 2, fd: 3, mmap: 4 } as const;

export async function attribute(processes: ScannedProcess[], lookups: Lookups, userName: (uid: number) => string): Promise<MappedEntry[]> {
  const out = await Promise.all(processes.flatMap((p) => p.entries.map((e) => toMapped(p, e, lookups, userName(p.uid)))));
  return out.sort((a, b) => a.pid - b.pid || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.fd ?? 0) - (b.fd ?? 0) || (a.address ?? '').localeCompare(b.address ?? ''));
}

/** One scan's questions to the workers and branches, each asked once however many entries need it. */
export class Lookups {
  private readonly handleTables = new Map<string, Promise<Map<string, HandleInfo[]> | null>>();
  private readonly wheres = new Map<string, Promise<WhereResult | null>>();
  private readonly sizes = new Map<string, Promise<number | null>>();

  constructor(private readonly source: UnionSource | null, private readonly deadlineMs: number) {}

  handles(mountpoint: string): Promise<Map<string, HandleInfo[]> | null> {
    return memo(this.handleTables, mountpoint, async () => {
      if (!this.source) return null;
      const list = await withDeadline(this.source.handles(mountpoint), this.deadlineMs, `handles of ${mountpoint}`);
      const byPath = new Map<string, HandleInfo[]>();
      for (const h of list) byPath.set(h.relPath, [...(byPath.get(h.relPath) ?? []), h]);
      return byPath;
    });
  }

  where(mountpoint: string, relPath: string): Promise<WhereResult | null> {
    return memo(this.wheres, `${mountpoint}\0${relPath}`, async () =>
      this.source ? withDeadline(this.source.where(mountpoint, relPath), this.deadlineMs, `where ${relPath}`) : null);
  }

  /** Size of a branch file: branches are plain directories, never the union, so stat is safe here. */
  size(realPath: string): Promise<number | null> {
    return memo(this.sizes, realPath, async () => (await withDeadline(lstat(realPath), this.deadlineMs, `stat ${realPath}`)).size);
  }
}

/** A failed or hung lookup leaves the answer unknown (null), it never fails the scan. */
function memo<T>(cache: Map<string, Promise<T | null>>, key: string, ask: () => Promise<T | null>): Promise<T | null> {
  let p = cache.get(key);
  if (!p) {
    p = ask().catch(() => null);
    cache.set(key, p);
  }
  return p;
}

async function toMapped(p: ScannedProcess, e: LocatedEntry, lookups: Lookups, user: string): Promise<MappedEntry> {
  const loc = e.location;
  const mountpoint = loc.union.mountpoint;
  const served = loc.direct ? await directly(e, mountpoint, loc.relPath, loc.branch.index, loc.realPath, lookups) : await serving(e, mountpoint, loc.relPath, lookups);
  const size = e.size ?? (e.kind === 'fd' && !served.deleted && served.realPath ? await lookups.size(served.realPath) : null);
  return {
    pid: p.pid,
    startTime: p.startTime,
    command: p.command,
    uid: p.uid,
    user,
    kind: e.kind,
    ...(e.kind === 'mmap' ? { perms: e.perms, shared: e.shared, address: e.address } : {}),
    ...(e.kind === 'fd' ? { fd: e.fd, access: e.access } : {}),
    mountpoint,
    relPath: served.relPath,
    virtualPath: joinBelow(mountpoint, served.relPath === '/' ? '' : served.relPath),
    branch: served.branch,
    ...(served.branchCandidates ? { branchCandidates: served.branchCandidates } : {}),
    realPath: served.realPath,
    ...(size === null ? {} : { size }),
    deleted: served.deleted,
    direct: loc.direct,
    ...(served.directState ? { directState: served.directState } : {}),
  };
}

type Served = Pick<MappedEntry, 'relPath' | 'branch' | 'realPath' | 'deleted' | 'branchCandidates' | 'directState'>;

/** A branch file reached directly: its branch is known; `where` says whether the union shows this copy. */
async function directly(e: LocatedEntry, mountpoint: string, relPath: string, branch: number, realPath: string, lookups: Lookups): Promise<Served> {
  const where = e.deleted ? null : await lookups.where(mountpoint, relPath);
  const directState = where ? directStateOf(where, branch) : undefined;
  return { relPath, branch, realPath, deleted: e.deleted, ...(directState ? { directState } : {}) };
}

async function serving(e: LocatedEntry, mountpoint: string, relPath: string, lookups: Lookups): Promise<Served> {
  const table = await lookups.handles(mountpoint);
  // A file really named "x (deleted)" prints like a deleted "x"; the worker's table tells them apart.
  const literal = e.deleted ? table?.get(withDeletedSuffix(relPath)) : undefined;
  const name = literal?.length ? withDeletedSuffix(relPath) : relPath;
  const deleted = e.deleted && !literal?.length;
  const handles = narrow(table?.get(name) ?? [], e);
  const branches = [...new Set(handles.map((h) => h.branch))];
  if (branches.length === 1) return { relPath: name, branch: branches[0], realPath: handles[0].realPath, deleted };
  if (branches.length > 1) return { relPath: name, branch: null, realPath: null, deleted, branchCandidates: branches.sort((a, b) => a - b) };
  const where = deleted ? null : await lookups.where(mountpoint, name);
  return where?.exists ? { relPath: name, branch: where.servingBranch, realPath: where.servingPath, deleted } : { relPath: name, branch: null, realPath: null, deleted };
}

/** Of several handles for one path, those whose open mode could back this entry (a writable shared map needs O_RDWR). */
function narrow(handles: HandleInfo[], e: LocatedEntry): HandleInfo[] {
  const need = e.access ?? (e.shared && e.perms?.[1] === 'w' ? 'rw' : undefined);
  if (!need || handles.length < 2) return handles;
  const fit = handles.filter((h) => accessMode(h.flags) === need);
  return fit.length ? fit : handles;
}

function directStateOf(where: WhereResult, branch: number): MappedEntry['directState'] {
  const copy = where.copies.find((c) => c.branch === branch);
  if (!copy) return undefined;
  if (copy.visible) return 'visible';
  return copy.hiddenBy === 'shadowed' ? 'shadowed' : 'whiteout';
}
