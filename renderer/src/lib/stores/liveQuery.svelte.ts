/**
 * Data the server owns and announces changes of: fetched when a screen opens, re-fetched (debounced)
 * on the named event while any screen uses it (Podman Desktop's "event, then re-fetch" pattern, which
 * also makes a dropped connection harmless). Some changes have no event (a union that stops answering
 * changes nothing the server watches): `pollMs` re-fetches on a timer too, never two fetches at once.
 */
import type { EventName } from '../../../../main/common/api.ts';
import { asApiError, listen, type ApiError } from '../api.ts';
import { debounce } from '../debounce.ts';
import { SharedSubscription } from '../sharedSubscription.ts';

export class LiveQuery<T> {
  data = $state<T | null>(null);
  loaded = $state(false);
  error = $state<ApiError | null>(null);
  /** When `data` was fetched (epoch ms): while `error` is set, data this old is what is shown. */
  fetchedAt = $state<number | null>(null);
  private readonly subscription: SharedSubscription;
  private polling: Promise<void> | null = null;

  constructor(
    private readonly fetch: () => Promise<T>,
    event: EventName,
    debounceMs: number,
    pollMs = 0,
  ) {
    this.subscription = new SharedSubscription(() => {
      const stop = listen(
        event,
        debounce(() => void this.refresh(), debounceMs),
      );
      const timer = pollMs > 0 ? setInterval(() => this.poll(), pollMs) : undefined;
      return () => {
        stop();
        clearInterval(timer);
      };
    });
  }

  async refresh(): Promise<void> {
    try {
      this.data = await this.fetch();
      this.fetchedAt = Date.now();
      this.error = null;
    } catch (err) {
      this.error = asApiError(err);
    } finally {
      this.loaded = true;
    }
  }

  /** A timed refresh, skipped while the previous one has not come back (a slow server gets no pile-up). */
  private poll(): void {
    this.polling ??= this.refresh().finally(() => {
      this.polling = null;
    });
  }

  /** Screens call it on mount and the returned function on unmount. */
  start(): () => void {
    void this.refresh();
    return this.subscription.acquire();
  }
}
