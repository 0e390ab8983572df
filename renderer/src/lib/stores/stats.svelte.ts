/** Activity samples per mounted union: the server's recent history, then every live tick appended. */
import type { StatsSample } from '../../../../main/common/api.ts';
import { call, listen } from '../api.ts';
import { SharedSubscription } from '../sharedSubscription.ts';

export const STATS_WINDOW = 120;

class StatsStore {
  byMountpoint = $state<Record<string, StatsSample[]>>({});
  private readonly subscription = new SharedSubscription(() =>
    listen('stats:tick', (s) => {
      const list = [...(this.byMountpoint[s.mountpoint] ?? []), s];
      this.byMountpoint[s.mountpoint] = list.slice(-STATS_WINDOW);
    }),
  );

  start(): () => void {
    return this.subscription.acquire();
  }

  async load(mountpoint: string): Promise<void> {
    const history = await call('stats:get', { mountpoint }).catch(() => []);
    const live = this.byMountpoint[mountpoint] ?? [];
    const since = history.at(-1)?.at ?? 0;
    this.byMountpoint[mountpoint] = [...history, ...live.filter((s) => s.at > since)].slice(-STATS_WINDOW);
  }
}

export const stats = new StatsStore();
