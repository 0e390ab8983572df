/**
 * A full scan of /proc: every process's union and branch files, attributed to branches. The building
 * blocks (a round's context, scanning a set of pids) are shared with the incremental tracker.
 */
import type { MapsSnapshot, Uninspectable } from '../../common/maps.ts';
import { UnionLocator } from '../../common/proc/unionLocator.ts';
import { attribute, Lookups, type ScannedProcess } from './attribution.ts';
import { MountViews } from './namespaces.ts';
import { listPids } from './procFs.ts';
import { procReader } from './procReader.ts';
import { scanFilterFor, scanProcess, type ProcessOutcome, type ProcessProbe, type ScanContext } from './processScan.ts';
import { resolveUnions, type UnionSource } from './unionSource.ts';
import { loadUserNames } from '../sys/userNames.ts';

export interface ScanOptions {
  /** Unions, handles and lookups; null scans fuse.strata mounts from mountinfo without branch details. */
  source: UnionSource | null;
  /** Only this union. */
  mountpoint?: string;
  /** Longest wait for one worker query or branch stat (default 2000 ms). */
  deadlineMs?: number;
}

/** What every process of one scan is resolved against: mount tables, unions, workers' answers. */
export interface ScanRound {
  ctx: ScanContext;
  servers: Set<number>;
  lookups: Lookups;
  userName: (uid: number) => string;
}

export async function beginRound(opts: ScanOptions): Promise<ScanRound> {
  const deadlineMs = opts.deadlineMs ?? 2000;
  const [views, described, userName] = await Promise.all([
    MountViews.load(),
    // Without the manager the scan still sees fuse.strata mounts; it just cannot name branches.
    opts.source ? opts.source.unions().catch(() => []) : Promise.resolve([]),
    loadUserNames(),
  ]);
  const { targets, servers } = resolveUnions(described, views.own);
  const wanted = opts.mountpoint === undefined ? targets : targets.filter((t) => t.mountpoint === opts.mountpoint);
  const locator = new UnionLocator(wanted, views.own);
  return {
    ctx: { locator, views, reader: procReader, filter: scanFilterFor(locator, views) },
    servers,
    lookups: new Lookups(opts.source, deadlineMs, views.own.entries),
    userName,
  };
}

/**
 * Scans `pids` (skipping the unions' own workers), all in flight at once so their reads share batches.
 * A process whose reads hang or fail unexpectedly becomes uninspectable with the reason; it never fails
 * the scan.
 */
export async function scanPids(round: ScanRound, pids: number[], probes?: Map<number, ProcessProbe>): Promise<Map<number, ProcessOutcome>> {
  const todo = round.ctx.locator.targets.length ? pids.filter((pid) => !round.servers.has(pid)) : [];
  const outcomes = await Promise.all(todo.map((pid) => scanOne(round, pid, probes?.get(pid))));
  return new Map(todo.map((pid, i) => [pid, outcomes[i]]));
}

async function scanOne(round: ScanRound, pid: number, probe?: ProcessProbe): Promise<ProcessOutcome> {
  try {
    return await scanProcess(pid, round.ctx, probe);
  } catch (err) {
    return { kind: 'uninspectable', info: { pid, command: probe?.command, reason: err instanceof Error ? err.message : String(err) } };
  }
}

export function scannedOf(outcomes: Iterable<ProcessOutcome>): { processes: ScannedProcess[]; uninspectable: Uninspectable[] } {
  const processes: ScannedProcess[] = [];
  const uninspectable: Uninspectable[] = [];
  for (const o of outcomes) {
    if (o.kind === 'scanned' && o.scan.entries.length) processes.push(o.scan);
    else if (o.kind === 'uninspectable') uninspectable.push(o.info);
  }
  return { processes, uninspectable: uninspectable.sort((a, b) => a.pid - b.pid) };
}

export function nameUsers(round: ScanRound, list: Uninspectable[]): Uninspectable[] {
  return list.map((u) => (u.uid === undefined ? u : { ...u, user: round.userName(u.uid) }));
}

/** One full scan: who maps or holds files of the unions right now. */
export async function scanSnapshot(opts: ScanOptions): Promise<MapsSnapshot> {
  const at = Date.now();
  const round = await beginRound(opts);
  const outcomes = await scanPids(round, await listPids());
  const { processes, uninspectable } = scannedOf(outcomes.values());
  return { at, entries: await attribute(processes, round.lookups, round.userName), uninspectable: nameUsers(round, uninspectable) };
}
