/**
 * When a file's served copy changes (copy-up, moveonenospc), every handle open on the old copy must
 * follow it, as on overlayfs: a reader opened before a copy-up reads what writers write afterwards, and a
 * writer's bytes never go to an unlinked original. Each handle's file is reopened on the new copy with its
 * own access mode and swapped in behind the same descriptor number with dup3, so the native backend's
 * direct handles (which pread/pwrite that number on FUSE threads) follow in the same instant as JS.
 * A handle the kernel passes through cannot follow (ARCHITECTURE.md, Features that must see writes).
 */
import { constants } from 'node:fs';
import type { BranchObject } from '../fuse/nativeOps.ts';
import type { BranchFs } from './branchFs.ts';
import type { Branch } from './branchSet.ts';
import { closeFd, fstat } from './fdCalls.ts';
import { type HandleTable, type OpenFile, openForCaller } from './handles.ts';

const { O_TRUNC } = constants;

/** What identifies the old copy: a handle open on another file by the same name is left alone. */
export type Identity = BranchObject;

/**
 * Points every handle of `rel` that is open on `old` at `rel` on branch `to` (only the engine's own with
 * `ownOnly`: the backend moved those it keeps). Every reopen happens before the first swap, so a failed
 * one (EMFILE) leaves all handles where they were.
 */
export async function repointHandles(fs: BranchFs, handles: HandleTable, rel: string, old: Identity, to: Branch, ownOnly = false): Promise<void> {
  const moving: { file: OpenFile; fd: number }[] = [];
  try {
    for (const file of handles.at(rel)) {
      if (ownOnly && file.kept !== undefined) continue;
      // null: released while this ran (EBADF); a number reused since then names another file.
      const st = await fstat(file.fd).catch(() => null);
      if (st?.dev !== old.dev || st.ino !== old.ino) continue;
      // Never O_TRUNC again: a truncating open already truncated the copy.
      moving.push({ file, fd: await openForCaller(fs, to, rel, file.flags & ~O_TRUNC) });
    }
    for (const { file, fd } of moving) {
      // The kernel goes on reading and writing the old copy for it, so the handle stays whole there.
      // Asked here, in the tick that swaps: an open's reply may have passed it through since the reopen.
      if (handles.passedThrough(file)) continue;
      // The backend swaps its own under the lock its release takes.
      if (file.kept !== undefined) {
        if (handles.kept.repoint(file, fd, to)) file.branch = to;
        continue;
      }
      // Released meanwhile: its number may already name another open file. Checked in the same tick
      // as `swapping` is set, which release() awaits before it closes the number.
      if (!handles.holds(file)) continue;
      file.swapping = fs.sys.dup3(fd, file.fd);
      try {
        await file.swapping;
      } finally {
        file.swapping = undefined;
      }
      file.branch = to;
    }
  } finally {
    await Promise.all(moving.map(({ fd }) => closeFd(fd).catch(() => undefined)));
  }
}
