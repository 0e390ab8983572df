/** The busy guard's answer as the sentence a user reads, with the report itself kept as the error's details. */
import { StrataError } from '../../common/errors.ts';
import type { BusyReport } from '../../common/maps.ts';

function who(report: BusyReport): string {
  const names = report.users.slice(0, 3).map((u) => `${u.command} (pid ${u.pid})`);
  const more = report.users.length - names.length;
  return names.join(', ') + (more > 0 ? ` and ${more} more` : '');
}

export function busyUnmountError(mountpoint: string, report: BusyReport): StrataError {
  const n = report.users.length;
  return new StrataError('BUSY',
    `${n} process${n === 1 ? '' : 'es'} still use${n === 1 ? 's' : ''} files under ${mountpoint}: ${who(report)}. Close ${n === 1 ? 'it' : 'them'}, or unmount anyway to detach the union lazily.`,
    report);
}

const has = (report: BusyReport) => (report.users.length === 1 ? 'has' : 'have');

export function busyBranchError(branchPaths: readonly string[], report: BusyReport): StrataError {
  const branches = branchPaths.length === 1 ? `Branch ${branchPaths[0]}` : `Branches ${branchPaths.join(', ')}`;
  return new StrataError('BUSY',
    `${branches} cannot be removed while ${who(report)} ${has(report)} files open on ${branchPaths.length === 1 ? 'it' : 'them'}: close them, then remove the branch.`,
    report);
}

export function busyReadOnlyError(branchPaths: readonly string[], report: BusyReport): StrataError {
  const branches = branchPaths.length === 1 ? `Branch ${branchPaths[0]}` : `Branches ${branchPaths.join(', ')}`;
  return new StrataError('BUSY',
    `${branches} cannot become read-only while ${who(report)} ${has(report)} files open for writing there: close them, then change the mode.`,
    report);
}
