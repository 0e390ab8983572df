/**
 * Whether this worker runs its branch calls inline (sys/inlineCalls.ts): only while no branch lies on a
 * FUSE mount. A stuck request there (another union that stopped answering) would otherwise hold the JS
 * thread, and with it the control socket that reports the union as hung, and since when.
 */
import { fuseMountOf } from '../mounts/fuseSafeFs.ts';
import { readMountTable } from '../mounts/mountTable.ts';
import { resolveBranches } from '../mounts/unionLoopCheck.ts';
import { setCallsInline } from '../sys/inlineCalls.ts';
import type { Syscalls } from '../sys/syscalls.ts';

export async function chooseCallMode(sys: Syscalls, branchPaths: readonly string[]): Promise<void> {
  const mounts = await readMountTable();
  const branches = await resolveBranches(
    branchPaths.map((path) => ({ path })),
    mounts,
  );
  setCallsInline(
    sys,
    branches.every((b) => !fuseMountOf(b.real, mounts)),
  );
}
