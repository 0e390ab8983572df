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
import { errnoException } from '../sys/errno.ts';
import type { MountViews } from './namespaces.ts';
import { isDenied, isGone, PROC } from './procFs.ts';
import type { ProcReader } from './procReader.ts';
import type { Field, ScanFilter, ProcessFiles } from './procReaderWorker.ts';

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
  /** The inode number, decimal, as fdinfo and maps print it: what names a file left with no name. */
  ino?: string;
}

/** What the tracker compares between rescans to decide whether a process changed. */
export interface ProcessProbe {
  pid: number;
  startTime: number;
  command: string;
  vsize: number;
  /** st_size of /proc/PID/fd: the fd count since Linux 6.2, always 0 before; -1 when not read. */
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

export type ProcessOutcome = { kind: 'scanned'; scan: ProcessScan } | { kind: 'uninspectable'; info: Uninspectable } | { kind: 'gone' };

export interface ScanContext {
  locator: UnionLocator;
  views: MountViews;
  reader: ProcReader;
  filter: ScanFilter;
}

/** ENOENT/ESRCH (gone) and EACCES/EPERM (denied, and noted) become null; anything else propagates. */
class Soft {
  denied = false;

  value<T>(field: Field<T> | undefined, path: string): T | null {
    if (!field) return null;
    if ('ok' in field) return field.ok;
    const err = errnoException(field.err, 'read', path);
    if (isDenied(err)) this.denied = true;
    else if (!isGone(err)) throw err;
    return null;
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

/**
 * What the reader threads keep of each process. They compare raw bytes, so paths go back to the
 * kernel's encoding; maps prints a device as "%02x:%02x".
 */
export function scanFilterFor(locator: UnionLocator, views: MountViews): ScanFilter {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  const needles = (devs: [number, number][]) => devs.map(([major, minor]) => ` ${hex(major)}:${hex(minor)} `);
  const bytes = (paths: string[]) => paths.map((p) => Buffer.from(p, 'utf8').toString('latin1'));
  const branchPrefixes = bytes(locator.branchPrefixes(views.own));
  return {
    unionDevs: needles(locator.unionDevices),
    branchDevs: needles(locator.branchDevices),
    branchPrefixes,
    fdPrefixes: [...bytes(locator.unionPrefixes(views.own)), ...branchPrefixes],
    ownNs: views.ownNs,
  };
}

/**
 * One request per process: the reader thread sends back only what may matter and, when anything does,
 * the files needed to confirm it (fdinfo, exe, map_files, and stat again against PID reuse).
 */
export async function scanProcess(pid: number, ctx: ScanContext, probed?: ProcessProbe): Promise<ProcessOutcome> {
  const { reader, locator } = ctx;
  const dir = `${PROC}/${pid}`;
  const soft = new Soft();
  const files = await reader.process(pid, { identity: !probed, fdCount: false, filter: ctx.filter });
  // Identity first: a probe that finds the process gone must not count its other fields as denied.
  const probe = probed ?? toProbe(pid, files, new Soft());
  if (!probe) return { kind: 'gone' };
  const mapsText = soft.value(files.maps, `${dir}/maps`);
  const fdLinks = soft.value(files.fds, `${dir}/fd`);
  const cwd = soft.value(files.cwd, `${dir}/cwd`);
  const root = soft.value(files.root, `${dir}/root`);
  if (probe.holdsNothing) return { kind: 'scanned', scan: { ...probe, uid: -1, entries: [] } };
  if (soft.denied) return { kind: 'uninspectable', info: await uninspectable(dir, probe, reader) };
  if (mapsText === null || fdLinks === null) return { kind: 'gone' };

  const tables = await ctx.views.forNamespace(pid, files.ns || null);
  const regions = parseMaps(mapsText, (major, minor) => locator.watches(major, minor)).filter((r) => !r.pseudo && r.path !== '');
  const fdCandidates: FdCandidate[] = [];
  for (const [name, link] of fdLinks) {
    const target = parseLink(link);
    if (target.kind === 'path' && tables.some((t) => locator.mayHold(t, target.path))) fdCandidates.push({ fd: name, ...target });
  }
  const dirEntries = linkEntries({ cwd, root }, tables, locator);
  const more = files.more;
  if (!more || (!regions.length && !fdCandidates.length && !dirEntries.length)) return { kind: 'scanned', scan: { ...probe, uid: -1, entries: [] } };

  const stat = parseOrNull(soft.value(more.stat, `${dir}/stat`), parseProcStat);
  const uid = parseOrNull(soft.value(more.status, `${dir}/status`), parseProcStatus)?.uids?.[1];
  if (!stat || stat.startTime !== probe.startTime || uid === undefined) return { kind: 'gone' };
  const exe = regions.length ? soft.value(more.exe, `${dir}/exe`) : null;
  const entries = [
    ...mapsEntries(regions, more.mapFiles, tables, locator),
    ...fdEntries(
      fdCandidates,
      fdCandidates.map((c) => soft.value(more.fdinfo[c.fd], `${dir}/fdinfo/${c.fd}`)),
      tables,
      locator,
    ),
    ...dirEntries,
    ...linkEntries({ exe }, tables, locator),
  ];
  return { kind: 'scanned', scan: { ...probe, cwd, uid, entries } };
}

function parseOrNull<T>(text: string | null, parse: (text: string) => T | null): T | null {
  return text === null ? null : parse(text);
}

async function uninspectable(dir: string, probe: ProcessProbe, reader: ProcReader): Promise<Uninspectable> {
  const status = await reader.read(probe.pid, `${dir}/status`, true).catch(() => null);
  const uid = status === null ? undefined : parseProcStatus(status).uids?.[1];
  const info: Uninspectable = { pid: probe.pid, command: probe.command, reason: 'permission denied: /proc/PID/maps and fd need root or the same user' };
  return uid === undefined ? info : { ...info, uid };
}

/**
 * maps escapes a newline as \012 but leaves backslashes alone, so "\012" may be literal. For such
 * regions `mapFiles` holds map_files' link by address range (root or CAP_CHECKPOINT_RESTORE only), which
 * is unescaped; without it the newline reading stands.
 */
function mapsEntries(regions: MapsRegion[], mapFiles: Record<string, Field<string>>, tables: NamespaceMounts[], locator: UnionLocator): LocatedEntry[] {
  const out: LocatedEntry[] = [];
  for (const region of regions) {
    const link = region.ambiguous ? mapFiles[`${region.start}-${region.end}`] : undefined;
    const target = link && 'ok' in link ? parseLink(link.ok) : null;
    const path = target?.kind === 'path' ? target.path : region.path;
    const location = locator.onDevice(tables, region.major, region.minor, path);
    if (!location) continue;
    out.push({
      kind: 'mmap',
      location,
      deleted: region.deleted,
      perms: region.perms,
      shared: region.shared,
      address: `${region.start}-${region.end}`,
      size: region.size,
      ino: region.inode,
    });
  }
  return out;
}

interface FdCandidate {
  /** The fd's name in /proc/PID/fd. */
  fd: string;
  path: string;
  deleted: boolean;
}

/** `fdinfos[i]` is candidate i's fdinfo text, null if the fd was closed meanwhile. */
function fdEntries(candidates: FdCandidate[], fdinfos: (string | null)[], tables: NamespaceMounts[], locator: UnionLocator): LocatedEntry[] {
  const out: LocatedEntry[] = [];
  candidates.forEach(({ fd, path, deleted }, i) => {
    const info = parseOrNull(fdinfos[i], parseFdInfo);
    const mount = info && tables.map((t) => t.mount(info.mntId)).find((m) => m !== undefined);
    const location = mount ? locator.inMount(mount, path) : null;
    if (info && location) out.push({ kind: 'fd', location, deleted, fd: Number(fd), access: info.access, ...(info.ino ? { ino: info.ino } : {}) });
  });
  return out;
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
