/**
 * Whether this worker runs its branch calls inline (sys/inlineCalls.ts): only while no branch lies on a
 * FUSE or network mount. A stuck request there (another union that stopped answering, an NFS server
 * gone away from a hard mount) would otherwise hold the JS thread, and with it the control socket that
 * reports the union as hung, and since when.
 */
import type { MountInfoEntry } from '../../common/mountinfo.ts';
import { mountThatMayHang } from '../mounts/deadlineFs.ts';
import { readMountTable } from '../mounts/mountTable.ts';
import { resolveBranches } from '../mounts/unionLoopCheck.ts';
import { setCallsInline } from '../sys/inlineCalls.ts';
import type { Syscalls } from '../sys/syscalls.ts';

/** Whether calls on branches at these real paths (symlinks resolved) may run on the JS thread. */
export function inlineSafe(realPaths: readonly string[], mounts: readonly MountInfoEntry[]): boolean {
  return realPaths.every((path) => !mountThatMayHang(path, mounts));
}

export async function chooseCallMode(sys: Syscalls, branchPaths: readonly string[]): Promise<void> {
  const mounts = await readMountTable();
  const branches = await resolveBranches(
    branchPaths.map((path) => ({ path })),
    mounts,
  );
  setCallsInline(
    sys,
    inlineSafe(
      branches.map((b) => b.real),
      mounts,
    ),
  );
}
