/** The unions list, re-fetched whenever the server says unions changed. */
import type { UnionSummary } from '../../../../main/common/api.ts';
import { asApiError, call, listen, type ApiError } from '../api.ts';
import { debounce } from '../debounce.ts';
import { SharedSubscription } from '../sharedSubscription.ts';

class UnionsStore {
  items = $state<UnionSummary[]>([]);
  loaded = $state(false);
  error = $state<ApiError | null>(null);
  private readonly subscription = new SharedSubscription(() => listen('unions:changed', debounce(() => void this.refresh(), 100)));

  async refresh(): Promise<void> {
    try {
      this.items = await call('unions:list', {});
      this.error = null;
    } catch (err) {
      this.error = asApiError(err);
    } finally {
      this.loaded = true;
    }
  }

  /** Every screen that shows unions calls it on mount and the returned function on unmount. */
  start(): () => void {
    void this.refresh();
    return this.subscription.acquire();
  }

  find(mountpoint: string | null): UnionSummary | undefined {
    return this.items.find((u) => u.mountpoint === mountpoint);
  }

  get mounted(): UnionSummary[] {
    return this.items.filter((u) => u.state === 'mounted');
  }
}

export const unions = new UnionsStore();
