/**
 * The FUSE requests a worker has taken and not answered yet. One that stands still for HUNG_AFTER_MS
 * (its branch is itself a stuck mount, or a bug) leaves every caller of that path stuck in the kernel,
 * though the control socket still answers: `status` then says 'hung' and since when. One that makes
 * headway (a long copy-up, union/headway.ts), or waits on a disk that keeps completing I/O (a long
 * fsync, diskHeadway.ts), is not hung however long it takes.
 *
 * STRATA_TEST_HANG=<relpath>[:<relpath>...] is for tests only: every request on exactly one of those
 * union paths is taken and never answered, which is what such a request looks like from outside; an
 * entry `@<op>` holds every request of that op (`@statfs`), whatever its path.
 */
import type { StandingRequest } from '../fuse/ops.ts';
import { type RequestClock, requestClock } from '../union/headway.ts';
import { type DiskHeadway, FOLLOW_MS } from './diskHeadway.ts';

export const HUNG_AFTER_MS = 5000;

/**
 * Since when the request that has stood still longest has, if that is more than HUNG_AFTER_MS: one
 * waiting on a disk counts from when that disk was last seen completing I/O.
 */
export function hungSince(requests: StandingRequest[], disks: DiskHeadway, now = Date.now()): number | undefined {
  const stale = requests.filter((r) => now - r.since > HUNG_AFTER_MS);
  if (stale.length === 0) return undefined;
  const moved = disks.lastMoved(new Set(stale.flatMap((r) => (r.disk ? [r.disk] : []))));
  let oldest: number | undefined;
  for (const r of stale) {
    const since = Math.max(r.since, (r.disk && moved.get(r.disk)) || 0);
    if (now - since > HUNG_AFTER_MS && (oldest === undefined || since < oldest)) oldest = since;
  }
  return oldest;
}

/** The worker's tick, every FOLLOW_MS: the disks that requests have waited on that long are read. */
export function followDisks(requests: StandingRequest[], disks: DiskHeadway, now = Date.now()): Promise<void> {
  return disks.follow(new Set(requests.flatMap((r) => (r.disk && now - r.since >= FOLLOW_MS ? [r.disk] : []))), now);
}

type AnyOp = (...args: unknown[]) => unknown;

export class PendingRequests {
  private readonly open = new Set<RequestClock>();

  /** The requests the ops took and have not answered. */
  standing(): StandingRequest[] {
    return [...this.open].map((r) => ({ since: r.at, ...(r.disk ? { disk: r.disk } : {}) }));
  }

  wrap<T extends object>(ops: T, hang = process.env.STRATA_TEST_HANG): T {
    const held = new Set(hang?.split(':'));
    const wrapped = {} as Record<string, unknown>;
    for (const [name, fn] of Object.entries(ops) as [string, AnyOp][]) {
      if (typeof fn !== 'function') {
        wrapped[name] = fn;
        continue;
      }
      const holdsOp = held.has(`@${name}`);
      wrapped[name] = (...args: unknown[]) => {
        const clock: RequestClock = { at: Date.now() };
        const hold = holdsOp || held.has(args[0] as string);
        const result = hold ? new Promise(() => undefined) : requestClock.run(clock, () => fn(...args));
        if (!(result instanceof Promise)) return result;
        this.open.add(clock);
        const done = () => {
          this.open.delete(clock);
        };
        void result.then(done, done);
        return result;
      };
    }
    return wrapped as T;
  }
}
