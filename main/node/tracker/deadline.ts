/**
 * Bounds on /proc reads. They never enter FUSE, but reading a process's maps takes its mmap lock, which a
 * thread faulting on a hung mount can hold: a stuck read must cost one process's entry, not the scan.
 */
export class DeadlineError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
    this.name = 'DeadlineError';
  }
}

export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, ms)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Processes whose earlier read is still stuck. Each stuck read holds a libuv pool thread, so such a
 * process is skipped until the read returns, instead of losing another thread every rescan.
 */
export class StuckSet {
  private readonly since = new Map<number, number>();

  stuckSince(pid: number): number | undefined {
    return this.since.get(pid);
  }

  /** Runs `read` under the deadline; if it times out, remembers the pid until the read settles. */
  async run<T>(pid: number, read: Promise<T>, ms: number, what: string): Promise<T> {
    try {
      return await withDeadline(read, ms, what);
    } catch (err) {
      if (err instanceof DeadlineError) {
        this.since.set(pid, Date.now());
        read.then(() => this.since.delete(pid), () => this.since.delete(pid));
      }
      throw err;
    }
  }
}
