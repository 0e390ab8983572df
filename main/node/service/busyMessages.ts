/** The busy guard's answer as the app's user reads it (its buttons, not CLI flags), the report kept as the error's details. */
import { StrataError } from '../../common/errors.ts';
import type { BusyReport } from '../../common/maps.ts';
import type { BusyPhrasing } from '../tracker/guardHooks.ts';

function who(report: BusyReport): string {
  const names = report.users.slice(0, 3).map((u) => `${u.command} (pid ${u.pid})`);
  const more = report.users.length - names.length;
  return names.join(', ') + (more > 0 ? ` and ${more} more` : '');
}

function busyUnmountError(mountpoint: string, report: BusyReport): StrataError {
  const n = report.users.length;
  return new StrataError(
    'BUSY',
    `${n} process${n === 1 ? '' : 'es'} still use${n === 1 ? 's' : ''} files under ${mountpoint}: ${who(report)}. Close ${n === 1 ? 'it' : 'them'}, or unmount anyway to detach the union lazily.`,
    report,
  );
}

const has = (report: BusyReport) => (report.users.length === 1 ? 'has' : 'have');

function busyBranchError(branchPaths: readonly string[], report: BusyReport): StrataError {
  const branches = branchPaths.length === 1 ? `Branch ${branchPaths[0]}` : `Branches ${branchPaths.join(', ')}`;
  return new StrataError(
    'BUSY',
    `${branches} cannot be removed while ${who(report)} ${has(report)} files open on ${branchPaths.length === 1 ? 'it' : 'them'}: close them, then remove the branch.`,
    report,
  );
}

function busyReadOnlyError(branchPaths: readonly string[], report: BusyReport): StrataError {
  const branches = branchPaths.length === 1 ? `Branch ${branchPaths[0]}` : `Branches ${branchPaths.join(', ')}`;
  return new StrataError(
    'BUSY',
    `${branches} cannot become read-only while ${who(report)} ${has(report)} files open for writing there: close them, then change the mode.`,
    report,
  );
}

export const appPhrasing: BusyPhrasing = {
  unmount: busyUnmountError,
  removeBranches: (_mp, paths, report) => busyBranchError(paths, report),
  makeReadOnly: (_mp, paths, report) => busyReadOnlyError(paths, report),
};
