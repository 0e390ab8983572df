/**
 * A full scan of /proc: every process's union and branch files, attributed to branches. The building
 * blocks (a round's context, scanning a set of pids) are shared with the incremental tracker.
 */
import type { MapsSnapshot, Uninspectable } from '../../common/maps.ts';
import { UnionLocator } from '../../common/proc/unionLocator.ts';
import { attribute, Lookups, type ScannedProcess } from './attribution.ts';
import { StuckSet } from './deadline.ts';
import { MountViews } from './namespaces.ts';
import { listPids } from './procFs.ts';
import { scanProcess, type ProcessOutcome, type ProcessProbe, type ScanContext } from './processScan.ts';
import { resolveUnions, type UnionSource } from './unionSource.ts';
import { loadUserNames } from './userNames.ts';

export interface ScanOptions {
  /** Unions, handles and lookups; null scans fuse.strata mounts from mountinfo without branch details. */
  source: UnionSource | null;
  /** Only this union. */
  mountpoint?: string;
  /** Longest wait for one process's /proc files or one worker query (default 2000 ms). */
  deadlineMs?: number;
  /** Processes scanned at once (default 32). */
  concurrency?: number;
}

/** What every process of one scan is resolved against: mount tables, unions, workers' answers. */
export interface ScanRound {
  ctx: ScanContext;
  servers: Set<number>;
  lookups: Lookups;
  userName: (uid: number) => string;
  deadlineMs: number;
  concurrency: number;
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
  return {
    ctx: { locator: new UnionLocator(wanted, views.own), views },
    servers,
    lookups: new Lookups(opts.source, deadlineMs),
    userName,
    deadlineMs,
    concurrency: opts.concurrency ?? 32,
  };
}

/**
 * Scans `pids` (skipping the unions' own workers) at most `round.concurrency` at a time. A process whose
 * reads hang or fail unexpectedly becomes uninspectable with the reason; it never fails the scan.
 */
export async function scanPids(round: ScanRound, pids: number[], stuck: StuckSet, probes?: Map<number, ProcessProbe>): Promise<Map<number, ProcessOutcome>> {
  const out = new Map<number, ProcessOutcome>();
  const todo = round.ctx.locator.targets.length ? pids.filter((pid) => !round.servers.has(pid)) : [];
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const pid = todo[next++];
      out.set(pid, await scanOne(round, pid, stuck, probes?.get(pid)));
    }
  };
  await Promise.all(Array.from({ length: Math.min(round.concurrency, todo.length) }, worker));
  return out;
}

async function scanOne(round: ScanRound, pid: number, stuck: StuckSet, probe?: ProcessProbe): Promise<ProcessOutcome> {
  const since = stuck.stuckSince(pid);
  if (since !== undefined) {
    return { kind: 'uninspectable', info: { pid, command: probe?.command, reason: `its /proc files have not answered since ${new Date(since).toISOString()}` } };
  }
  try {
    return await stuck.run(pid, scanProcess(pid, round.ctx, probe), round.deadlineMs, `/proc/${pid}`);
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
  const outcomes = await scanPids(round, await listPids(), new StuckSet());
  const { processes, uninspectable } = scannedOf(outcomes.values());
  return { at, entries: await attribute(processes, round.lookups, round.userName), uninspectable: nameUsers(round, uninspectable) };
}
