/** The mapped-files snapshot, refreshed (debounced) on every tracker change. */
import type { MapsSnapshot } from '../../../../main/common/maps.ts';
import { asApiError, call, listen, type ApiError } from '../api.ts';
import { debounce } from '../debounce.ts';
import { SharedSubscription } from '../sharedSubscription.ts';

class MapsStore {
  snapshot = $state<MapsSnapshot | null>(null);
  error = $state<ApiError | null>(null);
  private readonly subscription = new SharedSubscription(() => listen('maps:changed', debounce(() => void this.refresh(), 200)));

  async refresh(): Promise<void> {
    try {
      this.snapshot = await call('maps:snapshot', {});
      this.error = null;
    } catch (err) {
      this.error = asApiError(err);
    }
  }

  start(): () => void {
    void this.refresh();
    return this.subscription.acquire();
  }
}

export const maps = new MapsStore();
