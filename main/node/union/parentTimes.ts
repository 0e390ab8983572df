/**
 * Copy-up is not a change the user made, so, like aufs (au_dtime_store/revert), it leaves the atime and
 * mtime of the destination's parent directory as they were: adding the temp entry and renaming it would
 * otherwise stamp the parent with "now", which also undoes the times cloneDirs just copied onto a new dir.
 *
 * Concurrent copy-ups into the same directory share one saved value (reference-counted), so the last one to
 * finish restores the times from before the first began. A plain create by the union in that directory
 * while a copy-up is in flight loses its mtime update; aufs closes that window with the parent's inode
 * lock, which a FUSE daemon does not have.
 */
import type { BigIntStats } from 'node:fs';
import { fsp } from './bytePaths.ts';
import type { Syscalls } from '../sys/syscalls.ts';

interface Held {
  users: number;
  saved: Promise<BigIntStats>;
}

const held = new Map<string, Held>();

export async function keepingParentTimes<T>(sys: Syscalls, dir: string, job: () => Promise<T>): Promise<T> {
  let entry = held.get(dir);
  if (!entry) {
    entry = { users: 0, saved: fsp.lstat(dir, { bigint: true }) };
    held.set(dir, entry);
  }
  entry.users++;
  try {
    await entry.saved;
    return await job();
  } finally {
    if (--entry.users === 0) {
      held.delete(dir);
      await restore(sys, dir, entry.saved);
    }
  }
}

/**
 * Failures are ignored on purpose: by now the copy-up has succeeded or failed on its own merits, and a
 * parent that vanished or cannot take times must not turn a published copy into an error.
 */
async function restore(sys: Syscalls, dir: string, saved: Promise<BigIntStats>): Promise<void> {
  const st = await saved.catch(() => null);
  if (st) await sys.utimensat(dir, st.atimeNs, st.mtimeNs, false).catch(() => undefined);
}
