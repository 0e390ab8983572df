/**
 * The busy-branch guard as the manager calls it: before unmounting, and before a `set` that removes a
 * branch or switches one to read-only. Each throws BUSY (details: the BusyReport) naming the processes,
 * unless forced; forced, it does nothing.
 */
import { normalizeAbsolute } from '../../common/absolutePath.ts';
import type { BranchSpec } from '../../common/branch.ts';
import type { UnionConfigPatch } from '../../common/contract.ts';
import { StrataError } from '../../common/errors.ts';
import type { BusyReport } from '../../common/maps.ts';
import { checkBusy } from './guard.ts';
import { managerSource } from './managerSource.ts';
import type { UnionSource } from './unionSource.ts';

export async function guardUnmount(mountpoint: string, { force = false } = {}, source: UnionSource = managerSource): Promise<void> {
  if (force) return;
  refuseIfBusy(`unmount ${mountpoint}`, await checkBusy({ mountpoint }, source), `strata unmount --force ${mountpoint}`);
}

export async function guardReconfigure(mountpoint: string, patch: UnionConfigPatch, { force = false } = {}, source: UnionSource = managerSource): Promise<void> {
  if (force || !patch.branches) return;
  const current = (await source.unions()).find((u) => u.mountpoint === mountpoint)?.branches ?? [];
  const next = new Map<string, BranchSpec>(patch.branches.map((b) => [normalizeAbsolute(b.path), b]));
  const removed = current.filter((b) => !next.has(normalizeAbsolute(b.path))).map((b) => b.path);
  const toReadOnly = current.filter((b) => b.mode !== 'ro' && next.get(normalizeAbsolute(b.path))?.mode === 'ro').map((b) => b.path);
  const retry = `strata set ${mountpoint} ... --force`;
  if (removed.length) {
    refuseIfBusy(`remove branch ${removed.join(', ')}`, await checkBusy({ mountpoint, branchRoots: removed }, source), retry);
  }
  if (toReadOnly.length) {
    refuseIfBusy(`make branch ${toReadOnly.join(', ')} read-only`, await checkBusy({ mountpoint, branchRoots: toReadOnly, writersOnly: true }, source), retry);
  }
}

function refuseIfBusy(action: string, report: BusyReport, forced: string): void {
  if (!report.busy) return;
  const shown = report.users.slice(0, 5).map((u) => `${u.pid} ${u.command} (${u.paths.slice(0, 3).join(', ')}${u.paths.length > 3 ? ', ...' : ''})`);
  const more = report.users.length > shown.length ? `, and ${report.users.length - shown.length} more` : '';
  throw new StrataError('BUSY',
    `Cannot ${action}: ${report.users.length} process(es) use it: ${shown.join('; ')}${more}. Close them, or run ${forced} to do it anyway.`,
    report);
}
