/**
 * The FUSE requests a worker has taken and not answered yet. One that sits unanswered (its branch is
 * itself a stuck mount, or a bug) leaves every caller of that path stuck in the kernel, though the
 * control socket still answers: `status` then says 'hung' and since when.
 *
 * STRATA_TEST_HANG=<relpath>[:<relpath>...] is for tests only: every request on exactly one of those
 * union paths is taken and never answered, which is what such a request looks like from outside.
 */
export const HUNG_AFTER_MS = 5000;

type AnyOp = (...args: unknown[]) => unknown;

export class PendingRequests {
  /** Insertion order is start order, so the first entry is the oldest. */
  private readonly open = new Set<{ at: number }>();

  /**
   * Start time of the oldest request unanswered for longer than HUNG_AFTER_MS: of those the ops took,
   * or `backendOldest`, the oldest the backend itself is serving.
   */
  hungSince(backendOldest?: number, now = Date.now()): number | undefined {
    let oldest = backendOldest;
    for (const r of this.open) {
      if (oldest === undefined || r.at < oldest) oldest = r.at;
      break;
    }
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
      wrapped[name] = (...args: unknown[]) => {
        const result = held.has(args[0] as string) ? new Promise(() => undefined) : fn(...args);
        if (!(result instanceof Promise)) return result;
        const entry = { at: Date.now() };
        this.open.add(entry);
        const done = () => {
          this.open.delete(entry);
        };
        void result.then(done, done);
        return result;
      };
    }
    return wrapped as T;
  }
}
