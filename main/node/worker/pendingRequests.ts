/**
 * The FUSE requests a worker has taken and not answered yet. One that stands still for HUNG_AFTER_MS
 * (its branch is itself a stuck mount, or a bug) leaves every caller of that path stuck in the kernel,
 * though the control socket still answers: `status` then says 'hung' and since when. One that makes
 * headway (a long copy-up, union/headway.ts) is not hung however long it takes.
 *
 * STRATA_TEST_HANG=<relpath>[:<relpath>...] is for tests only: every request on exactly one of those
 * union paths is taken and never answered, which is what such a request looks like from outside; an
 * entry `@<op>` holds every request of that op (`@statfs`), whatever its path.
 */
import { type RequestClock, requestClock } from '../union/headway.ts';

export const HUNG_AFTER_MS = 5000;

type AnyOp = (...args: unknown[]) => unknown;

export class PendingRequests {
  private readonly open = new Set<RequestClock>();

  /**
   * When the request that has stood still longest was taken or last made headway, if that is more than
   * HUNG_AFTER_MS ago: of those the ops took, or `backendOldest`, the backend's own.
   */
  hungSince(backendOldest?: number, now = Date.now()): number | undefined {
    let oldest = backendOldest;
    for (const r of this.open) if (oldest === undefined || r.at < oldest) oldest = r.at;
    return oldest !== undefined && now - oldest > HUNG_AFTER_MS ? oldest : undefined;
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
