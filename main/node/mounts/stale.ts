/**
 * Stale mounts: a worker that died leaves its mount in the table, and every access fails with "Transport
 * endpoint is not connected". They are found by probing from a child process (the probe may hang on a
 * hung server; a child can be killed, a stuck libuv thread cannot), then cut off (fusectl abort) and
 * lazily detached, so the union can be mounted again.
 */
import { execFile } from 'node:child_process';
import { unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { STRATA_FSTYPE, type MountInfoEntry } from '../../common/mountinfo.ts';
import { fusermountUnmount } from '../fuse/fusermount.ts';
import { abortConnection } from './fuseConnection.ts';
import { mountAt, strataMounts } from './mountTable.ts';
import { controlSocketPath } from './paths.ts';

const run = promisify(execFile);

/** alive: answers; dead: ENOTCONN (server gone); hung: no answer in time; unknown: another error. */
export type MountHealth = 'alive' | 'dead' | 'hung' | 'unknown';

export const PROBE_TIMEOUT_MS = 2000;

export async function probeMount(mountpoint: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<MountHealth> {
  try {
    // statfs, not stat: the kernel may answer a stat from cached attributes without asking the (dead)
    // server, but every statfs reaches it.
    await run('stat', ['-f', '-c', '%i', '--', mountpoint], { timeout: timeoutMs, killSignal: 'SIGKILL' });
    return 'alive';
  } catch (err) {
    const e = err as { killed?: boolean; stderr?: string };
    if (e.killed) return 'hung';
    return /not connected/i.test(e.stderr ?? '') ? 'dead' : 'unknown';
  }
}

/** Aborts the connection and detaches the mount; also removes the dead worker's socket file. */
export async function clearStaleMount(entry: MountInfoEntry): Promise<void> {
  await abortConnection(entry.minor);
  if (process.getuid?.() === 0) {
    // -i: no umount.fuse helper; --no-canonicalize: do not stat the dead mountpoint.
    await run('umount', ['-l', '-i', '--no-canonicalize', '--', entry.mountpoint]);
  } else {
    await fusermountUnmount(entry.mountpoint, { lazy: true });
  }
  await unlink(controlSocketPath(entry.mountpoint)).catch(() => undefined);
}

/** Clears the Strata mount at `mountpoint`, if any: after its worker was seen to die or was killed. */
export async function clearStrataMountAt(mountpoint: string): Promise<void> {
  const entry = await mountAt(mountpoint);
  if (entry?.fstype === STRATA_FSTYPE) await clearStaleMount(entry);
}

/** Clears every dead Strata mount (live and hung ones are left alone). Returns the cleared mountpoints. */
export async function sweepStaleMounts(): Promise<string[]> {
  const mounts = await strataMounts();
  const health = await Promise.all(mounts.map((m) => probeMount(m.mountpoint)));
  const dead = mounts.filter((_, i) => health[i] === 'dead');
  for (const entry of dead) await clearStaleMount(entry);
  return dead.map((e) => e.mountpoint);
}
