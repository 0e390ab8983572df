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
import type { MountInfoEntry } from '../../common/mountinfo.ts';
import { mountThatMayHang } from '../mounts/deadlineFs.ts';
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

/**
 * The questions go out first, each distinct one once (handle tables, then `where`, then sizes); the
 * entries are then built without waiting per entry: thousands of entries share a handful of answers.
 */
export async function attribute(processes: ScannedProcess[], lookups: Lookups, userName: (uid: number) => string): Promise<MappedEntry[]> {
  const pairs = processes.flatMap((p) => p.entries.map((e) => ({ p, e })));
  const tables = await answers([...new Set(pairs.map(({ e }) => e.location.union.mountpoint))], (mp) => lookups.handles(mp));
  const plans = pairs.map(({ e }) => plan(e, tables.get(e.location.union.mountpoint) ?? null));
  const wheres = await answers([...new Set(plans.flatMap((x) => (x.ask ? [x.ask] : [])))], (key) => lookups.where(...splitKey(key)));
  const served = plans.map((x, i) => settle(pairs[i].e, x, x.ask ? (wheres.get(x.ask) ?? null) : null));
  const sizePaths = served.flatMap((sv, i) => (needsSize(pairs[i].e, sv) ? [sv.realPath!] : []));
  const sizes = await answers([...new Set(sizePaths)], (path) => lookups.size(path));
  const out = pairs.map(({ p, e }, i) => {
    const sv = served[i];
    const size = e.size ?? (needsSize(e, sv) ? (sizes.get(sv.realPath!) ?? null) : null);
    return build(p, e, sv, size, userName(p.uid));
  });
  return out.sort(
    (a, b) => a.pid - b.pid || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.fd ?? 0) - (b.fd ?? 0) || (a.address ?? '').localeCompare(b.address ?? ''),
  );
}

async function answers<T>(keys: string[], ask: (key: string) => Promise<T | null>): Promise<Map<string, T | null>> {
  const values = await Promise.all(keys.map(ask));
  return new Map(keys.map((k, i) => [k, values[i]]));
}

const whereKey = (mountpoint: string, relPath: string) => `${mountpoint}\0${relPath}`;
const splitKey = (key: string) => key.split('\0') as [string, string];

/** An fd's size is its branch file's, when that file is known and still there. */
function needsSize(e: LocatedEntry, sv: Served): boolean {
  return e.size === undefined && e.kind === 'fd' && !sv.deleted && sv.realPath !== null;
}

/** A worker's open handles, by union path and by union inode number. */
interface HandleTable {
  byPath: Map<string, HandleInfo[]>;
  byIno: Map<string, HandleInfo[]>;
}

/** One scan's questions to the workers and branches, each asked once however many entries need it. */
export class Lookups {
  private readonly handleTables = new Map<string, Promise<HandleTable | null>>();
  private readonly wheres = new Map<string, Promise<WhereResult | null>>();
  private readonly sizes = new Map<string, Promise<number | null>>();

  /** `mounts`: the mount table, so that files on a FUSE mount (a branch that is a union) are never stat'ed. */
  constructor(
    private readonly source: UnionSource | null,
    private readonly deadlineMs: number,
    private readonly mounts: readonly MountInfoEntry[] = [],
  ) {}

  handles(mountpoint: string): Promise<HandleTable | null> {
    return memo(this.handleTables, mountpoint, async () => {
      if (!this.source) return null;
      const list = await withDeadline(this.source.handles(mountpoint), this.deadlineMs, `handles of ${mountpoint}`);
      const table: HandleTable = { byPath: new Map(), byIno: new Map() };
      for (const h of list) {
        table.byPath.set(h.relPath, [...(table.byPath.get(h.relPath) ?? []), h]);
        table.byIno.set(h.ino, [...(table.byIno.get(h.ino) ?? []), h]);
      }
      return table;
    });
  }

  where(mountpoint: string, relPath: string): Promise<WhereResult | null> {
    return memo(this.wheres, `${mountpoint}\0${relPath}`, async () =>
      this.source ? withDeadline(this.source.where(mountpoint, relPath), this.deadlineMs, `where ${relPath}`) : null,
    );
  }

  /**
   * Size of a branch file. A branch may itself be a union, or on a network mount, which may not
   * answer: a stat there would hold a libuv thread for good, so such sizes stay unknown.
   */
  size(realPath: string): Promise<number | null> {
    if (mountThatMayHang(realPath, this.mounts)) return Promise.resolve(null);
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

function build(p: ScannedProcess, e: LocatedEntry, served: Served, size: number | null, user: string): MappedEntry {
  const mountpoint = e.location.union.mountpoint;
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
    direct: e.location.direct,
    ...(served.directState ? { directState: served.directState } : {}),
  };
}

type Served = Pick<MappedEntry, 'relPath' | 'branch' | 'realPath' | 'deleted' | 'branchCandidates' | 'directState'>;

/** What the handle table settles by itself, and the `where` question (if any) the rest needs. */
interface Plan {
  served?: Served;
  ask?: string;
  name: string;
  deleted: boolean;
}

function plan(e: LocatedEntry, table: HandleTable | null): Plan {
  const loc = e.location;
  const mountpoint = loc.union.mountpoint;
  if (loc.direct) return { name: loc.relPath, deleted: e.deleted, ask: e.deleted ? undefined : whereKey(mountpoint, loc.relPath) };
  // A file really named "x (deleted)" prints like a deleted "x"; the worker's table tells them apart.
  const literal = e.deleted ? table?.byPath.get(withDeletedSuffix(loc.relPath)) : undefined;
  const deleted = e.deleted && !literal?.length;
  // A file removed while open, or never named (O_TMPFILE), has no path left: its handles go by its
  // inode number, and by no name the kernel prints.
  const unnamed = deleted && e.ino !== undefined;
  const name = literal?.length ? withDeletedSuffix(loc.relPath) : unnamed ? unnamedName(loc.relPath, e.ino!) : loc.relPath;
  const handles = narrow((unnamed ? table?.byIno.get(e.ino!) : table?.byPath.get(name)) ?? [], e);
  const branches = [...new Set(handles.map((h) => h.branch))];
  if (branches.length === 1) return { name, deleted, served: { relPath: name, branch: branches[0], realPath: unnamed ? null : handles[0].realPath, deleted } };
  if (branches.length > 1)
    return { name, deleted, served: { relPath: name, branch: null, realPath: null, deleted, branchCandidates: branches.sort((a, b) => a - b) } };
  return { name, deleted, ask: deleted ? undefined : whereKey(mountpoint, name) };
}

/**
 * FUSE prints a file never named (O_TMPFILE) as its directory and an empty name ("/d//"); a local
 * filesystem names it "#" and its inode number, which is how it is shown here too.
 */
function unnamedName(relPath: string, ino: string): string {
  return relPath.endsWith('//') ? `${relPath.slice(0, -1)}#${ino}` : relPath;
}

/**
 * A branch file reached directly: its branch is known, `where` says whether the union shows this copy.
 * A union file without handles: `where` names the branch serving it now.
 */
function settle(e: LocatedEntry, x: Plan, where: WhereResult | null): Served {
  if (x.served) return x.served;
  const loc = e.location;
  if (loc.direct) {
    const directState = where ? directStateOf(where, loc.branch.index) : undefined;
    return { relPath: x.name, branch: loc.branch.index, realPath: loc.realPath, deleted: x.deleted, ...(directState ? { directState } : {}) };
  }
  return where?.exists
    ? { relPath: x.name, branch: where.servingBranch, realPath: where.servingPath, deleted: x.deleted }
    : { relPath: x.name, branch: null, realPath: null, deleted: x.deleted };
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
