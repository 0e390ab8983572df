/**
 * Runs async jobs one at a time per key, in call order: a second copy-up of the same destination waits
 * for the first instead of copying the same data twice into a competing temp file.
 */
export class KeyedLock {
  /** Per key, a promise that settles (never rejects) when the last queued job has finished. */
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(job);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    // Forget the key once idle, so the map holds only keys with jobs in flight.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
