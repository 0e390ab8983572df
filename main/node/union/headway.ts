/**
 * A request that does long work in steps (a copy-up's data, chunk after chunk) says so as it goes, so the
 * worker, which reports a union hung when one of its requests stands still (worker/pendingRequests.ts),
 * does not report one that is moving. One that waits on a disk in one long call (an fsync) names the
 * disk instead, which the worker asks (worker/diskHeadway.ts). The clock is the request's own, carried
 * with its async work; away from a request nothing is stamped.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { fstat } from 'node:fs';
import { blockDeviceKey } from '../../common/blockDevice.ts';

export interface RequestClock {
  /** When the request was taken, or last made headway (epoch ms). */
  at: number;
  /** The block device ("major:minor") the request waits on. */
  disk?: string;
}

export const requestClock = new AsyncLocalStorage<RequestClock>();

export function madeHeadway(now = Date.now()): void {
  const clock = requestClock.getStore();
  if (clock) clock.at = now;
}

/** The request waits on the disk of `fd` from here on: named as soon as an fstat says which it is. */
export function waitsOnDiskOf(fd: number): void {
  const clock = requestClock.getStore();
  if (clock) fstat(fd, { bigint: true }, (err, st) => err || (clock.disk = blockDeviceKey(st.dev)));
}
