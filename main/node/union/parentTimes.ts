/**
 * Copy-up is not a change the user made, so, like aufs (au_dtime_store/revert), it leaves the atime and
 * mtime of the destination's parent directory as they were: adding the temp entry and renaming it would
 * otherwise stamp the parent with "now", which also undoes the times cloneDirs just copied onto a new dir.
 * An opaque marker the union puts in a directory is no change of the user's either (UnionCore.makeOpaque).
 *
 * Concurrent copy-ups into the same directory share one saved value (reference-counted), so the last one to
 * finish restores the times from before the first began. A plain create by the union in that directory
 * while a copy-up is in flight loses its mtime update; aufs closes that window with the parent's inode
 * lock, which a FUSE daemon does not have.
 */
import type { BranchStat } from '../sys/statBatch.ts';
import type { BranchFs } from './branchFs.ts';
import type { Branch } from './branchSet.ts';

interface Held {
  users: number;
  saved: Promise<BranchStat>;
}

/** By branch root descriptor and directory. */
const held = new Map<string, Held>();

export async function keepingParentTimes<T>(fs: BranchFs, b: Branch, dir: string, job: () => Promise<T>): Promise<T> {
  const key = `${b.fd}\0${dir}`;
  let entry = held.get(key);
  if (!entry) {
    entry = { users: 0, saved: fs.lstat(b, dir) };
    held.set(key, entry);
  }
  entry.users++;
  try {
    await entry.saved;
    return await job();
  } finally {
    if (--entry.users === 0) {
      held.delete(key);
      await restore(fs, b, dir, entry.saved);
    }
  }
}

/**
 * Failures are ignored on purpose: by now the copy-up has succeeded or failed on its own merits, and a
 * parent that vanished or cannot take times must not turn a published copy into an error.
 */
async function restore(fs: BranchFs, b: Branch, dir: string, saved: Promise<BranchStat>): Promise<void> {
  const st = await saved.catch(() => null);
  if (st) await fs.utimens(b, dir, st.atimeNs, st.mtimeNs).catch(() => undefined);
}
