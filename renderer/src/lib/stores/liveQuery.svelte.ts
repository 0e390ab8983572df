/**
 * Data the server owns and announces changes of: fetched when a screen opens, re-fetched (debounced)
 * on the named event while any screen uses it (Podman Desktop's "event, then re-fetch" pattern, which
 * also makes a dropped connection harmless).
 */
import type { EventName } from '../../../../main/common/api.ts';
import { asApiError, listen, type ApiError } from '../api.ts';
import { debounce } from '../debounce.ts';
import { SharedSubscription } from '../sharedSubscription.ts';

export class LiveQuery<T> {
  data = $state<T | null>(null);
  loaded = $state(false);
  error = $state<ApiError | null>(null);
  private readonly subscription: SharedSubscription;

  constructor(private readonly fetch: () => Promise<T>, event: EventName, debounceMs: number) {
    this.subscription = new SharedSubscription(() => listen(event, debounce(() => void this.refresh(), debounceMs)));
  }

  async refresh(): Promise<void> {
    try {
      this.data = await this.fetch();
      this.error = null;
    } catch (err) {
      this.error = asApiError(err);
    } finally {
      this.loaded = true;
    }
  }

  /** Screens call it on mount and the returned function on unmount. */
  start(): () => void {
    void this.refresh();
    return this.subscription.acquire();
  }
}
