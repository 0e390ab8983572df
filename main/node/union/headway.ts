/**
 * A request that does long work in steps (a copy-up's data, chunk after chunk) says so as it goes, so the
 * worker, which reports a union hung when one of its requests stands still (worker/pendingRequests.ts),
 * does not report one that is moving. The clock is the request's own, carried with its async work; away
 * from a request nothing is stamped.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestClock {
  /** When the request was taken, or last made headway (epoch ms). */
  at: number;
}

export const requestClock = new AsyncLocalStorage<RequestClock>();

export function madeHeadway(now = Date.now()): void {
  const clock = requestClock.getStore();
  if (clock) clock.at = now;
}
