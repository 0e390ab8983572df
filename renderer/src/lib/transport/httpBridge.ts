/**
 * The bridge for `strata serve`: requests are POST /api/<channel>, events come over one EventSource.
 * The token arrives in the URL fragment (never sent to the server, so never in its logs); the page keeps
 * it, sets the per-port cookie EventSource needs (it cannot send headers), and removes it from the
 * address bar so it does not end up in bookmarks or screenshots.
 */
import type { ApiEvents, ApiResponse, EventName, StrataBridge } from '../../../../main/common/api.ts';
import { EVENTS } from '../../../../main/common/api.ts';
import { clientDeadlineMs, timedOut } from './deadline.ts';

const STORAGE_KEY = 'strata-token';

function takeToken(loc: Location): string {
  const fromHash = /(?:^#|&)token=([^&]+)/.exec(loc.hash)?.[1];
  if (fromHash) {
    sessionStorage.setItem(STORAGE_KEY, fromHash);
    history.replaceState(null, '', loc.pathname + loc.search);
  }
  const token = fromHash ?? sessionStorage.getItem(STORAGE_KEY) ?? '';
  document.cookie = `strata_token_${loc.port || '80'}=${encodeURIComponent(token)}; path=/; SameSite=Strict`;
  return token;
}

const unreachable: ApiResponse<never> = {
  error: { code: 'UNAVAILABLE', message: 'Cannot reach strata serve: check that it is still running, then reload the page.' },
};

export function createHttpBridge(loc: Location = window.location): StrataBridge {
  const token = takeToken(loc);
  const listeners = new Map<EventName, Set<(data: unknown) => void>>();
  let source: EventSource | null = null;

  const deliver = (event: EventName, data: unknown) => {
    for (const listener of listeners.get(event) ?? []) listener(data);
  };

  const connect = () => {
    source = new EventSource('/api/events');
    let dropped = false;
    source.addEventListener('error', () => {
      dropped = true;
    });
    // After a reconnect, whatever happened meanwhile is unknown: tell every store to re-fetch.
    source.addEventListener('open', () => {
      if (!dropped) return;
      dropped = false;
      deliver('unions:changed', { at: Date.now() });
      deliver('maps:changed', { at: Date.now() });
    });
    for (const event of EVENTS) {
      source.addEventListener(event, (e) => deliver(event, JSON.parse((e as MessageEvent<string>).data)));
    }
  };

  return {
    environment: 'browser',
    async invoke(channel, args) {
      try {
        const res = await fetch(`/api/${channel}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify(args),
          // Aborting frees the connection too: browsers allow only six per host.
          signal: AbortSignal.timeout(clientDeadlineMs(channel)),
        });
        return await res.json();
      } catch (err) {
        return (err as Error)?.name === 'TimeoutError' ? timedOut(channel) : unreachable;
      }
    },
    on<E extends EventName>(event: E, listener: (data: ApiEvents[E]) => void) {
      if (!source) connect();
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (data: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (data: unknown) => void);
    },
  };
}
