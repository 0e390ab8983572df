/** The unions list, re-fetched whenever the server says unions changed. */
import type { UnionSummary } from '../../../../main/common/api.ts';
import { call } from '../api.ts';
import { LiveQuery } from './liveQuery.svelte.ts';

class UnionsStore extends LiveQuery<UnionSummary[]> {
  constructor() {
    // Polled as well: a union that stops answering sends no event, and must not go on looking mounted.
    super(() => call('unions:list', {}), 'unions:changed', 100, 5000);
  }

  get items(): UnionSummary[] {
    return this.data ?? [];
  }

  find(mountpoint: string | null): UnionSummary | undefined {
    return this.items.find((u) => u.mountpoint === mountpoint);
  }

  get mounted(): UnionSummary[] {
    return this.items.filter((u) => u.state === 'mounted');
  }
}

export const unions = new UnionsStore();
