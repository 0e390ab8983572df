/**
 * One event subscription shared by every screen that needs a store: the first screen to open starts it,
 * the last one to close stops it, so a closed screen costs nothing and a store never listens twice.
 */
export class SharedSubscription {
  private users = 0;
  private stop: (() => void) | null = null;

  constructor(private readonly subscribe: () => () => void) {}

  /** Returns the release function (fit to return from onMount). */
  acquire(): () => void {
    if (this.users++ === 0) this.stop = this.subscribe();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.users === 0) {
        this.stop?.();
        this.stop = null;
      }
    };
  }
}
