/**
 * How a Strata mount is doing, learnt without ever touching the mount: its worker's control socket
 * (with a deadline), the worker's pid file and /proc, and the kernel's FUSE connection under fusectl.
 * A stat or statfs of the mountpoint would wait forever on a union whose worker has taken a request and
 * sits on it, and no signal ends such a wait.
 */
import type { MountStatus } from '../../common/contract.ts';
import type { StrataError } from '../../common/errors.ts';
import type { MountInfoEntry } from '../../common/mountinfo.ts';
import { controlRequest } from '../control/controlClient.ts';
import { waitingRequests } from './fuseConnection.ts';
import { findWorker } from '../control/workerPid.ts';

export const STATUS_TIMEOUT_MS = 2000;

export type MountHealth =
  /** The worker answered; its status says 'hung' itself when a request of its own sits unanswered. */
  | { kind: 'answering'; status: MountStatus }
  /** The worker exists (or something listens on its socket) but did not answer in time. */
  | { kind: 'silent'; pid?: number; stopped: boolean; since: number; waiting: number | null }
  /** The worker is gone: every access to the mount fails with ENOTCONN. */
  | { kind: 'gone' }
  /** Another user's union: only their own Strata can talk to its worker. */
  | { kind: 'foreign'; uid: number }
  /** No worker socket here (mounted by another Strata installation or with another STRATA_RUNTIME_DIR). */
  | { kind: 'unreachable'; reason: string };

/** The uid that mounted a FUSE filesystem, from its user_id= super option. */
export function mountOwner(entry: MountInfoEntry): number | undefined {
  const m = /(?:^|,)user_id=(\d+)(?:,|$)/.exec(entry.superOptions);
  return m ? Number(m[1]) : undefined;
}

/**
 * Since when each silent mount has been seen silent, by mount id: a long-lived process (serve, the app)
 * reports the first time it noticed, not the latest poll.
 */
const silentSince = new Map<number, number>();

function rememberSilent(entry: MountInfoEntry, silent: boolean): number {
  if (!silent) {
    silentSince.delete(entry.mountId);
    return 0;
  }
  const since = silentSince.get(entry.mountId) ?? Date.now();
  silentSince.set(entry.mountId, since);
  return since;
}

export async function checkMount(entry: MountInfoEntry, timeoutMs = STATUS_TIMEOUT_MS): Promise<MountHealth> {
  const owner = mountOwner(entry);
  const me = process.getuid?.();
  if (owner !== undefined && me !== undefined && owner !== me) return { kind: 'foreign', uid: owner };
  try {
    const status = await controlRequest(entry.mountpoint, { op: 'status' }, timeoutMs);
    rememberSilent(entry, false);
    return { kind: 'answering', status };
  } catch (err) {
    const worker = await findWorker(entry.mountpoint);
    // Connected but unanswered means something listens: never taken for gone, even without a pid file.
    const listening = (err as StrataError).code === 'WORKER_FAILED';
    if (typeof worker === 'object' && worker !== null) {
      return { kind: 'silent', ...worker, since: rememberSilent(entry, true), waiting: await waitingRequests(entry.minor) };
    }
    if (listening) {
      return { kind: 'silent', stopped: false, since: rememberSilent(entry, true), waiting: await waitingRequests(entry.minor) };
    }
    rememberSilent(entry, false);
    // Its pid is gone, or its socket has no listener (ECONNREFUSED): the worker died. A missing socket
    // without a pid file may belong to a worker of another runtime dir, which must not be cleared.
    if (worker === 'gone' || /ECONNREFUSED/.test((err as Error).message)) return { kind: 'gone' };
    return { kind: 'unreachable', reason: (err as Error).message };
  }
}

/** Forget what is no longer mounted (long-lived processes). */
export function forgetUnmounted(mounted: readonly MountInfoEntry[]): void {
  const ids = new Set(mounted.map((m) => m.mountId));
  for (const id of silentSince.keys()) if (!ids.has(id)) silentSince.delete(id);
}
