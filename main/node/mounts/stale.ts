/**
 * Stale and hung mounts. A worker that died leaves its mount in the table and every access fails with
 * "Transport endpoint is not connected"; a worker that stopped answering leaves every access waiting.
 * Either is cut off (fusectl abort, which fails every pending and future request at once) and lazily
 * detached; neither step touches the mount, so neither can wait on it.
 */
import { execFile } from 'node:child_process';
import { unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { mountOnTop, STRATA_FSTYPE, type MountInfoEntry } from '../../common/mountinfo.ts';
import { fusermountUnmount } from '../fuse/fusermount.ts';
import { abandonedMountpoints, dropBranchList } from './branchListFile.ts';
import { abortConnection } from './fuseConnection.ts';
import { checkMount } from './mountHealth.ts';
import { mountAt, readMountTable } from './mountTable.ts';
import { claimHolder, claimMountpoint, claimMountpointWithin } from '../control/mountpointClaim.ts';
import { controlSocketPath, workerPidPath } from '../control/paths.ts';

const run = promisify(execFile);

/** Aborts the connection and detaches the mount. */
export async function detachMount(entry: MountInfoEntry): Promise<void> {
  await abortConnection(entry.minor);
  if (process.getuid?.() === 0) {
    // -i: no umount.fuse helper; --no-canonicalize: do not stat the mountpoint.
    await run('umount', ['-l', '-i', '--no-canonicalize', '--', entry.mountpoint]);
  } else {
    await fusermountUnmount(entry.mountpoint, { lazy: true });
  }
}

async function removeRuntimeFiles(mountpoint: string): Promise<void> {
  await unlink(controlSocketPath(mountpoint)).catch(() => undefined);
  await unlink(workerPidPath(mountpoint)).catch(() => undefined);
  await dropBranchList(mountpoint);
}

/**
 * Clears a union whose worker is gone: aborts its connection, detaches it, and removes the worker's
 * socket, pid file and branch list. Only while no worker holds the mountpoint: one that does is mounting
 * there anew (someone else cleared this one first), and what is there now is its own.
 */
export async function clearStaleMount(entry: MountInfoEntry): Promise<void> {
  const claimed = await claimMountpoint(entry.mountpoint);
  if (!claimed) return;
  try {
    await detachMount(entry);
    await removeRuntimeFiles(entry.mountpoint);
  } finally {
    await claimed.release();
  }
}

/** A worker killed lets go of its mountpoint as it exits; one stuck in another mount's request may take longer. */
const KILLED_WITHIN_MS = 1000;

/**
 * After a hung union was detached and its worker `killed` (its pid; undefined where none was): removes
 * its socket, pid file and branch list once it lets go of the mountpoint, or at once if it is still
 * dying (stuck in another mount's request): then its lock file goes when the mountpoint is next claimed.
 */
export async function withdrawRuntimeFiles(mountpoint: string, killed: number | undefined): Promise<void> {
  const claimed = await claimMountpointWithin(mountpoint, killed === undefined ? 0 : KILLED_WITHIN_MS);
  if (claimed) {
    await removeRuntimeFiles(mountpoint);
    await claimed.release();
  } else if (killed !== undefined && (await claimHolder(mountpoint)) === killed) {
    await removeRuntimeFiles(mountpoint);
  }
}

/** Clears the Strata mount at `mountpoint`, if any, as clearStaleMount does: after its worker was seen to die or was killed. */
export async function clearStrataMountAt(mountpoint: string): Promise<void> {
  const entry = await mountAt(mountpoint);
  if (entry?.fstype === STRATA_FSTYPE) await clearStaleMount(entry);
}

export interface SweepOutcome {
  cleared: string[];
  /** Stale unions another mount covers (its type in `by`): an unmount by path would take that one down. */
  covered: { mountpoint: string; by: string }[];
}

/** Clears every Strata mount whose worker is gone and nothing covers (live and hung ones are left alone). */
export async function sweepStaleMounts(): Promise<SweepOutcome> {
  const table = await readMountTable();
  const mounts = table.filter((e) => e.fstype === STRATA_FSTYPE);
  const health = await Promise.all(mounts.map((m) => checkMount(m)));
  const outcome: SweepOutcome = { cleared: [], covered: [] };
  for (const entry of mounts.filter((_, i) => health[i].kind === 'gone')) {
    const top = mountOnTop(entry, table);
    if (top) {
      outcome.covered.push({ mountpoint: entry.mountpoint, by: top.fstype });
    } else {
      await clearStaleMount(entry);
      outcome.cleared.push(entry.mountpoint);
    }
  }
  return outcome;
}

/**
 * Removes the runtime files of workers that are gone and whose union is no longer mounted (a worker
 * killed, its mount then taken down by hand), each under its mountpoint's claim, which no worker then
 * holds; a mountpoint a worker is mounting again is left to it. A union still mounted keeps them:
 * clearStaleMount removes them with it. Returns how many workers' files went.
 */
export async function sweepLeftovers(): Promise<number> {
  const mounted = new Set((await readMountTable()).filter((e) => e.fstype === STRATA_FSTYPE).map((e) => e.mountpoint));
  let removed = 0;
  for (const mountpoint of await abandonedMountpoints()) {
    if (mounted.has(mountpoint)) continue;
    const claimed = await claimMountpoint(mountpoint);
    if (!claimed) continue;
    try {
      await removeRuntimeFiles(mountpoint);
      removed++;
    } finally {
      await claimed.release();
    }
  }
  return removed;
}
