/**
 * Turns each mounted union's cumulative counters into rates, once per tick, and keeps the last few
 * minutes so the Activity screen has a history the moment it opens. Free space per branch is sampled
 * alongside, from the branch roots (never through the union, which could be the one that is stuck).
 */
import type { StatsSample } from '../../common/api.ts';
import type { OpStats } from '../../common/contract.ts';
import { spaceOf } from './space.ts';

export interface SampledMount {
  mountpoint: string;
  branchRoots: string[];
}

const HISTORY = 300;

function totalOps(s: OpStats): number {
  return Object.values(s.ops).reduce((a, b) => a + b, 0);
}

export class StatsSampler {
  private readonly history = new Map<string, StatsSample[]>();
  private readonly previous = new Map<string, OpStats>();

  constructor(private readonly readStats: (mountpoint: string) => Promise<OpStats>) {}

  /** Samples every mount in `mounts` and forgets the others; returns the new samples. */
  async sample(mounts: readonly SampledMount[]): Promise<StatsSample[]> {
    const live = new Set(mounts.map((m) => m.mountpoint));
    for (const mp of this.history.keys()) {
      if (!live.has(mp)) {
        this.history.delete(mp);
        this.previous.delete(mp);
      }
    }
    const samples = await Promise.all(mounts.map((m) => this.sampleOne(m)));
    return samples.filter((s): s is StatsSample => s !== null);
  }

  get(mountpoint: string): StatsSample[] {
    return [...(this.history.get(mountpoint) ?? [])];
  }

  private async sampleOne(m: SampledMount): Promise<StatsSample | null> {
    let totals: OpStats;
    try {
      totals = await this.readStats(m.mountpoint);
    } catch {
      // A worker that is starting, stopping or gone has no stats; the unions list shows why.
      return null;
    }
    const spaces = await Promise.all(m.branchRoots.map(spaceOf));
    const prev = this.previous.get(m.mountpoint);
    const seconds = prev ? Math.max((totals.at - prev.at) / 1000, 0.001) : 1;
    const rate = (now: number, before: number) => (prev ? Math.max(0, (now - before) / seconds) : 0);
    const sample: StatsSample = {
      mountpoint: m.mountpoint,
      at: totals.at,
      opsPerSec: rate(totalOps(totals), prev ? totalOps(prev) : 0),
      readBytesPerSec: rate(totals.bytesRead, prev?.bytesRead ?? 0),
      writeBytesPerSec: rate(totals.bytesWritten, prev?.bytesWritten ?? 0),
      branchAvail: spaces.map((s) => s.avail ?? null),
      totals,
    };
    this.previous.set(m.mountpoint, totals);
    const list = this.history.get(m.mountpoint) ?? [];
    list.push(sample);
    if (list.length > HISTORY) list.splice(0, list.length - HISTORY);
    this.history.set(m.mountpoint, list);
    return sample;
  }
}
