/**
 * The busy-branch guard, one for every caller: before unmounting, and before a change that removes a
 * branch or switches one to read-only. It asks the tracker once per question and throws BUSY (details:
 * the BusyReport) in the caller's own words: the CLI suggests `--force` commands, the app its buttons.
 */
import { normalizeAbsolute } from '../../common/absolutePath.ts';
import type { BranchSpec } from '../../common/branch.ts';
import type { UnionConfigPatch } from '../../common/contract.ts';
import { StrataError } from '../../common/errors.ts';
import type { BusyReport } from '../../common/maps.ts';
import { commandLine } from '../../common/shellQuote.ts';
import type { BusyGuard } from '../mounts/manager.ts';
import { checkBusy, type BusyTarget } from './guard.ts';
import { managerSource } from './managerSource.ts';
import type { UnionSource } from './unionSource.ts';

export interface BusyPhrasing {
  unmount(mountpoint: string, report: BusyReport): StrataError;
  removeBranches(mountpoint: string, paths: readonly string[], report: BusyReport): StrataError;
  makeReadOnly(mountpoint: string, paths: readonly string[], report: BusyReport): StrataError;
}

export function busyGuard(check: (target: BusyTarget) => Promise<BusyReport>, say: BusyPhrasing): BusyGuard {
  return {
    async beforeUnmount(mountpoint) {
      const report = await check({ mountpoint });
      if (report.busy) throw say.unmount(mountpoint, report);
    },
    async beforeReconfigure(mountpoint, patch, current) {
      if (!patch.branches) return;
      const next = new Map<string, BranchSpec>(patch.branches.map((b) => [normalizeAbsolute(b.path), b]));
      const removed = current.filter((b) => !next.has(normalizeAbsolute(b.path))).map((b) => b.path);
      const toReadOnly = current.filter((b) => b.mode !== 'ro' && next.get(normalizeAbsolute(b.path))?.mode === 'ro').map((b) => b.path);
      if (removed.length) {
        const report = await check({ mountpoint, branchRoots: removed });
        if (report.busy) throw say.removeBranches(mountpoint, removed, report);
      }
      if (toReadOnly.length) {
        const report = await check({ mountpoint, branchRoots: toReadOnly, writersOnly: true });
        if (report.busy) throw say.makeReadOnly(mountpoint, toReadOnly, report);
      }
    },
  };
}

function refusal(action: string, report: BusyReport, forced: string): StrataError {
  const shown = report.users.slice(0, 5).map((u) => `${u.pid} ${u.command} (${u.paths.slice(0, 3).join(', ')}${u.paths.length > 3 ? ', ...' : ''})`);
  const more = report.users.length > shown.length ? `, and ${report.users.length - shown.length} more` : '';
  return new StrataError(
    'BUSY',
    `Cannot ${action}: ${report.users.length} process(es) use it: ${shown.join('; ')}${more}. Close them, or run ${forced} to do it anyway.`,
    report,
  );
}

/** The CLI's words: what to run to do it anyway. */
export const cliPhrasing: BusyPhrasing = {
  unmount: (mp, report) => refusal(`unmount ${mp}`, report, commandLine('strata', 'unmount', '--force', mp)),
  removeBranches: (mp, paths, report) => refusal(`remove branch ${paths.join(', ')}`, report, `${commandLine('strata', 'set', mp)} ... --force`),
  makeReadOnly: (mp, paths, report) => refusal(`make branch ${paths.join(', ')} read-only`, report, `${commandLine('strata', 'set', mp)} ... --force`),
};

export function cliBusyGuard(source: UnionSource = managerSource): BusyGuard {
  return busyGuard((target) => checkBusy(target, source), cliPhrasing);
}

export async function guardUnmount(mountpoint: string, { force = false } = {}, source: UnionSource = managerSource): Promise<void> {
  if (!force) await cliBusyGuard(source).beforeUnmount(mountpoint);
}

export async function guardReconfigure(
  mountpoint: string,
  patch: UnionConfigPatch,
  { force = false } = {},
  source: UnionSource = managerSource,
): Promise<void> {
  if (force || !patch.branches) return;
  const current = (await source.unions()).find((u) => u.mountpoint === mountpoint)?.branches ?? [];
  await cliBusyGuard(source).beforeReconfigure(mountpoint, patch, current);
}
