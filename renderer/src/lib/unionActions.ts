/**
 * The questions asked before acting on a union the user may not expect to touch: one mounted outside the
 * app (with the CLI, or by another window), and the forced detach of one that stopped answering.
 */
import type { UnionSummary } from '../../../main/common/api.ts';
import { formatTime } from './format.ts';

/** Asks `question` ("Unmount it anyway?") about a union the app did not mount; true for the app's own. */
export function confirmOutsideUnion(u: Pick<UnionSummary, 'saved' | 'name' | 'mountpoint' | 'pid'>, question: string): boolean {
  if (u.saved) return true;
  const by = u.pid === undefined ? '' : ` (worker pid ${u.pid})`;
  return confirm(`${u.name} on ${u.mountpoint} was mounted outside Strata's app, e.g. with the strata CLI${by}. ${question}`);
}

/**
 * "Not responding since 12:40:32: its worker is stopped…": a hung union, in the words the list and the
 * editor both use, with the server's reason (which may say since when itself).
 */
export function hungText(u: Pick<UnionSummary, 'hungSince' | 'problem'>): string {
  if (u.problem?.startsWith('Not responding')) return u.problem;
  const since = u.hungSince === undefined ? 'Not responding' : `Not responding since ${formatTime(u.hungSince)}`;
  return u.problem ? `${since}: ${u.problem}` : `${since}.`;
}

/** Asks before aborting a hung union's FUSE connection and detaching it (what `unmount --force` does to it). */
export function confirmAbort(u: Pick<UnionSummary, 'name' | 'mountpoint'>): boolean {
  return confirm(
    `Abort ${u.name} and detach ${u.mountpoint}? Programs waiting on it get an error instead of hanging; its branches and their files are not touched.`,
  );
}
