/**
 * Stale and hung mounts. A worker that died leaves its mount in the table and every access fails with
 * "Transport endpoint is not connected"; a worker that stopped answering leaves every access waiting.
 * Either is cut off (fusectl abort, which fails every pending and future request at once) and lazily
 * detached; neither step touches the mount, so neither can wait on it.
 */
import { execFile } from 'node:child_process';
import { unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { STRATA_FSTYPE, type MountInfoEntry } from '../../common/mountinfo.ts';
import { fusermountUnmount } from '../fuse/fusermount.ts';
import { dropBranchList } from './branchListFile.ts';
import { abortConnection } from './fuseConnection.ts';
import { checkMount } from './mountHealth.ts';
import { mountAt, strataMounts } from './mountTable.ts';
import { controlSocketPath, workerPidPath } from '../control/paths.ts';

const run = promisify(execFile);

/** Aborts the connection and detaches the mount; also removes the worker's socket, pid file and branch list. */
export async function clearStaleMount(entry: MountInfoEntry): Promise<void> {
  await abortConnection(entry.minor);
  if (process.getuid?.() === 0) {
    // -i: no umount.fuse helper; --no-canonicalize: do not stat the mountpoint.
    await run('umount', ['-l', '-i', '--no-canonicalize', '--', entry.mountpoint]);
  } else {
    await fusermountUnmount(entry.mountpoint, { lazy: true });
  }
  await unlink(controlSocketPath(entry.mountpoint)).catch(() => undefined);
  await unlink(workerPidPath(entry.mountpoint)).catch(() => undefined);
  await dropBranchList(entry.mountpoint);
}

/** Clears the Strata mount at `mountpoint`, if any: after its worker was seen to die or was killed. */
export async function clearStrataMountAt(mountpoint: string): Promise<void> {
  const entry = await mountAt(mountpoint);
  if (entry?.fstype === STRATA_FSTYPE) await clearStaleMount(entry);
}

/** Clears every Strata mount whose worker is gone (live and hung ones are left alone). Returns their mountpoints. */
export async function sweepStaleMounts(): Promise<string[]> {
  const mounts = await strataMounts();
  const health = await Promise.all(mounts.map((m) => checkMount(m)));
  const dead = mounts.filter((_, i) => health[i].kind === 'gone');
  for (const entry of dead) await clearStaleMount(entry);
  return dead.map((e) => e.mountpoint);
}
