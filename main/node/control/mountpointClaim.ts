/**
 * One worker per mountpoint. A worker claims its mountpoint (`<key>.lock`, flock) before it touches any
 * of the mountpoint's runtime files, and lets go only once it has withdrawn them, so two workers started
 * for one mountpoint at once can never both take its control socket. The kernel drops the claim of a
 * worker that dies. Claiming never waits: the holder may be stuck on its mount.
 */
import { constants } from 'node:fs';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { flockHolder } from '../../common/proc/procLocksParser.ts';
import { loadSyscalls } from '../sys/load.ts';
import { workerLockPath } from './paths.ts';

export interface MountpointClaim {
  /** Removes the lock file, still holding it, then lets go. */
  release(): Promise<void>;
}

/** Where there is no runtime directory, no worker of it holds anything, and there is nothing to withdraw. */
const NOTHING_HELD: MountpointClaim = { release: async () => undefined };

/** The claim, or null while another process holds it. */
export async function claimMountpoint(mountpoint: string): Promise<MountpointClaim | null> {
  const path = workerLockPath(mountpoint);
  for (;;) {
    const file = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (!file) return NOTHING_HELD;
    let claimed = false;
    try {
      if (!(await loadSyscalls().tryLock(file.fd))) return null;
      // A holder removes the file before it lets go: a lock taken on a file no longer at the path is
      // no claim, since the next claimant makes a new file there.
      const [held, atPath] = [await file.stat(), await stat(path).catch(() => null)];
      claimed = atPath?.dev === held.dev && atPath.ino === held.ino;
      if (claimed) {
        return {
          async release() {
            await unlink(path).catch(() => undefined);
            await file.close();
          },
        };
      }
    } finally {
      if (!claimed) await file.close();
    }
  }
}

const CLAIM_POLL_MS = 50;

/**
 * The claim once another process lets go of it, within `withinMs`; null if it does not, or as soon as
 * `waitFor` says the holder is not worth waiting for.
 */
export async function claimMountpointWithin(
  mountpoint: string,
  withinMs: number,
  waitFor: () => Promise<boolean> = async () => true,
): Promise<MountpointClaim | null> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const claimed = await claimMountpoint(mountpoint);
    if (claimed || Date.now() >= deadline || !(await waitFor())) return claimed;
    await sleep(CLAIM_POLL_MS);
  }
}

/** The pid holding the mountpoint's claim, if any process does (/proc/locks). */
export async function claimHolder(mountpoint: string): Promise<number | undefined> {
  const st = await stat(workerLockPath(mountpoint), { bigint: true }).catch(() => null);
  return st ? flockHolder(await readFile('/proc/locks', 'utf8'), st.dev, st.ino) : undefined;
}
