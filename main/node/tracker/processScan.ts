/**
 * Scans one process's /proc entries for union and branch files: memory maps (selected by device), fds
 * (selected by fdinfo's mount ID), cwd, root and exe. Tolerates the process exiting at any step.
 */
import type { MapKind, Uninspectable } from '../../common/maps.ts';
import type { NamespaceMounts } from '../../common/proc/namespaceMounts.ts';
import { parseFdInfo, parseLink, type AccessMode } from '../../common/proc/procFdParser.ts';
import { parseMaps, type MapsRegion } from '../../common/proc/procMapsParser.ts';
import { decodeProcBytes } from '../../common/proc/procPath.ts';
import { parseProcStat, parseProcStatus } from '../../common/proc/procStatParser.ts';
import type { Location, UnionLocator } from '../../common/proc/unionLocator.ts';
import type { MountViews } from './namespaces.ts';
import { isDenied, isGone, listProcDir, PROC, procDirSize, readProcLink, readProcText, unlessGone } from './procFs.ts';

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
  /** st_size of /proc/PID/fd (the fd count since Linux 6.2). */
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
}

export async function probeProcess(pid: number): Promise<ProcessProbe | null> {
  const dir = `${PROC}/${pid}`;
  const [statText, fdCount, cwd] = await Promise.all([
    unlessGone(readProcText(`${dir}/stat`)),
    procDirSize(`${dir}/fd`).catch(() => -1),
    readProcLink(`${dir}/cwd`).catch(() => null),
  ]);
  const stat = statText === null ? null : parseProcStat(statText);
  if (!stat) return null;
  return {
    pid,
    startTime: stat.startTime,
    command: decodeProcBytes(stat.comm),
    vsize: stat.vsize,
    fdCount,
    cwd,
    holdsNothing: stat.kernelThread || stat.state === 'Z',
  };
}

export async function scanProcess(pid: number, ctx: ScanContext, probed?: ProcessProbe): Promise<ProcessOutcome> {
  const probe = probed ?? (await probeProcess(pid));
  if (!probe) return { kind: 'gone' };
  if (probe.holdsNothing) return { kind: 'scanned', scan: { ...probe, uid: -1, entries: [] } };
  const dir = `${PROC}/${pid}`;
  try {
    const [ns, mapsText, fdNames, root, exe] = await Promise.all([
      readProcLink(`${dir}/ns/mnt`).catch(() => null),
      unlessGone(readProcText(`${dir}/maps`)),
      unlessGone(listProcDir(`${dir}/fd`)),
      unlessGone(readProcLink(`${dir}/root`)),
      // Kernel threads and some exited-but-not-reaped processes have no exe: not an error.
      unlessGone(readProcLink(`${dir}/exe`)),
    ]);
    if (mapsText === null || fdNames === null) return { kind: 'gone' };
    const tables = await ctx.views.forNamespace(pid, ns);
    const entries = [
      ...(await mapsEntries(dir, mapsText, tables, ctx.locator)),
      ...(await fdEntries(dir, fdNames, tables, ctx.locator)),
      ...linkEntries({ cwd: probe.cwd, root, exe }, tables, ctx.locator),
    ];
    if (entries.length === 0) return { kind: 'scanned', scan: { ...probe, uid: -1, entries } };
    return await confirmIdentity(dir, probe, entries);
  } catch (err) {
    if (isDenied(err)) return { kind: 'uninspectable', info: await uninspectable(dir, probe) };
    if (isGone(err)) return { kind: 'gone' };
    throw err;
  }
}

/** A pid can be reused while we read: only entries read while the same process lived are kept. */
async function confirmIdentity(dir: string, probe: ProcessProbe, entries: LocatedEntry[]): Promise<ProcessOutcome> {
  const [statText, statusText] = await Promise.all([unlessGone(readProcText(`${dir}/stat`)), unlessGone(readProcText(`${dir}/status`))]);
  const stat = statText === null ? null : parseProcStat(statText);
  const uids = statusText === null ? undefined : parseProcStatus(statusText).uids;
  if (!stat || stat.startTime !== probe.startTime || !uids) return { kind: 'gone' };
  return { kind: 'scanned', scan: { ...probe, uid: uids[1], entries } };
}

async function uninspectable(dir: string, probe: ProcessProbe): Promise<Uninspectable> {
  const status = await readProcText(`${dir}/status`).catch(() => null);
  const uid = status === null ? undefined : parseProcStatus(status).uids?.[1];
  const info: Uninspectable = { pid: probe.pid, command: probe.command, reason: 'permission denied: /proc/PID/maps and fd need root or the same user' };
  return uid === undefined ? info : { ...info, uid };
}

async function mapsEntries(dir: string, text: string, tables: NamespaceMounts[], locator: UnionLocator): Promise<LocatedEntry[]> {
  const regions = parseMaps(text, (major, minor) => locator.watches(major, minor)).filter((r) => !r.pseudo && r.path !== '');
  const out: LocatedEntry[] = [];
  for (const region of regions) {
    const path = region.ambiguous ? await exactMappedPath(dir, region) : region.path;
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
    });
  }
  return out;
}

/**
 * maps escapes a newline as \012 but leaves backslashes alone, so "\012" may be literal. map_files
 * (root or CAP_CHECKPOINT_RESTORE only) gives the unescaped path; without it the newline reading stands.
 */
async function exactMappedPath(dir: string, region: MapsRegion): Promise<string> {
  const link = await readProcLink(`${dir}/map_files/${region.start}-${region.end}`).catch(() => null);
  const target = link === null ? null : parseLink(link);
  return target?.kind === 'path' ? target.path : region.path;
}

async function fdEntries(dir: string, names: string[], tables: NamespaceMounts[], locator: UnionLocator): Promise<LocatedEntry[]> {
  const found = await Promise.all(names.map(async (name): Promise<LocatedEntry | null> => {
    const link = await unlessGone(readProcLink(`${dir}/fd/${name}`));
    const target = link === null ? null : parseLink(link);
    if (target?.kind !== 'path' || !tables.some((t) => locator.mayHold(t, target.path))) return null;
    const infoText = await unlessGone(readProcText(`${dir}/fdinfo/${name}`));
    const info = infoText === null ? null : parseFdInfo(infoText);
    const mount = info && tables.map((t) => t.mount(info.mntId)).find((m) => m !== undefined);
    const location = mount ? locator.inMount(mount, target.path) : null;
    if (!info || !location) return null;
    return { kind: 'fd', location, deleted: target.deleted, fd: Number(name), access: info.access };
  }));
  return found.filter((e): e is LocatedEntry => e !== null);
}

function linkEntries(links: Record<'cwd' | 'root' | 'exe', string | null>, tables: NamespaceMounts[], locator: UnionLocator): LocatedEntry[] {
  const out: LocatedEntry[] = [];
  for (const kind of ['cwd', 'root', 'exe'] as const) {
    const link = links[kind];
    const target = link === null ? null : parseLink(link);
    if (target?.kind !== 'path') continue;
    const location = tables.map((t) => locator.atPath(t, target.path)).find((l) => l !== null);
    if (location) out.push({ kind, location, deleted: target.deleted });
  }
  return out;
}
