/**
 * Calls that may never return: a syscall on a stuck FUSE mount waits in the kernel, and even SIGKILL
 * cannot end a process whose request the FUSE server has read. Each call gets a deadline after which it
 * is abandoned (left running, never awaited); while it is still out, the same key fails at once, so a
 * stuck path costs one thread or child, not one per poll.
 */
export class LateCallError extends Error {
  constructor(
    readonly what: string,
    readonly since: number,
  ) {
    super(`${what} has not answered since ${new Date(since).toLocaleTimeString()}`);
    this.name = 'LateCallError';
  }
}

export class LateCalls {
  private readonly outstanding = new Map<string, number>();

  /** Since when `key`'s abandoned call has been out, if one is. */
  lateSince(key: string): number | undefined {
    return this.outstanding.get(key);
  }

  run<T>(key: string, ms: number, call: () => Promise<T>): Promise<T> {
    const since = this.outstanding.get(key);
    if (since !== undefined) return Promise.reject(new LateCallError(key, since));
    const started = Date.now();
    const pending = call();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.outstanding.set(key, started);
        const clear = () => {
          if (this.outstanding.get(key) === started) this.outstanding.delete(key);
        };
        pending.then(clear, clear);
        reject(new LateCallError(key, started));
      }, ms);
      timer.unref();
      pending.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }
}
