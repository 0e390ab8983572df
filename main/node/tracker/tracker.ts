/**
 * The live tracker behind the desktop app and `strata maps --watch`: rescans at an interval and reports
 * what was added and removed. A rescan probes every process cheaply (start time, virtual size, fd count,
 * cwd) and rescans in full only the ones that changed, plus a rotating share of the rest, since a probe
 * cannot see everything (munmap of one file and mmap of another of the same size, an fd replaced by
 * dup2): each process is verified at least every `verifyEvery` rescans. /proc has no change notification
 * for maps or fds, so the probes stay proportional to the number of processes.
 */
import type { MapsChange, MapsSnapshot, Uninspectable } from '../../common/maps.ts';
import { diffEntries } from '../../common/proc/mapsDiff.ts';
import { attribute } from './attribution.ts';
import { listPids } from './procFs.ts';
import { probeProcess, type ProcessOutcome, type ProcessProbe } from './processScan.ts';
import { beginRound, nameUsers, scannedOf, scanPids, type ScanOptions } from './scan.ts';

export interface TrackerOptions extends ScanOptions {
  /** Pause between the end of one rescan and the start of the next (default 2000 ms). */
  intervalMs?: number;
  /** A process that looks unchanged is still rescanned in full once per this many rescans (default 10). */
  verifyEvery?: number;
}

interface Known {
  probe: ProcessProbe;
  outcome: ProcessOutcome;
}

export type ChangeListener = (change: MapsChange) => void;

export class MapsTracker {
  private readonly known = new Map<number, Known>();
  private state: MapsSnapshot | undefined;
  private unionsKey = '';
  private rescans = 0;
  private readonly listeners = new Set<ChangeListener>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<MapsChange> | undefined;

  constructor(private readonly opts: TrackerOptions) {}

  /** While watched, the state after the latest rescan (at most one interval old); otherwise a fresh rescan. */
  async snapshot(): Promise<MapsSnapshot> {
    if (!this.state || this.listeners.size === 0) await this.rescan();
    return this.state!;
  }

  /** Listen to changes; rescans run while anyone listens. Returns the unsubscribe function. */
  watch(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.schedule(0);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One incremental rescan; concurrent callers share it. Exposed for callers that pace rescans themselves. */
  rescan(): Promise<MapsChange> {
    this.running ??= this.rescanOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(async () => {
      try {
        const before = this.state?.uninspectable ?? [];
        const change = await this.rescan();
        if (change.added.length || change.removed.length || !sameUninspectable(before, change.uninspectable)) {
          for (const l of this.listeners) l(change);
        }
      } catch {
        // /proc or mountinfo unreadable for a moment: the next rescan tries again.
      }
      if (this.listeners.size && this.timer) this.schedule(this.opts.intervalMs ?? 2000);
    }, ms);
  }

  private async rescanOnce(): Promise<MapsChange> {
    const at = Date.now();
    const round = await beginRound(this.opts);
    const key = JSON.stringify([round.ctx.locator.targets, [...round.servers]]);
    if (key !== this.unionsKey) {
      // Other unions or branches: what each process holds must be located again.
      this.known.clear();
      this.unionsKey = key;
    }
    const pids = round.ctx.locator.targets.length ? (await listPids()).filter((pid) => !round.servers.has(pid)) : [];
    const probes = await Promise.all(pids.map((pid) => probeProcess(pid, round.ctx.reader).catch(() => null)));
    const verifyEvery = this.opts.verifyEvery ?? 10;
    const due = new Map<number, ProcessProbe>();
    const alive = new Set<number>();
    for (const probe of probes) {
      if (!probe) continue;
      alive.add(probe.pid);
      const k = this.known.get(probe.pid);
      if (!k || changed(k.probe, probe) || (this.rescans + probe.pid) % verifyEvery === 0) due.set(probe.pid, probe);
    }
    for (const pid of this.known.keys()) if (!alive.has(pid)) this.known.delete(pid);
    const outcomes = await scanPids(round, [...due.keys()], due);
    for (const [pid, outcome] of outcomes) {
      if (outcome.kind === 'gone') this.known.delete(pid);
      else this.known.set(pid, { probe: due.get(pid)!, outcome });
    }
    this.rescans++;

    const { processes, uninspectable } = scannedOf([...this.known.values()].map((k) => k.outcome));
    const entries = await attribute(processes, round.lookups, round.userName);
    const named = nameUsers(round, uninspectable);
    const { added, removed } = diffEntries(this.state?.entries ?? [], entries);
    this.state = { at, entries, uninspectable: named };
    return { at, added, removed, uninspectable: named };
  }
}

/**
 * Kernel threads and zombies hold nothing until their pid is reused. Otherwise a zero fd count says
 * nothing before Linux 6.2 (the size was always 0), and a negative one means the fd directory could not
 * be stat'ed: such processes are rescanned every time.
 */
function changed(a: ProcessProbe, b: ProcessProbe): boolean {
  if (a.startTime !== b.startTime) return true;
  if (b.holdsNothing) return false;
  return a.vsize !== b.vsize || a.fdCount !== b.fdCount || b.fdCount <= 0 || a.cwd !== b.cwd;
}

function sameUninspectable(a: Uninspectable[], b: Uninspectable[]): boolean {
  return a.length === b.length && a.every((u, i) => u.pid === b[i].pid && u.reason === b[i].reason);
}
