/**
 * Scans one process's /proc entries for union and branch files: memory maps (selected by device), fds
 * (selected by fdinfo's mount ID), cwd, root and exe. Reads go out in two rounds, the second only for
 * processes with candidates, and a process exiting or being replaced at any step is tolerated.
 */
import type { MapKind, Uninspectable } from '../../common/maps.ts';
import type { NamespaceMounts } from '../../common/proc/namespaceMounts.ts';
import { parseFdInfo, parseLink, type AccessMode } from '../../common/proc/procFdParser.ts';
import { parseMaps, type MapsRegion } from '../../common/proc/procMapsParser.ts';
import { decodeProcBytes } from '../../common/proc/procPath.ts';
import { parseProcStat, parseProcStatus } from '../../common/proc/procStatParser.ts';
import type { Location, UnionLocator } from '../../common/proc/unionLocator.ts';
import type { MountViews } from './namespaces.ts';
import { isDenied, isGone, PROC } from './procFs.ts';
import { fsError, type ProcReader } from './procReader.ts';
import type { Field, MapsFilter, ProcessFiles } from './procReaderWorker.ts';

export interface LocatedEntry {
  kind: MapKind;
  location: Location;
  deleted: boolean;
  perms?: string;
  shared?: boolean;
  address?: string;
  size?: number;
  fd?: number;
  access?: AccessMode;
}

/** What the tracker compares between rescans to decide whether a process changed. */
export interface ProcessProbe {
  pid: number;
  startTime: number;
  command: string;
  vsize: number;
  /** st_size of /proc/PID/fd: the fd count since Linux 6.2, 0 before (then every probe looks changed); -1 unknown. */
  fdCount: number;
  /** The cwd link as printed, null when unreadable. */
  cwd: string | null;
  /** Kernel threads and zombies hold no files. */
  holdsNothing: boolean;
}

export interface ProcessScan extends ProcessProbe {
  uid: number;
  entries: LocatedEntry[];
}

export type ProcessOutcome =
  | { kind: 'scanned'; scan: ProcessScan }
  | { kind: 'uninspectable'; info: Uninspectable }
  | { kind: 'gone' };

export interface ScanContext {
  locator: UnionLocator;
  views: MountViews;
  reader: ProcReader;
  mapsFilter: MapsFilter;
}

/** ENOENT/ESRCH (gone) and EACCES/EPERM (denied, and noted) become null; anything else propagates. */
class Soft {
  denied = false;

  value<T>(field: Field<T> | undefined, path: string): T | null {
    if (!field) return null;
    if ('ok' in field) return field.ok;
    const err = fsError(field.err, path);
    if (isDenied(err)) this.denied = true;
    else if (!isGone(err)) throw err;
    return null;
  }

  async of<T>(p: Promise<T>): Promise<T | null> {
    try {
      return await p;
    } catch (err) {
      if (isDenied(err)) this.denied = true;
      else if (!isGone(err)) throw err;
      return null;
    }
  }
}

export async function probeProcess(pid: number, reader: ProcReader): Promise<ProcessProbe | null> {
  return toProbe(pid, await reader.process(pid, { identity: true, fdCount: true }), new Soft());
}

/** Null when the process is gone. fdCount is -1 when not asked for (a one-shot scan compares nothing later). */
function toProbe(pid: number, files: ProcessFiles, soft: Soft): ProcessProbe | null {
  const dir = `${PROC}/${pid}`;
  const statText = soft.value(files.stat, `${dir}/stat`);
  const stat = statText === null ? null : parseProcStat(statText);
  if (!stat) return null;
  return {
    pid,
    startTime: stat.startTime,
    command: decodeProcBytes(stat.comm),
    vsize: stat.vsize,
    fdCount: soft.value(files.fdCount, `${dir}/fd`) ?? -1,
    cwd: soft.value(files.cwd, `${dir}/cwd`),
    holdsNothing: stat.kernelThread || stat.state === 'Z',
  };
}

/** What the reader threads keep of each maps file; maps prints a device as "%02x:%02x". */
export function mapsFilterFor(locator: UnionLocator, views: MountViews): MapsFilter {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  const needles = (devs: [number, number][]) => devs.map(([major, minor]) => ` ${hex(major)}:${hex(minor)} `);
  return {
    unionDevs: needles(locator.unionDevices),
    branchDevs: needles(locator.branchDevices),
    branchPrefixes: locator.branchPrefixes(views.own),
    ownNs: views.ownNs,
  };
}

export async function scanProcess(pid: number, ctx: ScanContext, probed?: ProcessProbe): Promise<ProcessOutcome> {
  const { reader, locator } = ctx;
  const dir = `${PROC}/${pid}`;
  const soft = new Soft();
  const files = await reader.process(pid, { identity: !probed, fdCount: false, filter: ctx.mapsFilter });
  // Identity first: a probe that finds the process gone must not count its other fields as denied.
  const probe = probed ?? toProbe(pid, files, new Soft());
  if (!probe) return { kind: 'gone' };
  const maps = soft.value(files.maps, `${dir}/maps`);
  const fdLinks = soft.value(files.fds, `${dir}/fd`);
  const root = soft.value(files.root, `${dir}/root`);
  if (probe.holdsNothing) return { kind: 'scanned', scan: { ...probe, uid: -1, entries: [] } };
  if (soft.denied) return { kind: 'uninspectable', info: await uninspectable(dir, probe, reader) };
  if (maps === null || fdLinks === null) return { kind: 'gone' };

  const [ns, mapsText] = maps;
  const tables = await ctx.views.forNamespace(pid, ns || null);
  const regions = parseMaps(mapsText, (major, minor) => locator.watches(major, minor)).filter((r) => !r.pseudo && r.path !== '');
  const fdCandidates: FdCandidate[] = [];
  for (const [name, link] of fdLinks) {
    const target = parseLink(link);
    if (target.kind === 'path' && tables.some((t) => locator.mayHold(t, target.path))) fdCandidates.push({ fd: Number(name), ...target });
  }
  const dirEntries = linkEntries({ cwd: probe.cwd, root }, tables, locator);
  if (!regions.length && !fdCandidates.length && !dirEntries.length) return { kind: 'scanned', scan: { ...probe, uid: -1, entries: [] } };

  // Second round, candidates only. exe is always mapped, so only a process with matching regions needs it.
  const [mapsFound, fdsFound, exe, statText, statusText] = await Promise.all([
    mapsEntries(pid, dir, regions, tables, ctx),
    fdEntries(pid, dir, fdCandidates, tables, ctx),
    regions.length ? soft.of(reader.link(pid, `${dir}/exe`)) : null,
    soft.of(reader.read(pid, `${dir}/stat`)),
    soft.of(reader.read(pid, `${dir}/status`)),
  ]);
  const entries = [...mapsFound, ...fdsFound, ...dirEntries, ...linkEntries({ exe }, tables, locator)];
  // The pid may have been reused while we read: keep entries only if the same process is still there.
  const stat = statText === null ? null : parseProcStat(statText);
  const uid = statusText === null ? undefined : parseProcStatus(statusText).uids?.[1];
  if (!stat || stat.startTime !== probe.startTime || uid === undefined) return { kind: 'gone' };
  return { kind: 'scanned', scan: { ...probe, uid, entries } };
}

async function uninspectable(dir: string, probe: ProcessProbe, reader: ProcReader): Promise<Uninspectable> {
  const status = await reader.read(probe.pid, `${dir}/status`).catch(() => null);
  const uid = status === null ? undefined : parseProcStatus(status).uids?.[1];
  const info: Uninspectable = { pid: probe.pid, command: probe.command, reason: 'permission denied: /proc/PID/maps and fd need root or the same user' };
  return uid === undefined ? info : { ...info, uid };
}

async function mapsEntries(pid: number, dir: string, regions: MapsRegion[], tables: NamespaceMounts[], ctx: ScanContext): Promise<LocatedEntry[]> {
  const found = await Promise.all(regions.map(async (region): Promise<LocatedEntry | null> => {
    const path = region.ambiguous ? await exactMappedPath(pid, dir, region, ctx.reader) : region.path;
    const location = ctx.locator.onDevice(tables, region.major, region.minor, path);
    if (!location) return null;
    return {
      kind: 'mmap',
      location,
      deleted: region.deleted,
      perms: region.perms,
      shared: region.shared,
      address: `${region.start}-${region.end}`,
      size: region.size,
    };
  }));
  return found.filter((e): e is LocatedEntry => e !== null);
}

/**
 * maps escapes a newline as \012 but leaves backslashes alone, so "\012" may be literal. map_files
 * (root or CAP_CHECKPOINT_RESTORE only) gives the unescaped path; without it the newline reading stands.
 */
async function exactMappedPath(pid: number, dir: string, region: MapsRegion, reader: ProcReader): Promise<string> {
  const link = await reader.link(pid, `${dir}/map_files/${region.start}-${region.end}`).catch(() => null);
  const target = link === null ? null : parseLink(link);
  return target?.kind === 'path' ? target.path : region.path;
}

interface FdCandidate {
  fd: number;
  path: string;
  deleted: boolean;
}

async function fdEntries(pid: number, dir: string, candidates: FdCandidate[], tables: NamespaceMounts[], ctx: ScanContext): Promise<LocatedEntry[]> {
  const found = await Promise.all(candidates.map(async ({ fd, path, deleted }): Promise<LocatedEntry | null> => {
    const infoText = await ctx.reader.read(pid, `${dir}/fdinfo/${fd}`).catch((err) => (isGone(err) ? null : Promise.reject(err)));
    const info = infoText === null ? null : parseFdInfo(infoText);
    const mount = info && tables.map((t) => t.mount(info.mntId)).find((m) => m !== undefined);
    const location = mount ? ctx.locator.inMount(mount, path) : null;
    if (!info || !location) return null;
    return { kind: 'fd', location, deleted, fd, access: info.access };
  }));
  return found.filter((e): e is LocatedEntry => e !== null);
}

function linkEntries(links: Partial<Record<'cwd' | 'root' | 'exe', string | null>>, tables: NamespaceMounts[], locator: UnionLocator): LocatedEntry[] {
  const out: LocatedEntry[] = [];
  for (const kind of ['cwd', 'root', 'exe'] as const) {
    const link = links[kind];
    const target = link == null ? null : parseLink(link);
    if (target?.kind !== 'path') continue;
    const location = tables.map((t) => locator.atPath(t, target.path)).find((l) => l !== null);
    if (location) out.push({ kind, location, deleted: target.deleted });
  }
  return out;
}
